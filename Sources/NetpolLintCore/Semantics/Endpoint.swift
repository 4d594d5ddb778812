/// An endpoint class: a kind of pod (a namespace plus pod labels), a reserved identity (entity) or an address
/// outside the cluster. Concrete classes come from the inventory (workloads, well-known endpoints, `trace`
/// arguments); classes built from a selector know only the labels that selector fixes (`podLabelsComplete` false).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case pod
        /// A Cilium reserved identity: `host`, `remote-node`, `kube-apiserver`, `health`, `init`, `ingress`,
        /// `unmanaged`, `world`.
        case entity(String)
        /// An address outside the cluster (classified `world` by Cilium).
        case address(ParsedCIDR)
        /// A host outside the cluster known by its DNS name (`api.github.com`): `world`, reachable through
        /// `toFQDNs` rules that cover the name.
        case dnsName(String)
    }

    public var kind: Kind
    public var namespace: String?
    /// The namespace's labels are all known (a declared Namespace, or a `trace` argument).
    public var namespaceLabelsComplete: Bool
    public var podLabelsComplete: Bool
    /// The labels, ports and name, in one `CopyOnWrite` box: endpoints are copied into every verdict and flow.
    private var boxed: CopyOnWrite<Boxed>

    private struct Boxed: Sendable, Hashable {
        var namespaceLabels: [String: String]
        var podLabels: [String: String]
        var podLabelsPresent: Set<String> = []
        var serviceAccount: String?
        var containerPorts: [ContainerPort]?
        var label: String?
    }

    public var namespaceLabels: [String: String] {
        _read { yield boxed.value.namespaceLabels }
        _modify { yield &boxed.value.namespaceLabels }
    }

    public var podLabels: [String: String] {
        _read { yield boxed.value.podLabels }
        _modify { yield &boxed.value.podLabels }
    }

    /// Labels known to be there whose value is not known (a selector's `Exists`).
    public var podLabelsPresent: Set<String> {
        _read { yield boxed.value.podLabelsPresent }
        _modify { yield &boxed.value.podLabelsPresent }
    }

    public var serviceAccount: String? {
        _read { yield boxed.value.serviceAccount }
        _modify { yield &boxed.value.serviceAccount }
    }

    /// The ports its containers declare, which named ports in policies resolve through; nil when not known (a pod
    /// the repository does not declare, or whose ports come from values it does not show).
    public var containerPorts: [ContainerPort]? {
        _read { yield boxed.value.containerPorts }
        _modify { yield &boxed.value.containerPorts }
    }

    /// A name given by whoever made the endpoint (a `trace` argument); most endpoints have none and are named from
    /// their namespace and labels when shown — not when made, which is often.
    private var label: String? {
        _read { yield boxed.value.label }
        _modify { yield &boxed.value.label }
    }

    /// How people name it: `database/app=postgres`, `world`, `10.0.0.1/32`.
    public var name: String {
        get { label ?? Self.defaultName(kind: kind, namespace: namespace, podLabels: podLabels) }
        set { label = newValue }
    }

    public init(kind: Kind = .pod, namespace: String?, namespaceLabels: [String: String] = [:],
                namespaceLabelsComplete: Bool = true, podLabels: [String: String] = [:], podLabelsComplete: Bool = true,
                serviceAccount: String? = nil, name: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        var nsLabels = namespaceLabels
        if let namespace { nsLabels["kubernetes.io/metadata.name"] = namespace }
        self.namespaceLabelsComplete = namespaceLabelsComplete
        self.podLabelsComplete = podLabelsComplete
        boxed = CopyOnWrite(Boxed(namespaceLabels: nsLabels, podLabels: podLabels, serviceAccount: serviceAccount,
                                  containerPorts: nil, label: name))
    }

    public static func entity(_ name: String) -> Endpoint {
        Endpoint(kind: .entity(name), namespace: nil, name: name)
    }

    public static func address(_ cidr: ParsedCIDR, text: String) -> Endpoint {
        Endpoint(kind: .address(cidr), namespace: nil, name: text)
    }

    /// Any address outside the cluster.
    public static let world = Endpoint.entity("world")

    static func defaultName(kind: Kind, namespace: String?, podLabels: [String: String]) -> String {
        switch kind {
        case .pod:
            let labels = podLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard let namespace else { return labels.isEmpty ? "any pod" : "any namespace/" + labels }
            return namespace + (labels.isEmpty ? "" : "/" + labels)
        case .entity(let e): return e
        case .address(let c): return CIDRParser.format(c)
        case .dnsName(let n): return n
        }
    }

    public var description: String { name }

    /// Outside the cluster: Cilium's `world` identity.
    public var isWorld: Bool {
        switch kind {
        case .pod: false
        case .entity(let e): e == "world"
        case .address, .dnsName: true
        }
    }

    public enum LabelValue { case known(String?), unknown }

    /// The value of a normalised label key on this endpoint.
    public func label(_ key: LabelKey) -> LabelValue {
        switch key {
        case .pod(let k):
            if let v = podLabels[k] { return .known(v) }
            if !podLabelsPresent.isEmpty && podLabelsPresent.contains(k) { return .unknown }
            return podLabelsComplete ? .known(nil) : .unknown
        case .namespaceName:
            return namespace.map { .known($0) } ?? .unknown
        case .namespaceLabel(let k):
            if let v = namespaceLabels[k] { return .known(v) }
            return namespaceLabelsComplete ? .known(nil) : .unknown
        case .serviceAccount:
            return serviceAccount.map { .known($0) } ?? .unknown
        case .cluster, .special:
            return .unknown
        }
    }
}

extension LabelKey {
    /// The namespace label a key reads (`kubernetes.io/metadata.name` for the name), nil for other keys.
    public var namespaceLabelKey: String? {
        switch self {
        case .namespaceLabel(let k): k
        case .namespaceName: "kubernetes.io/metadata.name"
        default: nil
        }
    }
}

extension Semantics {
    /// Reserved identities `trace` accepts as endpoints (https://docs.cilium.io/en/stable/security/policy/language/#entities-based); `world` is any address outside the cluster.
    public static let traceEntities = ["world", "host", "remote-node", "kube-apiserver", "health", "init", "ingress", "unmanaged"]

    /// Parses a `trace` endpoint: `NAMESPACE[/key=value,...]`, `NAMESPACE/WORKLOAD` (a declared Deployment,
    /// StatefulSet, ... whose pod-template labels are used), an entity, an IP address / CIDR, or a DNS name. A pod named this way
    /// has exactly the labels given (its namespace's labels come from the inventory).
    public func parseEndpoint(_ text: String) -> Result<Endpoint, EndpointSyntaxError> {
        if Self.traceEntities.contains(text) { return .success(text == "world" ? .world : .entity(text)) }
        if text.contains("."), let first = text.unicodeScalars.first, first.properties.isAlphabetic,
           text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) {
            // Namespace names have no dots: a dotted name is a host outside the cluster.
            return .success(Endpoint(kind: .dnsName(text.lowercased()), namespace: nil, name: text))
        }
        if let first = text.unicodeScalars.first, first.properties.numericType != nil || text.contains(":") {
            guard let cidr = CIDRParser.parse(text) else {
                return .failure(EndpointSyntaxError(message: "'\(text)' is not an IP address or CIDR"))
            }
            return .success(.address(cidr, text: text))
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let namespace = String(parts[0])
        if parts.count == 2 && parts[1].isEmpty {
            return .failure(EndpointSyntaxError(message: "'\(text)': nothing after '/' (give NAMESPACE, NAMESPACE/key=value,... or NAMESPACE/WORKLOAD)"))
        }
        if parts.count == 1, !inventory.knownNamespaceNames.contains(namespace) {
            // A bare word that names no namespace of the repository and looks like an entity is a mistake, not a
            // namespace nobody declared.
            if ["cluster", "all", "none"].contains(namespace) {
                return .failure(EndpointSyntaxError(message: "'\(namespace)' is a set of endpoints, not one; name a pod (NAMESPACE/key=value), an entity (\(Self.traceEntities.joined(separator: ", "))) or an address"))
            }
            if let s = Suggest.closest(namespace, in: Self.traceEntities), Suggest.distance(namespace, s) <= 1 {
                return .failure(EndpointSyntaxError(message: "'\(namespace)' is no namespace of the repository; did you mean the entity '\(s)'?"))
            }
        }
        // A namespace name is a DNS label: lower-case letters, digits and '-'.
        guard !namespace.isEmpty, namespace.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            return .failure(EndpointSyntaxError(message: "'\(text)' is not NAMESPACE[/key=value,...], NAMESPACE/WORKLOAD, an entity (\(Self.traceEntities.joined(separator: ", "))), an IP address or CIDR, or a DNS name"))
        }
        var labels: [String: String] = [:]
        var serviceAccount: String?
        if parts.count == 2, !parts[1].isEmpty, !parts[1].contains("=") {
            // NAMESPACE/WORKLOAD: the pods of a Deployment (StatefulSet, ...) the repository declares.
            let name = String(parts[1])
            let inNamespace = inventory.workloads(in: namespace)
            guard let w = inNamespace.first(where: { $0.name == name }) else {
                var message = "no workload '\(name)' in namespace '\(namespace)'"
                if inNamespace.isEmpty {
                    message += " (the repository declares no workload there; give the pod's labels as \(namespace)/key=value)"
                } else {
                    message += "; workloads there: \(inNamespace.map(\.name).sorted().prefix(8).joined(separator: ", "))"
                    if let s = Suggest.closest(name, in: inNamespace.map(\.name)) { message += "; did you mean '\(s)'?" }
                }
                return .failure(EndpointSyntaxError(message: message))
            }
            if w.hostNetwork {
                // Host-network pods carry the node's identity: policies see them as `host`.
                var host = Endpoint.entity("host")
                host.name = "\(text) (host network)"
                return .success(host)
            }
            var e = endpoint(of: w, complete: w.labelsComplete)
            e.name = text
            return .success(e)
        }
        if parts.count == 2 {
            for pair in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, !kv[0].isEmpty, !kv[1].contains("=") else {
                    return .failure(EndpointSyntaxError(message: "label '\(pair)' in '\(text)' is not key=value"))
                }
                if kv[0] == "serviceaccount" || kv[0] == "io.cilium.k8s.policy.serviceaccount" {
                    guard serviceAccount == nil else {
                        return .failure(EndpointSyntaxError(message: "the service account is given twice in '\(text)'"))
                    }
                    serviceAccount = String(kv[1])
                } else {
                    guard labels[String(kv[0])] == nil else {
                        return .failure(EndpointSyntaxError(message: "label '\(kv[0])' is given twice in '\(text)'"))
                    }
                    labels[String(kv[0])] = String(kv[1])
                }
            }
        }
        var e = endpoint(namespace: namespace, podLabels: labels, complete: true)
        e.serviceAccount = serviceAccount ?? "default"
        e.name = text
        return .success(e)
    }
}

public struct EndpointSyntaxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Semantics {
    /// Representative pods of the pods a selector picks, one per namespace it can reach: the labels the selector
    /// fixes (`In` with one value, `Exists`), nothing else known. Empty when the selector names no namespace and
    /// no namespace label (every namespace: too broad to stand for), or when it selects a reserved identity.
    /// With `anyNamespace`, a selector that names no namespace gets one representative whose namespace is unknown;
    /// with `everyDeclaredNamespace`, one in each declared namespace (up to `limit`).
    public func representatives(of selector: Selector, limit: Int = 64, anyNamespace: Bool = false,
                                everyDeclaredNamespace: Bool = false) -> [Endpoint] {
        guard selector.reserved == nil else { return [] }
        var namespaces: [String?]
        if let names = selector.namespaceNames {
            namespaces = names.sorted()
        } else {
            let nsReqs = selector.namespaceLabelRequirements
            guard !nsReqs.isEmpty || everyDeclaredNamespace else {
                guard anyNamespace else { return [] }
                let fixed = Self.fixedLabels(selector)
                var e = Endpoint(namespace: nil, namespaceLabelsComplete: false, podLabels: fixed.labels,
                                 podLabelsComplete: false, serviceAccount: fixed.serviceAccount)
                e.podLabelsPresent = fixed.present
                return [e]
            }
            namespaces = inventory.namespaces.values.filter { ns in
                nsReqs.allSatisfy { $0.evaluate(ns.effectiveLabels[$0.key.namespaceLabelKey ?? ""]) }
            }.map(\.name).sorted()
        }
        let fixed = Self.fixedLabels(selector)
        return namespaces.prefix(limit).compactMap { ns in
            guard let ns else { return nil }
            var e = endpoint(namespace: ns, podLabels: fixed.labels, complete: false)
            e.serviceAccount = fixed.serviceAccount
            e.podLabelsPresent = fixed.present
            return e
        }
    }

    /// The pod labels (and service account) a selector fixes (`In` with one value), and the labels it requires to
    /// exist whatever their value (`Exists`, `In` with several values).
    static func fixedLabels(_ selector: Selector) -> (labels: [String: String], present: Set<String>, serviceAccount: String?) {
        var labels: [String: String] = [:]
        var present = Set<String>()
        var serviceAccount: String?
        for r in selector.podRequirements {
            switch (r.key, r.op) {
            case (.pod(let k), .in) where r.values.count == 1: labels[k] = r.values.first
            case (.pod(let k), .in), (.pod(let k), .exists): present.insert(k)
            case (.serviceAccount, .in) where r.values.count == 1: serviceAccount = r.values.first
            default: continue
            }
        }
        return (labels, present, serviceAccount)
    }
}
