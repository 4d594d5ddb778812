/// The Helm charts a repository deploys and the version written for each, from:
/// - a Flux `HelmRelease`: `spec.chart.spec.chart` and `.version`, or a `spec.chartRef` to an `OCIRepository`, whose
///   chart is the last segment of its `oci://` URL and whose version is `spec.ref.tag` (else `.semver`), the tag
///   before any `@sha256:` digest (https://fluxcd.io/flux/components/helm/helmreleases/#chart-reference,
///   https://fluxcd.io/flux/components/source/ocirepositories/#reference);
/// - a k3s / RKE2 `HelmChart` (helm.cattle.io/v1): `spec.chart` and `spec.version` (https://docs.k3s.io/helm);
/// - a kustomize `helmCharts:` entry: `name` and `version`
///   (https://kubectl.docs.kubernetes.io/references/kustomize/builtins/#_helmchartinflationgenerator_).
/// This is the one place that resolves a `chartRef`; the app-template workloads (AppTemplate) read it.
extension Inventory {
    public struct Chart: Sendable {
        public enum Source: Sendable, Equatable {
            case helmRelease
            /// A HelmRelease whose `chartRef` points at this OCIRepository (object index), which holds the version.
            case ociRepository(Int)
            case helmChart
            case kustomize
        }

        /// The HelmRelease, HelmChart or Kustomization that installs the chart.
        public var object: Int
        /// The namespace the HelmRelease's `chartRef` was resolved in (nil: none resolved, or not a HelmRelease).
        public var namespace: String?
        public var name: String
        /// The version as written, where it is written; nil when none is.
        public var version: Located<String>?
        public var source: Source
    }

    /// The charts of HelmReleases, HelmCharts and kustomize `helmCharts:`. A HelmRelease applied in several
    /// namespaces is listed once per namespace (its `chartRef` may resolve differently in each).
    /// When several OCIRepositories share the referenced namespace and name (one repository describing several
    /// clusters), the one whose file is nearest the HelmRelease's (the longest common folder) is taken, then the
    /// first read.
    static func charts(objects: [KubeObject], files: [SourceFile], namespaces: (Int) -> [String]) -> [Chart] {
        var repositories: [String: [(object: Int, spec: OCIRepositorySpec)]] = [:]
        for i in objects.indices where objects[i].kind == .ociRepository {
            guard case .ociRepository(let r) = objects[i].body else { continue }
            for ns in namespaces(i) { repositories[ns + "/" + objects[i].name, default: []].append((i, r)) }
        }
        func nearest(_ candidates: [(object: Int, spec: OCIRepositorySpec)], to release: Int) -> (object: Int, spec: OCIRepositorySpec)? {
            guard candidates.count > 1 else { return candidates.first }
            let own = files[Int(objects[release].span.file)].uri
            func shared(_ c: (object: Int, spec: OCIRepositorySpec)) -> Int {
                FilePath.sharedFolders(own, files[Int(objects[c.object].span.file)].uri)
            }
            var best = candidates.first, bestShared = shared(candidates[0])
            for c in candidates.dropFirst() {
                let n = shared(c)
                if n > bestShared { best = c; bestShared = n }
            }
            return best
        }
        var out: [Chart] = []
        for i in objects.indices where Self.namesCharts(objects[i].kind) {
            switch objects[i].body {
            case .helmRelease(let release):
                let own = namespaces(i)
                for ns in own.isEmpty ? [nil] : own.map(Optional.some) {
                    if let chart = release.chart?.value {
                        out.append(Chart(object: i, namespace: ns, name: chart, version: release.chartVersion, source: .helmRelease))
                        continue
                    }
                    guard let ref = release.chartRef, ref.kind == "OCIRepository",
                          let candidates = repositories[(ref.namespace ?? ns ?? "") + "/" + ref.name],
                          let (index, repository) = nearest(candidates, to: i),
                          let name = repository.url.flatMap(Self.ociChartName) else { continue }
                    // `4.6.2@sha256:…`: the tag before the digest.
                    let version = repository.tag.map { Located(String($0.value.prefix { $0 != "@" }), $0.span) }
                    out.append(Chart(object: i, namespace: ns, name: name, version: version, source: .ociRepository(index)))
                }
            case .helmChart(let spec):
                if let chart = spec.chart {
                    out.append(Chart(object: i, name: chart.name, version: chart.version, source: .helmChart))
                }
            case .kustomization(let k):
                for chart in k.helmCharts {
                    out.append(Chart(object: i, name: chart.name, version: chart.version, source: .kustomize))
                }
            default:
                break
            }
        }
        return out
    }

    /// The kinds that can name a chart (the cases below): the other objects' bodies are not looked at.
    private static func namesCharts(_ kind: ObjectKind) -> Bool {
        kind == .helmRelease || kind == .helmChart || kind == .kustomization
    }

    /// The chart of an `oci://` URL: its last path segment (`oci://quay.io/cilium/charts/cilium` is `cilium`).
    static func ociChartName(_ url: String) -> String? {
        guard url.hasPrefix("oci://") else { return nil }
        var u = Substring(url)
        while u.hasSuffix("/") { u.removeLast() }
        guard let name = u.split(separator: "/").last, !name.isEmpty, "oci://".count < u.count else { return nil }
        return String(name)
    }
}
