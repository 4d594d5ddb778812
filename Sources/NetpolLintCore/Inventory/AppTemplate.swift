/// The pods of Flux `HelmRelease`s of the bjw-s `app-template` chart, as the chart's templates label them.
///
/// From the chart's library (bjw-s-labs/helm-charts, `charts/library/common/templates/lib/pod/metadata/_labels.tpl`,
/// `lib/metadata/_selectorLabels.tpl`, `lib/chart/_names.tpl`, and `charts/other/app-template/templates/common.yaml`):
/// - one workload per enabled `controllers.<id>`;
/// - its pod labels, later ones winning: the controller id under `app.kubernetes.io/controller` (chart 4 and later;
///   `app.kubernetes.io/component` in 2.x and 3.x), `global.labels` when `global.propagateGlobalMetadataToPods`,
///   `app.kubernetes.io/name` (`global.nameOverride`, which app-template sets to the release name when it is unset)
///   and `app.kubernetes.io/instance` (the release name), `defaultPodOptions.labels`, `controllers.<id>.pod.labels`;
/// - `hostNetwork` from `controllers.<id>.pod.hostNetwork`, else `defaultPodOptions.hostNetwork`;
/// - its container ports: `controllers.<id>.containers.<name>.ports` (and `initContainers`), written into the pod
///   as given (`lib/container/_spec.tpl`): a list of `{name, containerPort, protocol}`, or in older versions a map
///   of name to such a map or to a number (`lib/container/fields/_ports.tpl`);
/// - its Services (`services`): each enabled `service.<id>` of the controller it names in `controller` (or of the
///   only enabled controller: the chart's "automatic controller detection", `lib/service/_validate.tpl`), whose
///   ports render as `targetPort: {{ $port.targetPort | default $port.port }}` with `HTTP`/`HTTPS` written as TCP
///   (`classes/_service.tpl`).
/// The release name is Flux's: `spec.releaseName`, else `[targetNamespace-]name`
/// (https://fluxcd.io/flux/components/helm/helmreleases/). Releases of other charts, of an app-template version
/// before 2 or unknown, stay unknown: nothing is guessed.
enum AppTemplate {
    /// The label that carries the controller id, by the chart's major version; nil when it is not modelled.
    static func controllerLabelKey(version: String?) -> String? {
        guard let version, !version.hasSubstitution else { return nil }
        var text = Substring(version).trimmingSpaces()
        if text.hasPrefix("v") { text.removeFirst() }
        guard let major = Int(text.prefix { $0.isASCII && $0.isNumber }) else { return nil }
        switch major {
        case 4...: return "app.kubernetes.io/controller"
        case 2...3: return "app.kubernetes.io/component"
        default: return nil
        }
    }

    /// What `workloads` reads of a release's pods (`pod:` or `defaultPodOptions:`): the decoder keeps only this of
    /// the values, so a key read here must be listed here.
    static let podValues = ModelDecoder.ValuesPart.keys(["labels": .all, "hostNetwork": .all])
    /// What `workloads` and `containerPorts` read of `controllers:`: per controller `enabled`, its pod options and its
    /// containers' `ports` (a release's env, probes and resources are most of its values and are never read).
    static let controllerValues = ModelDecoder.ValuesPart.everyKey(.keys([
        "enabled": .all, "pod": podValues,
        "containers": .everyKey(.keys(["ports": .all])), "initContainers": .everyKey(.keys(["ports": .all])),
    ]))

    static func workloads(_ release: HelmReleaseSpec, object: Int, name: String, namespace: String,
                          labelKey: String) -> [Inventory.Workload] {
        guard case .map(let values)? = release.values, case .map(let controllers)? = values["controllers"] else { return [] }
        let defaults = values["defaultPodOptions"]?.map ?? [:]
        let global = values["global"]?.map ?? [:]
        let releaseName = release.releaseName ?? ((release.targetNamespace.map { $0 + "-" } ?? "") + name)
        var complete = !release.hasExternalValues
        func put(_ labels: inout [String: String], _ map: [String: TemplateValue]?) {
            for (k, v) in map ?? [:] {
                guard let text = v.scalarText, !text.hasSubstitution, !k.hasSubstitution else { complete = false; continue }
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
            if releaseName.hasSubstitution {
                complete = false
            } else {
                let nameOverride = global["nameOverride"]?.scalarText ?? releaseName
                if nameOverride.hasSubstitution { complete = false } else { labels["app.kubernetes.io/name"] = nameOverride }
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
            w.controller = id
            (w.containerPorts, w.containerPortsComplete) = containerPorts(controller)
            if release.hasExternalValues { w.containerPortsComplete = false }
            out.append(w)
        }
        return out
    }

    /// The ports a controller's containers declare, and whether they are all known (plain numbers).
    static func containerPorts(_ controller: TemplateValue) -> ([ContainerPort], Bool) {
        var out: [ContainerPort] = []
        // A controller whose values show no container does not show its ports either.
        var complete = !(controller.map?["containers"]?.map ?? [:]).isEmpty
        func add(name: String?, _ item: [String: TemplateValue]) {
            guard let text = item["containerPort"]?.scalarText else { return }
            let proto = item["protocol"]?.scalarText ?? "TCP"
            guard let port = Int(text), (1...65535).contains(port), !proto.hasSubstitution, !(name?.hasSubstitution ?? false) else {
                complete = false
                return
            }
            out.append(ContainerPort(name: name, port: port, proto: proto))
        }
        for key in ["containers", "initContainers"] {
            for (_, container) in controller.map?[key]?.map ?? [:] {
                switch container.map?["ports"] {
                case .list(let items)?:
                    for item in items {
                        guard let m = item.map else { complete = false; continue }
                        add(name: m["name"]?.scalarText, m)
                    }
                case .map(let named)?:
                    for (name, value) in named {
                        if let m = value.map { add(name: m["name"]?.scalarText ?? name, m) } else { add(name: name, ["containerPort": value]) }
                    }
                case nil, .null?: continue
                default: complete = false
                }
            }
        }
        return (out, complete)
    }

    /// A Service of a release: its key under `service:`, the controller it selects, its ports.
    struct RenderedService {
        var name: String
        var controller: String
        var ports: [ServicePort]
        var headless: Bool
    }

    /// The enabled Services of a release (not ExternalName, no `extraSelectorLabels` narrowing the pods, every port a
    /// plain number). `controllers`: the enabled controller ids.
    static func services(_ release: HelmReleaseSpec, controllers: [String]) -> [RenderedService] {
        guard !release.hasExternalValues, case .map(let values)? = release.values,
              case .map(let services)? = values["service"] else { return [] }
        var out: [RenderedService] = []
        for (name, value) in services.sorted(by: { $0.key < $1.key }) {
            guard let service = value.map, service["enabled"]?.boolValue ?? true else { continue }
            guard let controller = service["controller"]?.scalarText ?? (controllers.count == 1 ? controllers[0] : nil),
                  controllers.contains(controller) else { continue }
            let type = service["type"]?.scalarText ?? "ClusterIP"
            guard type != "ExternalName", service["extraSelectorLabels"] == nil else { continue }
            var ports: [ServicePort] = []
            var known = true
            for (portName, p) in (service["ports"]?.map ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let item = p.map, item["enabled"]?.boolValue ?? true else { continue }
                guard let text = item["port"]?.scalarText, let port = Int(text), (1...65535).contains(port) else {
                    if item["port"] != nil { known = false }
                    continue
                }
                var target = PortValue.number(port)
                if let t = item["targetPort"]?.scalarText {
                    if let n = Int(t) { target = .number(n) } else if t.hasSubstitution || t.contains("{{") { known = false; continue } else { target = .named(t.lowercased()) }
                }
                var proto = (item["protocol"]?.scalarText ?? "TCP").uppercased()
                if proto == "HTTP" || proto == "HTTPS" { proto = "TCP" }
                ports.append(ServicePort(name: portName, port: port, span: nil, targetPort: target, proto: proto))
            }
            if known && !ports.isEmpty {
                out.append(RenderedService(name: name, controller: controller, ports: ports, headless: service["clusterIP"]?.scalarText == "None"))
            }
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
