/// A label key after normalisation: the one place that knows Cilium's source prefixes and pseudo-labels
/// (cilium/cilium `pkg/k8s/apis/cilium.io/utils/utils.go`; https://docs.cilium.io/en/stable/security/policy/kubernetes/).
public enum LabelKey: Sendable, Hashable, CustomStringConvertible {
    /// A pod label (`app`, `k8s:app`, `any:app`).
    case pod(String)
    /// `io.kubernetes.pod.namespace`: the pod's namespace name.
    case namespaceName
    /// `io.cilium.k8s.namespace.labels.<key>` (or a key of a Kubernetes `namespaceSelector`).
    case namespaceLabel(String)
    /// `io.cilium.k8s.policy.serviceaccount`.
    case serviceAccount
    /// `io.cilium.k8s.policy.cluster` (ClusterMesh).
    case cluster
    /// `reserved:<entity>` and other source-prefixed keys Cilium treats specially (`cidr:`, `reserved:`).
    case special(source: String, key: String)

    /// The reserved-looking keys that Cilium never sets: a selector using them matches nothing.
    public static let bogusReservedPrefixes = [
        "io.kubernetes.pod.namespace.", "k8s.io.kubernetes.pod.namespace", "io.cilium.k8s.namespace.label.",
        "io.cilium.namespace.labels.", "io.cilium.k8s.policy.namespace.labels.",
    ]

    /// Normalises a key written in a Cilium endpoint selector.
    public static func cilium(_ raw: String) -> LabelKey {
        var key = Substring(raw)
        if key.hasPrefix("k8s:") { key = key.dropFirst(4) } else if key.hasPrefix("any:") { key = key.dropFirst(4) } else if let colon = key.firstIndex(of: ":"), !key[..<colon].contains("/"), !key[..<colon].contains(".") {
            let source = String(key[..<colon])
            if ["reserved", "cidr", "fqdn", "unspec", "container", "cilium"].contains(source) {
                return .special(source: source, key: String(key[key.index(after: colon)...]))
            }
        }
        if key == "io.kubernetes.pod.namespace" { return .namespaceName }
        if key == "io.cilium.k8s.policy.serviceaccount" { return .serviceAccount }
        if key == "io.cilium.k8s.policy.cluster" { return .cluster }
        let nsPrefix = "io.cilium.k8s.namespace.labels."
        if key.hasPrefix(nsPrefix) {
            let label = String(key.dropFirst(nsPrefix.count))
            return label == "kubernetes.io/metadata.name" ? .namespaceName : .namespaceLabel(label)
        }
        return .pod(String(key))
    }

    public var description: String {
        switch self {
        case .pod(let k): k
        case .namespaceName: "io.kubernetes.pod.namespace"
        case .namespaceLabel(let k): "io.cilium.k8s.namespace.labels.\(k)"
        case .serviceAccount: "io.cilium.k8s.policy.serviceaccount"
        case .cluster: "io.cilium.k8s.policy.cluster"
        case .special(let s, let k): "\(s):\(k)"
        }
    }
}

public enum SelectorOperator: String, Sendable, Hashable, CaseIterable {
    case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
}

/// One requirement of a label selector, as written (`matchLabels` entries become `In` with one value).
public struct LabelRequirement: Sendable, Hashable {
    public var key: LabelKey
    public var rawKey: Located<String>
    public var op: SelectorOperator
    public var values: [Located<String>]
    public var fromMatchLabels: Bool
}

/// A label selector as written in a manifest (`endpointSelector`, `fromEndpoints` items, `podSelector`,
/// `namespaceSelector`). `requirements` is empty for `{}`.
public struct LabelSelector: Sendable, Hashable {
    public var span: Span
    public var requirements: [LabelRequirement]
    public var isEmpty: Bool { requirements.isEmpty }

    public init(span: Span, requirements: [LabelRequirement]) {
        self.span = span
        self.requirements = requirements
    }

    /// The namespace names the selector pins with `io.kubernetes.pod.namespace` (nil when it does not pin one).
    public var namespaceNames: [Located<String>]? {
        for r in requirements where r.key == .namespaceName && r.op == .in { return r.values }
        return nil
    }
}
