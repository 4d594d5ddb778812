/// The pods of Flux `HelmRelease`s of the bjw-s `app-template` chart, as the chart's templates label them.
///
/// From the chart's library (bjw-s-labs/helm-charts, `charts/library/common/templates/lib/pod/metadata/_labels.tpl`,
/// `lib/metadata/_selectorLabels.tpl`, `lib/chart/_names.tpl`, and `charts/other/app-template/templates/common.yaml`):
/// - one workload per enabled `controllers.<id>`;
/// - its pod labels, later ones winning: the controller id under `app.kubernetes.io/controller` (chart 4 and later;
///   `app.kubernetes.io/component` in 2.x and 3.x), `global.labels` when `global.propagateGlobalMetadataToPods`,
///   `app.kubernetes.io/name` (`global.nameOverride`, which app-template sets to the release name when it is unset)
///   and `app.kubernetes.io/instance` (the release name), `defaultPodOptions.labels`, `controllers.<id>.pod.labels`;
/// - `hostNetwork` from `controllers.<id>.pod.hostNetwork`, else `defaultPodOptions.hostNetwork`.
/// The release name is Flux's: `spec.releaseName`, else `[targetNamespace-]name`
/// (https://fluxcd.io/flux/components/helm/helmreleases/). Releases of other charts, of an app-template version
/// before 2 or unknown, stay unknown: nothing is guessed.
enum AppTemplate {
    /// The label that carries the controller id, by the chart's major version; nil when it is not modelled.
    static func controllerLabelKey(version: String?) -> String? {
        guard let version, !version.contains("${") else { return nil }
        var text = Substring(version).trimmingSpaces()
        if text.hasPrefix("v") { text.removeFirst() }
        guard let major = Int(text.prefix { $0.isASCII && $0.isNumber }) else { return nil }
        switch major {
        case 4...: return "app.kubernetes.io/controller"
        case 2...3: return "app.kubernetes.io/component"
        default: return nil
        }
    }

    static func workloads(_ release: HelmReleaseSpec, object: Int, name: String, namespace: String,
                          labelKey: String) -> [Inventory.Workload] {
        guard case .map(let values)? = release.values, case .map(let controllers)? = values["controllers"] else { return [] }
        let defaults = values["defaultPodOptions"]?.map ?? [:]
        let global = values["global"]?.map ?? [:]
        let releaseName = release.releaseName ?? ((release.targetNamespace.map { $0 + "-" } ?? "") + name)
        var complete = !release.hasExternalValues
        func put(_ labels: inout [String: String], _ map: [String: TemplateValue]?) {
            for (k, v) in map ?? [:] {
                guard let text = v.scalarText, !text.contains("${"), !k.contains("${") else { complete = false; continue }
                labels[k] = text
            }
        }
        let enabled = controllers.filter { $0.value.map?["enabled"]?.boolValue ?? true }.sorted { $0.key < $1.key }
        var out: [Inventory.Workload] = []
        for (id, controller) in enabled {
            complete = !release.hasExternalValues
            let pod = controller.map?["pod"]?.map ?? [:]
            var labels = [labelKey: id]
            if global["propagateGlobalMetadataToPods"]?.boolValue == true { put(&labels, global["labels"]?.map) }
            if releaseName.contains("${") {
                complete = false
            } else {
                let nameOverride = global["nameOverride"]?.scalarText ?? releaseName
                if nameOverride.contains("${") { complete = false } else { labels["app.kubernetes.io/name"] = nameOverride }
                labels["app.kubernetes.io/instance"] = releaseName
            }
            put(&labels, defaults["labels"]?.map)
            put(&labels, pod["labels"]?.map)
            let hostNetwork = pod["hostNetwork"]?.boolValue ?? defaults["hostNetwork"]?.boolValue ?? false
            // app-template names a controller's resources after the release, with `-<id>` when there are several.
            var workloadName = releaseName
            if enabled.count > 1, id != releaseName, !releaseName.hasSuffix("-" + id) { workloadName += "-" + id }
            var w = Inventory.Workload(object: object, name: workloadName.lowercased(), namespace: namespace, podLabels: labels,
                                       serviceAccount: nil, hostNetwork: hostNetwork)
            w.labelsComplete = complete
            out.append(w)
        }
        return out
    }
}

extension TemplateValue {
    var map: [String: TemplateValue]? { if case .map(let m) = self { m } else { nil } }

    var boolValue: Bool? {
        switch self {
        case .bool(let b): b
        case .string(let s) where s == "true" || s == "false": s == "true"
        default: nil
        }
    }

    /// A scalar as the text Helm renders into a label value; nil for lists, maps and null.
    var scalarText: String? {
        switch self {
        case .string(let s), .number(let s): s
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}
