/// An allow without L7 rules that cancels the name restriction of a DNS rule for the same endpoint: Cilium merges the
/// rules of every policy selecting an endpoint (CNP, CCNP and NetworkPolicy alike) per port and protocol, and "If a
/// layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 rules is also specified, then the
/// layer 7 portions of the latter rule will have no effect" (https://docs.cilium.io/en/stable/security/policy/layer7/).
/// For DNS, the lookups still go through the DNS proxy (the port has DNS rules) but every name is allowed — so every
/// name is visible to `toFQDNs` (cilium/cilium `pkg/fqdn/dnsproxy`: a selector without L7 rules on a DNS port is
/// given the pattern `*`).
public struct DNSOpening: Sendable {
    /// The DNS rule whose names no longer restrict anything.
    public var dnsRule: RuleRef
    /// The allow with no L7 rules on the same port and peer.
    public var allow: RuleRef
    /// How surely (the policies' selection of the endpoint, a wider port entry, a peer not fixed).
    public var match: Tri
}

extension Semantics {
    /// Whether the allow `l4` is "a similar layer 4 rule" to the DNS rule `dns`: an egress allow with no L7 rules on
    /// port 53 with a protocol of the DNS entry, toward the peer the DNS rule names.
    /// Exactly port 53: yes. An allow of every port (no `toPorts`, a NetworkPolicy rule without `ports`), a range
    /// or a named port: maybe — Cilium keys such an allow apart from port 53, and whether it then wildcards the L7
    /// rules of port 53 has changed between versions. Same peer: the allow's peers admit every endpoint the DNS
    /// rule's peer stands for (its selector's labels taken as the pods' only labels, as NP302 does).
    public func cancels(_ l4: CompiledRule, dnsRuleOf dns: CompiledRule) -> Tri {
        guard l4.ref.direction == .egress, !l4.ref.isDeny, let ports = l4.l4OnlyPorts, !dns.dnsPorts.isEmpty else { return .no }
        var port = Tri.no
        for q in dns.dnsPorts where port != .yes { port = port || ports.holdsExactly(q) }
        guard port != .no else { return .no }
        return port && samePeer(l4, as: dns)
    }

    /// Whether `l4`'s peers take in the DNS server `dns` sends to. All of the DNS rule's peers: yes; some: maybe
    /// (which one the pods ask is not known).
    func samePeer(_ l4: CompiledRule, as dns: CompiledRule) -> Tri {
        if l4.anyPeer { return .yes }
        if l4.peers.isEmpty { return .no }
        // A DNS rule without a peer (port 53 to anyone): the pods' resolver is the cluster DNS, if known.
        if dns.anyPeer {
            let known = wellKnownEndpoints("dns").map { e -> Endpoint in
                var e = e
                e.podLabelsComplete = true
                return e
            }
            guard !known.isEmpty else { return .maybe }
            return known.reduce(Tri.yes) { $0 && Self.admits(l4, $1) }
        }
        var all = true, some = false
        for p in dns.peers {
            let t: Tri
            if l4.peers.contains(where: { $0.covers(p) }) {
                t = .yes
            } else {
                let reps = endpoints(standingFor: p)
                if reps.isEmpty {
                    // A peer kind the engine does not resolve (`toServices`): maybe the same as a selector's.
                    t = l4.peers.contains { if case .unresolved = $0 { true } else if case .selector = $0 { true } else { false } } ? .maybe : .no
                } else {
                    t = reps.reduce(Tri.yes) { $0 && Self.admits(l4, $1) }
                }
            }
            if t != .yes { all = false }
            if t != .no { some = true }
        }
        return all ? .yes : some ? .maybe : .no
    }

    /// Whether the allow's peers admit the endpoint as Cilium matches them: DNS rules exist only in Cilium, so a
    /// NetworkPolicy `ipBlock` beside them is enforced by Cilium, which never matches pods by address.
    static func admits(_ l4: CompiledRule, _ e: Endpoint) -> Tri {
        var t = Tri.no
        for p in l4.peers where t != .yes {
            if case .ipBlock(let c, let except, let span) = p {
                t = t || Peer.cidr(c, except: except, span).matches(e)
            } else {
                t = t || p.matches(e)
            }
        }
        return t
    }

    /// Endpoints a peer of a DNS rule stands for: the pods its selector's labels describe (those labels only), an
    /// entity, an address.
    func endpoints(standingFor p: Peer) -> [Endpoint] {
        switch p {
        case .selector(let s, _):
            if let reserved = s.reserved { return [.entity(reserved)] }
            return representatives(of: s, anyNamespace: true).map { e in
                var e = e
                e.podLabelsComplete = true
                return e
            }
        case .entity(let name, _):
            return ["all", "cluster", "none"].contains(name) ? [] : [.entity(name)]
        case .cidr(let c?, _, _), .ipBlock(let c?, _, _):
            return [.address(c, text: CIDRParser.format(c))]
        default:
            return []
        }
    }

    /// The allows among the subjects selecting an endpoint that cancel the DNS rule `dns` there.
    public func openings(of dns: CompiledRule, selecting: [(subject: Subject, match: Tri)]) -> [(rule: CompiledRule, match: Tri)] {
        guard dns.dnsVisibility != nil else { return [] }
        var out: [(rule: CompiledRule, match: Tri)] = []
        for (s, m) in selecting {
            for r in s.rules where r.l4OnlyPorts != nil && r.ref.direction == .egress && !r.ref.isDeny {
                let c = m && cancels(r, dnsRuleOf: dns)
                if c != .no { out.append((r, c)) }
            }
        }
        return out
    }
}
