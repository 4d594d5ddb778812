/// One peer of a rule item with its meaning made explicit (https://docs.cilium.io/en/stable/security/policy/language/: endpoints, entities, CIDRs, ports).
public enum Peer: Sendable, Hashable, CustomStringConvertible {
    /// Pods (or a `reserved:` identity) chosen by a selector.
    case selector(Selector, Span)
    /// A Cilium entity: `world`, `cluster`, `host`, `all`, ...
    case entity(String, Span)
    /// An address range outside the cluster; `except` carved out. nil `cidr`: a `${var}` value.
    case cidr(ParsedCIDR?, except: [ParsedCIDR], Span)
    /// A Kubernetes `ipBlock`: meant for cluster-external addresses, but whether it also matches pod IPs is up to
    /// the network plugin (kubernetes.io "Network Policies": "These should be cluster-external IPs, since Pod IPs
    /// are ephemeral and unpredictable"; Cilium never matches pods by CIDR, OVN-Kubernetes does).
    case ipBlock(ParsedCIDR?, except: [ParsedCIDR], Span)
    /// `toFQDNs`: the names in `world` its `matchName` / `matchPattern` cover.
    case fqdn([DNSPattern], Span)
    /// A peer kind the engine does not resolve (`toServices`, `toGroups`, `toNodes`): may match what it could name.
    case unresolved(String, Span)

    public var span: Span {
        switch self {
        case .selector(_, let s), .entity(_, let s), .cidr(_, _, let s), .ipBlock(_, _, let s), .fqdn(_, let s), .unresolved(_, let s): s
        }
    }

    /// Entities `cluster` stands for besides every pod (https://docs.cilium.io/en/stable/security/policy/language/#entities-based).
    static let clusterEntities: Set<String> = ["host", "remote-node", "init", "ingress", "health", "unmanaged", "kube-apiserver"]

    /// Address ranges that are never "the internet" (RFC 1918, CGNAT, loopback, link-local, ULA).
    static let privateRanges: [ParsedCIDR] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                                              "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"].compactMap(CIDRParser.parse)

    public func matches(_ e: Endpoint) -> Tri {
        switch self {
        case .selector(let s, _):
            return s.matches(e)
        case .entity(let name, _):
            switch (name, e.kind) {
            case ("all", _): return .yes
            case ("none", _): return .no
            case ("world", _): return e.isWorld ? .yes : .no
            case ("cluster", .pod): return .yes
            case ("cluster", .entity(let other)): return Self.clusterEntities.contains(other) ? .yes : .no
            case (_, .entity(let other)): return name == other ? .yes : .no
            default: return .no
            }
        case .ipBlock(let cidr, let except, let span):
            if e.kind == .pod {
                // A private range may hold the pod network: on plugins that match pod IPs, it admits pods.
                guard let cidr else { return .maybe }
                return Self.privateRanges.contains { CIDRParser.contains(cidr, $0) || CIDRParser.contains($0, cidr) } ? .maybe : .no
            }
            return Peer.cidr(cidr, except: except, span).matches(e)
        case .cidr(let cidr, let except, _):
            guard e.isWorld else { return .no }
            guard let cidr else { return .maybe }
            switch e.kind {
            case .address(let a):
                // An address range asked about (169.254.0.0/16) that only partly overlaps the rule's range: some of it.
                guard CIDRParser.contains(cidr, a) else { return CIDRParser.contains(a, cidr) ? .maybe : .no }
                if except.contains(where: { CIDRParser.contains($0, a) }) { return .no }
                return except.contains(where: { CIDRParser.contains(a, $0) }) ? .maybe : .yes
            default:
                // `world` in general: some address on the internet. A private or link-local range is not it; the
                // whole space minus private ranges is.
                if Self.privateRanges.contains(where: { CIDRParser.contains($0, cidr) }) { return .no }
                guard cidr.prefixLength == 0 else { return .maybe }
                return except.allSatisfy { ex in Self.privateRanges.contains { CIDRParser.contains($0, ex) } } ? .yes : .maybe
            }
        case .fqdn(let patterns, _):
            if case .dnsName(let name) = e.kind {
                return patterns.contains { $0.covers(name, isPattern: false) } ? .yes : .no
            }
            return e.isWorld ? .maybe : .no
        case .unresolved(let what, _):
            switch (what, e.kind) {
            case ("toServices", .pod), ("toGroups", .address), ("toGroups", .entity("world")): return .maybe
            case ("nodes", .entity(let x)) where x == "host" || x == "remote-node": return .maybe
            default: return .no
            }
        }
    }

    /// Every endpoint `other` matches, `self` matches.
    func covers(_ other: Peer) -> Bool {
        switch (self, other) {
        case (.entity("all", _), _): return true
        case (.entity("world", _), .cidr(let c?, _, _)): return c.prefixLength >= 0
        case (.entity("world", _), .fqdn): return true
        case (.entity("cluster", _), .selector(let s, _)): return s.reserved == nil || Self.clusterEntities.contains(s.reserved!)
        case (.entity("cluster", _), .entity(let o, _)): return o == "cluster" || Self.clusterEntities.contains(o)
        case (.entity(let a, _), .entity(let b, _)): return a == b
        case (.selector(let a, _), .selector(let b, _)): return a.subsumes(b)
        case (.cidr(let a?, let ae, _), .cidr(let b?, _, _)):
            return CIDRParser.contains(a, b) && !ae.contains { CIDRParser.contains(b, $0) || CIDRParser.contains($0, b) }
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .selector(let s, _): s.description
        case .entity(let e, _): "entity \(e)"
        case .cidr(let c, let except, _), .ipBlock(let c, let except, _):
            (c.map(CIDRParser.format) ?? "${…}") + (except.isEmpty ? "" : " except " + except.map(CIDRParser.format).joined(separator: ","))
        case .fqdn(let p, _): "FQDNs " + p.map(\.text).joined(separator: ",")
        case .unresolved(let w, _): w
        }
    }
}

/// Where a rule item is: its policy object, its section and position, for people (`ingress[2]`) and tools.
public struct RuleRef: Sendable, Hashable {
    public var object: Int
    public var span: Span
    public var direction: Direction
    public var isDeny: Bool
    /// `ingress[0]`, `specs[1].egressDeny[0]`.
    public var path: String
}

/// One allow or deny rule item, compiled. Its fields past `ref` and `anyPeer` are one `CopyOnWrite` box: a verdict
/// takes a copy of every rule that matches, which then retains one reference.
public struct CompiledRule: Sendable {
    public var ref: RuleRef
    /// No L3 peer: every peer, world included (Cilium L4-only rule; Kubernetes rule without `from`/`to`).
    public var anyPeer: Bool
    private var boxed: CopyOnWrite<Boxed>

    private struct Boxed: Sendable {
        var peers: [Peer]
        var ports: PortMatcher
        var dnsVisibility: [DNSPattern]?
        var dnsPorts: [PortQuery] = []
        var l4OnlyPorts: PortMatcher?
        var missingCIDRGroups: [String] = []
    }

    init(ref: RuleRef, peers: [Peer], anyPeer: Bool, ports: PortMatcher) {
        self.ref = ref
        self.anyPeer = anyPeer
        boxed = CopyOnWrite(Boxed(peers: peers, ports: ports, dnsVisibility: nil, l4OnlyPorts: nil))
    }

    /// Empty with `anyPeer` false: matches no one (`{}` in Cilium, `fromEndpoints: []`).
    public var peers: [Peer] {
        _read { yield boxed.value.peers }
        _modify { yield &boxed.value.peers }
    }

    var ports: PortMatcher {
        _read { yield boxed.value.ports }
        _modify { yield &boxed.value.ports }
    }

    /// The names a port-53 egress rule with `rules: dns` lets Cilium's DNS proxy see (nil: no DNS visibility).
    public var dnsVisibility: [DNSPattern]? {
        _read { yield boxed.value.dnsVisibility }
        _modify { yield &boxed.value.dnsVisibility }
    }

    /// The port-53 queries (one per protocol) of the `toPorts` entries that carry those DNS rules.
    public var dnsPorts: [PortQuery] {
        _read { yield boxed.value.dnsPorts }
        _modify { yield &boxed.value.dnsPorts }
    }

    /// The ports this allow admits without L7 rules — an L4-only (or L3-only) allow, which cancels the L7 rules of a
    /// similar rule on the same port and peer (docs/semantics.md). nil for a deny, an ICMP-only rule, or a rule whose
    /// every port entry carries L7 rules. A Kubernetes NetworkPolicy rule never carries L7 rules.
    var l4OnlyPorts: PortMatcher? {
        _read { yield boxed.value.l4OnlyPorts }
        _modify { yield &boxed.value.l4OnlyPorts }
    }

    /// `cidrGroupRef`s to CiliumCIDRGroups the repository does not define: their addresses are unknown.
    public var missingCIDRGroups: [String] {
        _read { yield boxed.value.missingCIDRGroups }
        _modify { yield &boxed.value.missingCIDRGroups }
    }

    /// An allow with some ports free of L7 rules (see `l4OnlyPorts`).
    public var hasL4OnlyPorts: Bool { l4OnlyPorts != nil }

    public func matches(peer e: Endpoint, port: PortQuery) -> Tri {
        let portMatch = ports.matches(port, destination: ref.direction == .egress ? e : nil)
        if portMatch == .no { return .no }
        return matchesPeer(e) && portMatch
    }

    /// Whether the rule's peers include the endpoint, ports aside.
    public func matchesPeer(_ e: Endpoint) -> Tri { Self.matches(peers: peers, anyPeer: anyPeer, e) }

    /// `matchesPeer` on a rule's fields: hot loops read them in place rather than copy the whole rule.
    static func matches(peers: [Peer], anyPeer: Bool, _ e: Endpoint) -> Tri {
        if anyPeer { return .yes }
        return peers.withUnsafeBufferPointer { peers in
            var peerMatch = Tri.no
            for i in peers.indices {
                peerMatch = peerMatch || peers[i].matches(e)
                if peerMatch == .yes { break }
            }
            return peerMatch
        }
    }

    /// Whether the rule's ports include the port, peers aside. A named port resolves through the container ports of
    /// `destination` (the pod the connection goes to) when they are known.
    public func matchesPort(_ port: PortQuery, destination: Endpoint? = nil) -> Tri { ports.matches(port, destination: destination) }

    public var portsDescription: String { ports.description }

    /// Whether some entry of the rule names a number in `numbers` — a single port or a range holding it, not every
    /// port: `portQueries.contains { q in q.port != nil && numbers.contains { q.range.contains($0) } }`, without
    /// building the queries.
    public func namesPort(in numbers: Set<Int>) -> Bool {
        guard !ports.icmpOnly, let entries = ports.entries else { return false }
        return entries.contains { e in
            !e.unresolved && !e.protocols.isEmpty && !(e.low == 0 && e.high == 65535)
                && numbers.contains { e.low <= $0 && $0 <= max(e.low, e.high) }
        }
    }

    /// The numbered ports of the rule, each with its protocols and where it is written (ranges and named ports left
    /// out): what NP312 compares with Services.
    public var numberedPorts: [(port: Int, protocols: Set<String>, span: Span?)] {
        (ports.entries ?? []).compactMap { e in
            guard !e.unresolved, e.low == e.high, e.low > 0 else { return nil }
            return (e.low, e.protocols, e.span)
        }
    }

    /// The `toFQDNs` patterns of the rule (empty when it has none).
    public var fqdnPatterns: [DNSPattern] {
        peers.flatMap { peer -> [DNSPattern] in
            if case .fqdn(let p, _) = peer { return p }
            return []
        }
    }

    /// A `toFQDNs` rule: it only works when Cilium's DNS proxy sees the lookups (NP302).
    public var usesFQDNs: Bool { Self.usesFQDNs(peers) }

    static func usesFQDNs(_ peers: [Peer]) -> Bool { peers.contains { if case .fqdn = $0 { true } else { false } } }

    /// The rule's ports as questions for the other end: one group per port entry, whose alternatives are its
    /// protocols (ANY: TCP, UDP, SCTP) over its whole range; the other end answers the entry when it admits any
    /// alternative. Entries whose number is not known (named ports, `${var}`) are left out. No port list: every
    /// port of TCP or UDP.
    public var portGroups: [[PortQuery]] {
        if ports.icmpOnly { return [] }
        guard let entries = ports.entries else { return [[PortQuery(nil, "TCP"), PortQuery(nil, "UDP")]] }
        var out: [[PortQuery]] = []
        for e in entries where !e.unresolved {
            let all = e.low == 0 && e.high == 65535
            // TCP first: what the other end usually names when a rule says ANY.
            let protocols = e.protocols.sorted { ($0 == "TCP" ? 0 : $0 == "UDP" ? 1 : 2, $0) < ($1 == "TCP" ? 0 : $1 == "UDP" ? 1 : 2, $1) }
            let group = protocols.map { PortQuery(all ? nil : e.low, $0, endPort: all || e.high == e.low ? nil : e.high) }
            if !out.contains(group) { out.append(group) }
        }
        return out
    }

    /// Every port query of the rule, flattened.
    public var portQueries: [PortQuery] { portGroups.flatMap { $0 } }

    /// Every connection `other` matches, `self` matches too (a deny covering an allow).
    public func covers(_ other: CompiledRule) -> Bool {
        // A rule that allows nothing (`{}`, an empty peer list) is not shadowed: it has nothing to lose.
        if !other.anyPeer && other.peers.isEmpty { return false }
        guard ports.covers(other.ports) else { return false }
        if anyPeer { return true }
        if other.anyPeer { return peers.contains { if case .entity("all", _) = $0 { true } else { false } } }
        return other.peers.allSatisfy { o in peers.contains { $0.covers(o) } }
    }
}

/// The endpoints one policy (or one `specs` item) applies to, what it enforces and its rules.
/// A reference type: many answers refer to the same subject, and copying it should cost one reference count.
public final class Subject: Sendable {
    public let object: Int
    /// Which rule of the policy (`CiliumPolicy.rules` index; 0 for a NetworkPolicy).
    public let specIndex: Int
    public let selector: Selector
    public let selectorSpan: Span
    /// Directions this subject puts into default-deny (Cilium: a non-empty section unless `enableDefaultDeny` says
    /// false; Kubernetes: `policyTypes`).
    public let enforces: Set<Direction>
    public let rules: [CompiledRule]
    /// Directions with `fromRequires` / `toRequires` (before Cilium 1.19): they add label requirements to every
    /// allow for the selected endpoints, which the engine does not model, so allows there are only *maybe*.
    public let requires: Set<Direction>
    /// `enforces` and `requires` as bits (`bit(_:)`): asked for every subject of every question, without hashing.
    private let enforcedBits: UInt8
    private let requiredBits: UInt8
    /// The directions it has rules in (allow or deny), as bits.
    private let ruleBits: UInt8

    init(object: Int, specIndex: Int, selector: Selector, selectorSpan: Span, enforces: Set<Direction>,
         rules: [CompiledRule], requires: Set<Direction> = []) {
        self.object = object
        self.specIndex = specIndex
        self.selector = selector
        self.selectorSpan = selectorSpan
        self.enforces = enforces
        self.rules = rules
        self.requires = requires
        self.enforcedBits = enforces.reduce(0) { $0 | Self.bit($1) }
        self.requiredBits = requires.reduce(0) { $0 | Self.bit($1) }
        self.ruleBits = rules.reduce(0) { $0 | Self.bit($1.ref.direction) }
    }

    @inline(__always)
    private static func bit(_ d: Direction) -> UInt8 {
        switch d {
        case .ingress: 1
        case .egress: 2
        }
    }

    /// `enforces.contains(direction)`.
    @inline(__always)
    public func isEnforcing(_ direction: Direction) -> Bool { enforcedBits & Self.bit(direction) != 0 }

    /// `requires.contains(direction)`.
    @inline(__always)
    public func isNarrowing(_ direction: Direction) -> Bool { requiredBits & Self.bit(direction) != 0 }

    /// Whether it has a say in `direction`: it enforces it or has rules there. A subject that has none changes no
    /// verdict in that direction (`requires` comes with rules in its direction).
    @inline(__always)
    public func decides(_ direction: Direction) -> Bool { (enforcedBits | ruleBits) & Self.bit(direction) != 0 }
}

extension Subject {
    static func compile(_ object: KubeObject, index: Int, namespace: String?, groups: CIDRGroups = CIDRGroups()) -> [Subject] {
        if let policy = object.cilium {
            let ns = policy.isClusterwide ? nil : namespace
            return policy.rules.enumerated().compactMap { i, rule in
                let prefix = policy.specSpan != nil && i == 0 ? "" : "specs[\(policy.specSpan == nil ? i : i - 1)]."
                let selector: Selector
                let span: Span
                if let es = rule.endpointSelector {
                    selector = .cilium(es, namespace: ns, subject: true)
                    span = es.span
                } else if let nsel = rule.nodeSelector {
                    selector = Selector([], reserved: "host")
                    span = nsel.span
                } else {
                    return nil
                }
                var enforces = Set<Direction>()
                if (!(rule.ingress?.value.isEmpty ?? true) || !(rule.ingressDeny?.value.isEmpty ?? true)),
                   rule.defaultDenyIngress?.value != false { enforces.insert(.ingress) }
                if (!(rule.egress?.value.isEmpty ?? true) || !(rule.egressDeny?.value.isEmpty ?? true)),
                   rule.defaultDenyEgress?.value != false { enforces.insert(.egress) }
                var rules: [CompiledRule] = []
                for (name, section) in [("ingress", rule.ingress), ("egress", rule.egress), ("ingressDeny", rule.ingressDeny), ("egressDeny", rule.egressDeny)] {
                    for (j, r) in (section?.value ?? []).enumerated() {
                        let ref = RuleRef(object: index, span: r.span, direction: r.direction, isDeny: r.isDeny, path: "\(prefix)\(name)[\(j)]")
                        rules.append(compile(r, ref: ref, namespace: ns, groups: groups))
                    }
                }
                let requires = Set(rule.allPeerRules.filter { $0.requires != nil }.map(\.direction))
                return Subject(object: index, specIndex: i, selector: selector, selectorSpan: span, enforces: enforces,
                               rules: rules, requires: requires)
            }
        }
        if let np = object.networkPolicy, let namespace {
            let selector = Selector.kubernetes(pod: np.podSelector ?? LabelSelector(span: np.specSpan, requirements: []),
                                               namespaceSelector: nil, namespace: namespace)
            var rules: [CompiledRule] = []
            for (name, section) in [("ingress", np.ingress), ("egress", np.egress)] {
                for (j, r) in (section?.value ?? []).enumerated() {
                    let ref = RuleRef(object: index, span: r.span, direction: r.direction, isDeny: false, path: "\(name)[\(j)]")
                    var peers: [Peer] = []
                    for p in r.peers?.value ?? [] {
                        if let ip = p.ipBlock {
                            peers.append(.ipBlock(ip.cidr?.value.parsed, except: ip.except.compactMap(\.value.parsed), ip.span))
                        } else if p.podSelector != nil || p.namespaceSelector != nil {
                            peers.append(.selector(.kubernetes(pod: p.podSelector, namespaceSelector: p.namespaceSelector, namespace: namespace), p.span))
                        }
                    }
                    let ports = (r.ports?.value).map { $0.isEmpty ? PortMatcher.any : PortMatcher($0, kubernetes: true) } ?? .any
                    var compiled = CompiledRule(ref: ref, peers: peers, anyPeer: r.peers?.value.isEmpty ?? true, ports: ports)
                    compiled.l4OnlyPorts = ports
                    rules.append(compiled)
                }
            }
            return [Subject(object: index, specIndex: 0, selector: selector, selectorSpan: np.podSelector?.span ?? np.specSpan,
                            enforces: np.isolates, rules: rules)]
        }
        return []
    }

    static func compile(_ r: CiliumPeerRule, ref: RuleRef, namespace: String?, groups: CIDRGroups) -> CompiledRule {
        var peers: [Peer] = []
        var missingGroups: [String] = []
        for s in r.endpoints?.value ?? [] { peers.append(.selector(.cilium(s, namespace: namespace, subject: false), s.span)) }
        for e in r.entities?.value ?? [] { peers.append(.entity(e.value, e.span)) }
        for c in r.cidrs?.value ?? [] { peers.append(.cidr(c.value.parsed, except: [], c.span)) }
        for c in r.cidrSets?.value ?? [] {
            let except = c.except.compactMap(\.value.parsed)
            if let name = c.groupRef {
                // A CiliumCIDRGroup of the repository stands for its CIDRs; one it does not define, for unknown ones.
                if let cidrs = groups.byName[name.value] {
                    for cidr in cidrs { peers.append(.cidr(cidr, except: except, c.span)) }
                } else {
                    peers.append(.unresolved("toGroups", c.span))
                    missingGroups.append(name.value)
                }
            } else if c.hasGroupSelector {
                // The groups of the repository whose labels match, and maybe others the repository does not show.
                for cidr in c.groupSelector.map(groups.selected) ?? [] { peers.append(.cidr(cidr, except: except, c.span)) }
                peers.append(.unresolved("toGroups", c.span))
            } else {
                peers.append(.cidr(c.cidr?.value.parsed, except: c.except.compactMap(\.value.parsed), c.span))
            }
        }
        if let f = r.fqdns {
            peers.append(.fqdn(f.value.compactMap { ($0.matchName ?? $0.matchPattern).map { DNSPattern($0.value) } }, f.span))
        }
        if let s = r.services { peers.append(.unresolved("toServices", s.span)) }
        if let g = r.groups { peers.append(.unresolved("toGroups", g.span)) }
        if let n = r.nodes { peers.append(.unresolved("nodes", n.span)) }
        let ports: PortMatcher
        if let tp = r.toPorts?.value, !tp.isEmpty {
            ports = tp.contains { $0.ports.isEmpty } ? .any : PortMatcher(tp.flatMap(\.ports), kubernetes: false)
        } else if r.icmps != nil {
            ports = PortMatcher(entries: [], icmpOnly: true)
        } else {
            ports = .any
        }
        // An L4-only (or ICMP-only) rule has a wildcard L3 peer; an empty rule or an L3 list written empty has none.
        let anyPeer = r.hasNoPeer && (!(r.toPorts?.value.isEmpty ?? true) || r.icmps != nil)
        var compiled = CompiledRule(ref: ref, peers: peers, anyPeer: anyPeer, ports: ports)
        compiled.missingCIDRGroups = missingGroups
        if r.direction == .egress, !r.isDeny {
            for pr in r.toPorts?.value ?? [] where pr.dns != nil && pr.ports.contains(where: { if case .number(53)? = $0.port?.value { true } else { false } }) {
                compiled.dnsVisibility = (compiled.dnsVisibility ?? []) + (pr.dns ?? []).compactMap { ($0.matchPattern ?? $0.matchName).map { DNSPattern($0.value) } }
                for p in pr.ports {
                    guard case .number(53)? = p.port?.value else { continue }
                    let protocols = p.proto.map { $0.value == "ANY" ? PortMatcher.cilium : [$0.value] } ?? PortMatcher.cilium
                    for proto in protocols.sorted() where !compiled.dnsPorts.contains(PortQuery(53, proto)) {
                        compiled.dnsPorts.append(PortQuery(53, proto))
                    }
                }
            }
        }
        if !r.isDeny {
            // The allow's ports that carry no L7 rules: no `toPorts` at all (an L3-only allow, every port), or the
            // entries without `rules`.
            if let tp = r.toPorts?.value, !tp.isEmpty {
                let plain = tp.filter { !$0.hasL7Rules }
                if plain.contains(where: { $0.ports.isEmpty }) {
                    compiled.l4OnlyPorts = .any
                } else if !plain.isEmpty {
                    compiled.l4OnlyPorts = PortMatcher(plain.flatMap(\.ports), kubernetes: false)
                }
            } else if r.icmps == nil {
                compiled.l4OnlyPorts = .any
            }
        }
        return compiled
    }
}

/// The CiliumCIDRGroups of the repository (cluster-scoped, so one name space for all), for `cidrGroupRef` and
/// `cidrGroupSelector` (https://docs.cilium.io/en/stable/network/kubernetes/ciliumcidrgroup/).
public struct CIDRGroups: Sendable {
    /// Each group's CIDRs (nil: a `${var}` substitution or text that is not a CIDR).
    var byName: [String: [ParsedCIDR?]] = [:]
    var labels: [String: [String: String]] = [:]

    init() {}

    public init(objects: [KubeObject]) {
        for i in objects.indices where objects[i].kind == .ciliumCIDRGroup {
            let o = objects[i]
            guard let g = o.cidrGroup, let name = o.meta.name?.value else { continue }
            byName[name, default: []] += g.externalCIDRs.map(\.value.parsed)
            labels[name] = Dictionary(o.meta.labels.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The CIDRs of the groups whose labels a `cidrGroupSelector` matches.
    func selected(by selector: LabelSelector) -> [ParsedCIDR?] {
        labels.keys.sorted().filter { name in
            let l = labels[name] ?? [:]
            return selector.requirements.allSatisfy { r in Requirement(r).evaluate(l[r.rawKey.value]) }
        }.flatMap { byName[$0] ?? [] }
    }
}
