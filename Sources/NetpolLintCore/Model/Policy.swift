public enum Direction: String, Sendable, Hashable { case ingress, egress }

/// A port as written: a number, a named port, or a Flux `${var}` substitution.
public enum PortValue: Sendable, Hashable {
    case number(Int)
    case named(String)
    case substitution(String)
}

public struct PortProtocol: Sendable, Hashable {
    public var span: Span
    public var port: Located<PortValue>?
    public var endPort: Located<Int>?
    /// Upper-cased protocol; nil when omitted (Cilium: ANY, Kubernetes: TCP).
    public var proto: Located<String>?
}

public struct DNSRule: Sendable, Hashable {
    public var span: Span
    public var matchName: Located<String>?
    public var matchPattern: Located<String>?
}

/// A Cilium `toPorts` item (or a Kubernetes `ports` item wrapped as one).
public struct PortRule: Sendable, Hashable {
    public var span: Span
    public var ports: [PortProtocol]
    /// L7 rules present at all (`rules:` key with content).
    public var hasL7Rules: Bool
    public var dns: [DNSRule]?
    public var hasHTTP: Bool
}

/// A CIDR literal or a substitution (`${CLUSTER_CIDR}`).
public struct CIDRValue: Sendable, Hashable {
    public var text: String
    public var isSubstitution: Bool
    /// Parsed address family and prefix; nil for substitutions and invalid text.
    public var parsed: ParsedCIDR?
}

public struct ParsedCIDR: Sendable, Hashable {
    public var isIPv6: Bool
    public var prefixLength: Int
    /// 16 bytes (IPv4 uses the first 4).
    public var address: [UInt8]
    public var hadPrefix: Bool
}

public struct CIDRRule: Sendable, Hashable {
    public var span: Span
    public var cidr: Located<CIDRValue>?
    public var except: [Located<CIDRValue>]
    public var groupRef: Located<String>?
    public var hasGroupSelector: Bool
    /// `cidrGroupSelector`: the CiliumCIDRGroups whose labels it matches (plain label keys).
    public var groupSelector: LabelSelector? = nil
}

public struct ServiceSelector: Sendable, Hashable {
    public var span: Span
    public var serviceName: Located<String>?
    public var namespace: Located<String>?
    public var selector: LabelSelector?
}

/// One item of `ingress`, `ingressDeny`, `egress` or `egressDeny` of a Cilium rule. Peer lists are nil when the
/// key is absent and `[]` when written empty (the difference matters: https://docs.cilium.io/en/stable/security/policy/language/#ingress-egress-default-deny).
public struct CiliumPeerRule: Sendable, Hashable {
    public var span: Span
    public var direction: Direction
    public var isDeny: Bool
    public var endpoints: Located<[LabelSelector]>?
    public var requires: Located<[LabelSelector]>?
    public var cidrs: Located<[Located<CIDRValue>]>?
    public var cidrSets: Located<[CIDRRule]>?
    public var entities: Located<[Located<String>]>?
    public var services: Located<[ServiceSelector]>?
    public var fqdns: Located<[DNSRule]>?
    public var groups: Located<Int>?
    public var nodes: Located<[LabelSelector]>?
    public var toPorts: Located<[PortRule]>?
    public var icmps: Located<Int>?
    public var authenticationMode: Located<String>?

    /// The peer kinds present, by their YAML key (`fromEndpoints`, `toCIDRSet`, ...), in a fixed order.
    public var peerKinds: [(key: String, span: Span)] {
        let from = direction == .ingress
        var out: [(String, Span)] = []
        if let v = endpoints { out.append((from ? "fromEndpoints" : "toEndpoints", v.span)) }
        if let v = requires { out.append((from ? "fromRequires" : "toRequires", v.span)) }
        if let v = cidrs { out.append((from ? "fromCIDR" : "toCIDR", v.span)) }
        if let v = cidrSets { out.append((from ? "fromCIDRSet" : "toCIDRSet", v.span)) }
        if let v = entities { out.append((from ? "fromEntities" : "toEntities", v.span)) }
        if let v = services { out.append(("toServices", v.span)) }
        if let v = fqdns { out.append(("toFQDNs", v.span)) }
        if let v = groups { out.append((from ? "fromGroups" : "toGroups", v.span)) }
        if let v = nodes { out.append((from ? "fromNodes" : "toNodes", v.span)) }
        return out
    }

    /// No L3 peer at all: with ports this admits every peer (an L4-only rule).
    public var hasNoPeer: Bool { peerKinds.isEmpty }
}

public struct CiliumRule: Sendable, Hashable {
    /// The `spec` mapping or the `specs` item.
    public var span: Span
    public var keySpan: Span
    public var description: Located<String>?
    public var endpointSelector: LabelSelector?
    public var nodeSelector: LabelSelector?
    public var ingress: Located<[CiliumPeerRule]>?
    public var ingressDeny: Located<[CiliumPeerRule]>?
    public var egress: Located<[CiliumPeerRule]>?
    public var egressDeny: Located<[CiliumPeerRule]>?
    public var defaultDenyIngress: Located<Bool>?
    public var defaultDenyEgress: Located<Bool>?

    public var allPeerRules: [CiliumPeerRule] {
        (ingress?.value ?? []) + (ingressDeny?.value ?? []) + (egress?.value ?? []) + (egressDeny?.value ?? [])
    }
}

public struct CiliumPolicy: Sendable, Hashable {
    public var isClusterwide: Bool
    /// `spec` first (when present), then `specs` items.
    public var rules: [CiliumRule]
    public var specSpan: Span?
}

// MARK: Kubernetes NetworkPolicy

public struct NetworkPolicyPeer: Sendable, Hashable {
    public var span: Span
    public var podSelector: LabelSelector?
    public var namespaceSelector: LabelSelector?
    public var ipBlock: CIDRRule?
}

public struct NetworkPolicyRule: Sendable, Hashable {
    public var span: Span
    public var direction: Direction
    /// nil when `from`/`to` is absent (all peers); `[]` when written empty (also all peers, per the API).
    public var peers: Located<[NetworkPolicyPeer]>?
    public var ports: Located<[PortProtocol]>?
}

public struct NetworkPolicySpec: Sendable, Hashable {
    public var specSpan: Span
    public var podSelector: LabelSelector?
    public var policyTypes: Located<[Located<String>]>?
    public var ingress: Located<[NetworkPolicyRule]>?
    public var egress: Located<[NetworkPolicyRule]>?

    /// Directions the policy isolates, per the Kubernetes defaulting of `policyTypes`.
    /// An empty or absent list defaults to Ingress, plus Egress when there are egress rules (`SetDefaults_NetworkPolicy`,
    /// kubernetes/pkg/apis/networking/v1/defaults.go: `len(spec.Egress) != 0`).
    public var isolates: Set<Direction> {
        if let types = policyTypes?.value, !types.isEmpty {
            return Set(types.compactMap { Direction(rawValue: $0.value.lowercased()) })
        }
        var out: Set<Direction> = [.ingress]
        if !(egress?.value.isEmpty ?? true) { out.insert(.egress) }
        return out
    }
}

extension CiliumPeerRule {
    /// `{}`: no peer, no port, no ICMP — allows nothing (cilium/cilium `pkg/policy/types/policyentry.go`: non-nil but empty L3 selects nothing).
    public var isEmptyRule: Bool {
        peerKinds.isEmpty && toPorts == nil && icmps == nil && authenticationMode == nil
    }

    /// The rule admits any port: no `toPorts` (and no ICMP), or a port item that covers every port.
    public var allowsAnyPort: Bool {
        guard let ports = toPorts?.value else { return icmps == nil }
        if ports.isEmpty { return icmps == nil }
        return ports.contains { $0.ports.isEmpty || $0.ports.contains(where: \.coversAllPorts) }
    }
}

extension PortProtocol {
    /// Port 0, protocol ANY with no port, or a range 0/1-65535 (https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples).
    public var coversAllPorts: Bool {
        switch port?.value {
        case nil: return true
        case .number(0)?: return true
        case .number(let p)?: return p <= 1 && (endPort?.value ?? 0) >= 65535
        default: return false
        }
    }
}

extension NetworkPolicySpec {
    /// Ingress then egress rules.
    public var allRules: [NetworkPolicyRule] { (ingress?.value ?? []) + (egress?.value ?? []) }
}

extension CiliumPolicy {
    /// Every ingress, ingressDeny, egress and egressDeny rule of every spec.
    public var allPeerRules: [CiliumPeerRule] { rules.flatMap(\.allPeerRules) }
}

extension NetworkPolicyRule {
    /// `{}` in a NetworkPolicy: every peer, every port.
    public var isEmptyRule: Bool { (peers?.value.isEmpty ?? true) && (ports?.value.isEmpty ?? true) }
}

/// The kind-independent shape of one rule item — peers or not, ports or not — for rules that ask the same question
/// of a Cilium rule and a NetworkPolicy rule.
public struct RuleShape: Sendable {
    public var span: Span
    public var direction: Direction
    public var isDeny: Bool
    public var hasPeer: Bool
    /// `toPorts` (Cilium) or `ports` (NetworkPolicy) is present and non-empty.
    public var hasPortList: Bool
    public var hasICMP: Bool
    /// Every port item of the rule, flattened.
    public var ports: [PortProtocol]
}

extension KubeObject {
    /// Each section's rule items (ingress, egress, ingressDeny, egressDeny — per spec for Cilium), in order.
    public var ruleSections: [[RuleShape]] {
        if let policy = cilium {
            return policy.rules.flatMap { rule in
                [rule.ingress, rule.egress, rule.ingressDeny, rule.egressDeny].map { section in
                    (section?.value ?? []).map { r in
                        RuleShape(span: r.span, direction: r.direction, isDeny: r.isDeny, hasPeer: !r.hasNoPeer,
                                  hasPortList: !(r.toPorts?.value.isEmpty ?? true), hasICMP: r.icmps != nil,
                                  ports: (r.toPorts?.value ?? []).flatMap(\.ports))
                    }
                }
            }
        }
        if let np = networkPolicy {
            return [np.ingress, np.egress].map { section in
                (section?.value ?? []).map { r in
                    RuleShape(span: r.span, direction: r.direction, isDeny: false, hasPeer: !(r.peers?.value.isEmpty ?? true),
                              hasPortList: !(r.ports?.value.isEmpty ?? true), hasICMP: false, ports: r.ports?.value ?? [])
                }
            }
        }
        return []
    }
}

extension KubeObject {
    /// The selectors a policy uses to name its peers: Cilium `fromEndpoints` / `toEndpoints` items and
    /// NetworkPolicy `podSelector` / `namespaceSelector` of `from` / `to` items.
    public var peerSelectors: [LabelSelector] {
        if let policy = cilium {
            return policy.allPeerRules.flatMap { $0.endpoints?.value ?? [] }
        }
        if let np = networkPolicy {
            return np.allRules.flatMap { r in (r.peers?.value ?? []).flatMap { [$0.podSelector, $0.namespaceSelector].compactMap { $0 } } }
        }
        return []
    }
}
