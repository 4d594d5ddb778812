import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// `init` writes the Cilium version the repository deploys, says where it read it, and keeps the default (saying
/// why) when no exact version is written.
@Suite struct InitCiliumVersionTests {
    static func helmRelease(_ chart: String, version: String, namespace: String = "kube-system") -> String {
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: \(chart)\n  namespace: \(namespace)\nspec:\n  chart:\n    spec:\n      chart: \(chart)\n      version: \(version)\n      sourceRef: {kind: HelmRepository, name: cilium, namespace: flux-system}\n"
    }

    static func ociRelease(ref: String, url: String = "oci://quay.io/cilium/charts/cilium") -> String {
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: cilium-chart\n  namespace: kube-system\nspec:\n  url: \(url)\n  ref:\n    \(ref)\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cilium\n  namespace: kube-system\nspec:\n  chartRef:\n    kind: OCIRepository\n    name: cilium-chart\n"
    }

    static let k3sChart = "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: cilium\n  namespace: kube-system\nspec:\n  repo: https://helm.cilium.io\n  chart: cilium\n  version: 1.15.6\n  targetNamespace: kube-system\n"

    static let kustomizeCharts = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n  - name: cilium\n    repo: https://helm.cilium.io\n    version: 1.14.1\n    releaseName: cilium\n    namespace: kube-system\n"

    func initialise(_ files: [(path: String, content: String)]) throws -> (config: Configuration, yaml: String, stderr: String) {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let dir = TestSupport.writeTree(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try TestSupport.runCLI(["init", "--stdout", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return (try Configuration.parse(r.stdout, file: "generated.yaml"), r.stdout, r.stderr)
    }

    @Test(arguments: [
        ("HelmRelease chart.spec.version", [("cilium/helmrelease.yaml", helmRelease("cilium", version: "1.17.3"))], "1.17", "cilium/helmrelease.yaml:10"),
        ("quoted", [("cilium/helmrelease.yaml", helmRelease("cilium", version: "\"1.18.1\""))], "1.18", "cilium/helmrelease.yaml:10"),
        ("chartRef to an OCIRepository tag with a v", [("cilium/app.yaml", ociRelease(ref: "tag: v1.16.2"))], "1.16", "cilium/app.yaml:9"),
        ("OCIRepository tag with a digest", [("cilium/app.yaml", ociRelease(ref: "tag: 1.16.4@sha256:0123456789abcdef"))], "1.16", "cilium/app.yaml:9"),
        ("OCIRepository exact semver", [("cilium/app.yaml", ociRelease(ref: "semver: 1.13.0", url: "oci://ghcr.io/home-operations/charts-mirror/cilium/"))], "1.13", "cilium/app.yaml:9"),
        ("k3s HelmChart", [("cilium.yaml", k3sChart)], "1.15", "cilium.yaml:9"),
        ("kustomize helmCharts", [("cni/kustomization.yaml", kustomizeCharts)], "1.14", "cni/kustomization.yaml:6"),
    ])
    func readsTheDeployedVersion(_ what: String, _ files: [(String, String)], _ version: String, _ place: String) throws {
        let r = try initialise(files.map { (path: $0.0, content: $0.1) })
        #expect(r.config.ciliumVersion == CiliumVersion(version), "\(what): \(r.yaml)")
        #expect(r.stderr.contains("ciliumVersion: \(version) (from \(place))"), "\(what): \(r.stderr)")
        #expect(r.yaml.contains("at \(place)"), "\(what): \(r.yaml)")
    }

    @Test(arguments: [
        ("a variable", [("cilium/helmrelease.yaml", helmRelease("cilium", version: "${CILIUM_VERSION}"))], "'${CILIUM_VERSION}' at cilium/helmrelease.yaml:10 is not an exact version"),
        ("a semver range", [("cilium/app.yaml", ociRelease(ref: "semver: \">=1.15.0 <1.16.0\""))], "'>=1.15.0 <1.16.0' at cilium/app.yaml:9 is not an exact version"),
        ("a wildcard", [("cilium/helmrelease.yaml", helmRelease("cilium", version: "1.16.x"))], "'1.16.x' at cilium/helmrelease.yaml:10 is not an exact version"),
        ("a pre-release", [("cilium/helmrelease.yaml", helmRelease("cilium", version: "1.17.0-rc.1"))], "is not an exact version"),
        ("another chart", [("apps/helmrelease.yaml", helmRelease("app-template", version: "1.15.0"))], "no exact version of the cilium chart found"),
        ("an OCIRepository of another chart", [("cilium/app.yaml", ociRelease(ref: "tag: 1.15.0", url: "oci://ghcr.io/bjw-s-labs/helm/app-template"))], "no exact version of the cilium chart found"),
        ("a Flux HelmChart (not k3s)", [("cilium.yaml", k3sChart.replacingOccurrences(of: "helm.cattle.io/v1", with: "source.toolkit.fluxcd.io/v1"))], "no exact version of the cilium chart found"),
        ("a chartRef to a missing OCIRepository", [("cilium/app.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cilium, namespace: kube-system}\nspec:\n  chartRef: {kind: OCIRepository, name: nowhere}\n")], "no exact version of the cilium chart found"),
        ("nothing at all", [("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")], "no exact version of the cilium chart found"),
    ])
    func keepsTheDefaultAndSaysWhy(_ what: String, _ files: [(String, String)], _ reason: String) throws {
        let r = try initialise(files.map { (path: $0.0, content: $0.1) })
        #expect(r.config.ciliumVersion == CiliumVersion.newestKnown, "\(what): \(r.yaml)")
        #expect(r.stderr.contains("ciliumVersion: \(CiliumVersion.newestKnown) (default)"), "\(what): \(r.stderr)")
        #expect(r.stderr.contains(reason) && r.yaml.contains(reason), "\(what): \(r.stderr)")
    }

    /// Two clusters deploy different versions: the newest is written and every place is named.
    @Test func severalVersionsTheNewestAndEveryPlace() throws {
        let r = try initialise([
            ("clusters/old/cilium/helmrelease.yaml", Self.helmRelease("cilium", version: "1.16.1")),
            ("bootstrap/cni/kustomization.yaml", Self.kustomizeCharts.replacingOccurrences(of: "1.14.1", with: "1.17.0")),
        ])
        #expect(r.config.ciliumVersion == CiliumVersion(major: 1, minor: 17))
        #expect(r.stderr.contains("ciliumVersion: 1.17 (from bootstrap/cni/kustomization.yaml:6)"), "\(r.stderr)")
        #expect(r.stderr.contains("several cilium chart versions: 1.17.0 at bootstrap/cni/kustomization.yaml:6, 1.16.1 at clusters/old/cilium/helmrelease.yaml:10; using the newest"), "\(r.stderr)")
    }

    /// A release newer than netpol-lint knows: the newest known is written (a newer one is refused by check).
    @Test func newerThanKnownWritesTheNewestKnown() throws {
        let r = try initialise([("cilium/app.yaml", Self.ociRelease(ref: "tag: 1.99.1"))])
        #expect(r.config.ciliumVersion == CiliumVersion.newestKnown)
        #expect(r.stderr.contains("1.99 is newer than the newest release netpol-lint knows: writing \(CiliumVersion.newestKnown)"), "\(r.stderr)")
    }

    /// Two clusters in one repository each with an OCIRepository `kube-system/cilium`: each HelmRelease reads its
    /// own (the nearest), so both versions are found.
    @Test func sameNamedOCIRepositoriesResolveToTheNearest() throws {
        let r = try initialise([
            ("main/cilium/app.yaml", Self.ociRelease(ref: "tag: 1.18.2")),
            ("staging/cilium/app.yaml", Self.ociRelease(ref: "tag: 1.17.9")),
        ])
        #expect(r.config.ciliumVersion == CiliumVersion(major: 1, minor: 18))
        #expect(r.stderr.contains("1.18.2 at main/cilium/app.yaml:9, 1.17.9 at staging/cilium/app.yaml:9"), "\(r.stderr)")
    }
}
