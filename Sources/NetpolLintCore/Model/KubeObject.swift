/// The kinds netpol-lint understands (README, "What is read"; docs/semantics.md).
public enum ObjectKind: String, Sendable, Hashable, CaseIterable, Codable {
    case ciliumNetworkPolicy = "CiliumNetworkPolicy"
    case ciliumClusterwideNetworkPolicy = "CiliumClusterwideNetworkPolicy"
    case networkPolicy = "NetworkPolicy"
    case namespace = "Namespace"
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"
    case job = "Job"
    case cronJob = "CronJob"
    case pod = "Pod"
    case replicaSet = "ReplicaSet"
    case kustomization = "Kustomization"
    case fluxKustomization = "FluxKustomization"
    case resourceSet = "ResourceSet"
    case helmRelease = "HelmRelease"
    case ociRepository = "OCIRepository"
    /// `cilium.io/v2alpha1` or `cilium.io/v2` `CiliumCIDRGroup`: named CIDRs that `toCIDRSet` / `fromCIDRSet` reference
    /// (https://docs.cilium.io/en/stable/network/kubernetes/ciliumcidrgroup/). Cluster-scoped.
    case ciliumCIDRGroup = "CiliumCIDRGroup"
    case service = "Service"
    /// A k3s / RKE2 `HelmChart` (helm.cattle.io/v1), not Flux's source.toolkit.fluxcd.io kind of the same name.
    case helmChart = "HelmChart"

    /// The kind as Kubernetes writes it (`CiliumNetworkPolicy`; a Flux Kustomization is a `Kustomization`): what
    /// every machine-readable output says. Short names are for text only.
    public var kubernetesKind: String { self == .fluxKustomization ? "Kustomization" : rawValue }

    /// Every `kind:` the model reads, as written in manifests (a kustomize `Component` is read as a Kustomization),
    /// sorted, as UTF-8: what the decoder and the `--stdin` context filter look for.
    static let manifestKinds: [[UInt8]] = Set(allCases.map(\.kubernetesKind) + ["Component"]).sorted().map { Array($0.utf8) }

    /// Short name used in messages (`CNP 'x'`).
    public var shortName: String {
        switch self {
        case .ciliumNetworkPolicy: "CNP"
        case .ciliumClusterwideNetworkPolicy: "CCNP"
        case .networkPolicy: "NetworkPolicy"
        case .fluxKustomization: "Kustomization"
        default: rawValue
        }
    }

    public var isPolicy: Bool {
        isCilium || self == .networkPolicy
    }

    /// A kustomize `Kustomization` or a Flux `Kustomization`: the objects that decide where files are applied
    /// (`AppliedNamespaces`).
    public var isKustomizeStructure: Bool { self == .kustomization || self == .fluxKustomization }
    /// The kinds whose body is a pod template (`ObjectBody.workload`). Loops over every object test the kind, which
    /// is stored in the object, before its body, which is behind a reference: most objects are then not touched.
    public var isWorkload: Bool {
        switch self {
        case .deployment, .statefulSet, .daemonSet, .replicaSet, .job, .pod, .cronJob: true
        default: false
        }
    }
    /// `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy` (`ObjectBody.cilium`).
    public var isCilium: Bool { self == .ciliumNetworkPolicy || self == .ciliumClusterwideNetworkPolicy }
    public var isNamespaced: Bool { self != .ciliumClusterwideNetworkPolicy && self != .namespace && self != .ciliumCIDRGroup }
}

public struct KeyValue: Sendable, Hashable {
    public var key: Located<String>
    public var value: Located<String>
}

public struct ObjectMeta: Sendable, Hashable {
    public var name: Located<String>?
    public var namespace: Located<String>?
    public var labels: [KeyValue] = []
    public var annotations: [KeyValue] = []
    public var span: Span?

    public func label(_ key: String) -> KeyValue? { labels.first { $0.key.value == key } }
    public func annotation(_ key: String) -> KeyValue? { annotations.first { $0.key.value == key } }
}

public struct PodTemplate: Sendable, Hashable {
    public var labels: [KeyValue]
    public var annotations: [KeyValue] = []
    public var serviceAccount: Located<String>?
    /// `hostNetwork: true`: the pods use the node's network, so network policies do not apply to them (Cilium gives
    /// them the `host` identity).
    public var hostNetwork = false
    /// The `ports` of its containers, init containers included (a sidecar serves on them).
    public var containerPorts: [ContainerPort] = []
    /// Every container port is known (false when a `${var}` stands for one, or the template shows no container).
    public var containerPortsComplete = true
}

/// A port a container declares (`containers[].ports[]`): the number a named port in a policy or a Service's
/// `targetPort` stands for on this pod (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
public struct ContainerPort: Sendable, Hashable {
    /// `name`, lower-cased (port names are IANA service names, compared without case); nil when unnamed.
    public var name: String?
    public var port: Int
    /// TCP (the default), UDP or SCTP.
    public var proto: String

    public init(name: String?, port: Int, proto: String = "TCP") {
        self.name = name?.lowercased()
        self.port = port
        self.proto = proto.uppercased()
    }
}

/// A `v1` `Service`: the pods it selects and how its ports map to theirs
/// (https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service).
public struct ServiceSpec: Sendable, Hashable {
    /// `spec.selector`; nil when absent (the Service's endpoints are not chosen by labels).
    public var selector: [KeyValue]?
    public var ports: [ServicePort]
    /// `spec.type` (`ClusterIP` when omitted).
    public var type: String?
    /// `clusterIP: None`: a headless Service, no address and no port translation.
    public var headless = false
}

/// One item of a Service's `ports`: the Service's `port` and the pod port (`targetPort`) it forwards to.
public struct ServicePort: Sendable, Hashable {
    public var name: String?
    public var port: Int
    /// Where the port is written (nil for a Service a chart renders).
    public var span: Span?
    /// A number or the name of a container port; when omitted, the same as `port`.
    public var targetPort: PortValue
    /// TCP (the default), UDP or SCTP.
    public var proto: String
}

/// A kustomize `Kustomization` (or `Component`, `isComponent`): what it includes and the namespace it sets.
public struct KustomizationSpec: Sendable, Hashable {
    public var namespace: Located<String>?
    public var resources: [Located<String>]
    public var components: [Located<String>] = []
    public var isComponent = false
    /// `helmCharts:` entries (rendered by `kustomize build --enable-helm`): chart `name` and `version`.
    public var helmCharts: [ChartVersion] = []
}

/// A chart named in a manifest and the version written for it (nil: none written, the latest is installed).
public struct ChartVersion: Sendable, Hashable {
    public var name: String
    public var version: Located<String>?
    public init(name: String, version: Located<String>?) {
        self.name = name
        self.version = version
    }
}

public struct FluxKustomizationSpec: Sendable, Hashable {
    public var path: Located<String>?
    public var targetNamespace: Located<String>?
    public var substitute: [KeyValue]
}

public struct ResourceSetSpec: Sendable, Hashable {
    /// `spec.inputs`, each item a map bound to `inputs` when the template is rendered.
    public var inputs: [TemplateValue]
    /// `spec.resourcesTemplate`: multi-document YAML with `<< >>` template actions.
    public var template: Located<String>?
    /// Where the template text starts (line and column of its first character), to map template errors.
    public var templateStart: (line: Int, column: Int)?
    /// `spec.inputsFrom` is set: inputs come from the cluster, not the repository.
    public var hasExternalInputs: Bool
    /// `spec.resources`: objects whose string values are templates, rendered per input.
    public var resources: [TemplateValue] = []
    public var resourcesSpan: Span?
    /// Per input, where each of its top-level values is written: a generated value that comes from an input is
    /// reported there, at the line to fix.
    public var inputSpans: [[String: Span]] = []

    public var inputCount: Int { inputs.count }
    public var hasTemplate: Bool { template != nil || !resources.isEmpty }

    public static func == (a: ResourceSetSpec, b: ResourceSetSpec) -> Bool {
        a.inputs == b.inputs && a.template == b.template && a.hasExternalInputs == b.hasExternalInputs && a.resources == b.resources
    }

    public func hash(into h: inout Hasher) {
        h.combine(inputs)
        h.combine(template)
    }
}

/// One scalar of an object: `spec.egress.toFQDNs.matchName` (list indices dropped), its text and position.
public struct FieldValue: Sendable, Hashable {
    public var path: String
    public var value: String
    public var span: Span
}

public enum ObjectBody: Sendable, Hashable {
    case cilium(CiliumPolicy)
    case networkPolicy(NetworkPolicySpec)
    case namespace
    case workload(PodTemplate?)
    case kustomization(KustomizationSpec)
    case fluxKustomization(FluxKustomizationSpec)
    case resourceSet(ResourceSetSpec)
    case helmRelease(HelmReleaseSpec)
    case ociRepository(OCIRepositorySpec)
    case cidrGroup(CIDRGroupSpec)
    case service(ServiceSpec)
    case helmChart(HelmChartSpec)
}

/// A `CiliumCIDRGroup`'s `spec.externalCIDRs`.
public struct CIDRGroupSpec: Sendable, Hashable {
    public var externalCIDRs: [Located<CIDRValue>]
}

/// A Flux `HelmRelease` (helm.toolkit.fluxcd.io): which chart it installs and the values that decide its pods.
public struct HelmReleaseSpec: Sendable, Hashable {
    /// `spec.chart.spec.chart` and `.version`.
    public var chart: Located<String>?
    public var chartVersion: Located<String>?
    /// `spec.chartRef`.
    public var chartRef: ChartRef?
    public var releaseName: String?
    public var targetNamespace: String?
    /// What app-template's pods are read from in `spec.values` (nil when absent): `controllers` and
    /// `defaultPodOptions` cut to the keys `AppTemplate` reads (`AppTemplate.controllerValues`, `podValues`),
    /// `global` and `service` whole.
    public var values: TemplateValue?
    /// `spec.valuesFrom` or `spec.postRenderers` is set: values or the rendered pods can change beyond what is written.
    public var hasExternalValues = false
}

/// A HelmRelease's `spec.chartRef`: kind, name and namespace (nil: the HelmRelease's own).
public struct ChartRef: Sendable, Hashable {
    public var kind: String
    public var name: String
    public var namespace: String?
}

/// A Flux `OCIRepository` (source.toolkit.fluxcd.io): where a chart comes from, and which version.
public struct OCIRepositorySpec: Sendable, Hashable {
    public var url: String?
    /// `spec.ref.tag`, else `spec.ref.semver`.
    public var tag: Located<String>?
}

/// A k3s / RKE2 `HelmChart` (helm.cattle.io/v1, https://docs.k3s.io/helm): `spec.chart` and `spec.version`.
public struct HelmChartSpec: Sendable, Hashable {
    public var chart: ChartVersion?
}

/// One decoded Kubernetes object. Its API version, metadata, body and fields are one `CopyOnWrite` box: copying an
/// object, which every loop over the objects does, retains one reference instead of each of its strings and arrays.
public struct KubeObject: Sendable, Hashable {
    public var kind: ObjectKind
    /// The object's mapping (a `List` item or a document root).
    public var span: Span
    /// Span of the `kind:` value, a good anchor for object-level findings.
    public var kindSpan: Span
    private var boxed: CopyOnWrite<Boxed>

    private struct Boxed: Sendable, Hashable {
        var apiVersion: String
        var meta: ObjectMeta
        var body: ObjectBody
        var fields: [FieldValue]?
    }

    public init(kind: ObjectKind, apiVersion: String, meta: ObjectMeta, span: Span, kindSpan: Span, body: ObjectBody,
                fields: [FieldValue]? = nil) {
        self.kind = kind
        self.span = span
        self.kindSpan = kindSpan
        boxed = CopyOnWrite(Boxed(apiVersion: apiVersion, meta: meta, body: body, fields: fields))
    }

    public var apiVersion: String {
        _read { yield boxed.value.apiVersion }
        _modify { yield &boxed.value.apiVersion }
    }

    public var meta: ObjectMeta {
        _read { yield boxed.value.meta }
        _modify { yield &boxed.value.meta }
    }

    public var body: ObjectBody {
        _read { yield boxed.value.body }
        _modify { yield &boxed.value.body }
    }

    /// Every scalar of the object by dotted path, captured only for kinds that custom rules read (NP499).
    public var fields: [FieldValue]? {
        _read { yield boxed.value.fields }
        _modify { yield &boxed.value.fields }
    }

    public var name: String { meta.name?.value ?? "<unnamed>" }

    /// `CNP 'allow-dns'`.
    public var displayName: String { "\(kind.shortName) '\(name)'" }

    public var cilium: CiliumPolicy? {
        if case .cilium(let p) = body { return p }
        return nil
    }

    public var cidrGroup: CIDRGroupSpec? {
        if case .cidrGroup(let g) = body { return g }
        return nil
    }

    public var networkPolicy: NetworkPolicySpec? {
        if case .networkPolicy(let p) = body { return p }
        return nil
    }

    public var service: ServiceSpec? {
        if case .service(let s) = body { return s }
        return nil
    }

    /// Where to report a finding about the object as a whole: its name, else its kind.
    public var anchor: Span { meta.name?.span ?? kindSpan }
}
