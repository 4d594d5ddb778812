/// Observed Hubble flows beside what the repository's policies say about the same flow (DESIGN §8, FR24). A flow the
/// cluster forwarded but the repository would drop, or the reverse, is drift the objects alone do not show.
extension AuditEngine {
    /// How Hubble's verdict reads as an allow/deny: FORWARDED and REDIRECTED (to the L7 proxy, allowed at L3/L4)
    /// are allowed, DROPPED (a policy drop) and AUDIT ("would be denied") are denied; anything else says nothing.
    static func observedVerdict(_ v: String) -> AuditVerdict? {
        switch v {
        case "FORWARDED", "REDIRECTED": .allowed
        case "DROPPED", "AUDIT": .denied
        default: nil
        }
    }

    /// The endpoint the engine asks about for one side of an observed flow: Hubble's identity labels are all the
    /// pod's labels, and its namespace labels all the namespace's (when Hubble reports them).
    func endpoint(_ h: HubbleEndpoint) -> Endpoint {
        switch h.kind {
        case .entity(let e):
            var x = Endpoint.entity(e)
            x.name = h.name
            return x
        case .world:
            if let a = h.address, let cidr = CIDRParser.parse(a) { return .address(cidr, text: a) }
            return .world
        case .pod:
            let ns = h.namespace ?? ""
            let declared = semantics.inventory.namespaces[ns]
            var nsLabels = declared?.effectiveLabels ?? [:]
            for (k, v) in h.namespaceLabels { nsLabels[k] = v }
            var e = Endpoint(namespace: ns, namespaceLabels: nsLabels,
                             namespaceLabelsComplete: !h.namespaceLabels.isEmpty || (declared?.labelsComplete ?? true),
                             podLabels: h.podLabels, podLabelsComplete: true, serviceAccount: h.serviceAccount)
            e.name = h.name
            return e
        }
    }

    /// Each observed group with the repository's verdict and whether they agree.
    public func observed(_ groups: [HubbleFlowGroup]) -> [ObservedFlowResult] {
        var out: [ObservedFlowResult] = []
        for g in groups {
            let proto = g.proto.hasPrefix("ICMP") ? "ICMP" : g.proto
            let port = PortQuery(g.port.flatMap { $0 > 0 ? $0 : nil }, proto)
            let src = endpoint(g.source), dst = endpoint(g.destination)
            let c = check(semantics.allowed(from: src, to: dst, port: port))
            var agrees: Bool?
            var reason = c.reason
            if let seen = Self.observedVerdict(g.verdict), c.verdict != .conditional {
                agrees = seen == c.verdict
                if agrees == false, case .entity("host") = src.kind, dst.kind == .pod, seen == .allowed {
                    // Cilium admits the local node to its pods by default whatever the policies say.
                    agrees = nil
                    reason = "by default (--allow-localhost=auto) Cilium admits the local node (kubelet probes) whatever the policies say"
                }
            }
            if Self.observedVerdict(g.verdict) == nil { reason = "Hubble's verdict \(g.verdict) says neither allowed nor denied" }
            out.append(ObservedFlowResult(
                from: g.source.name, to: g.destination.name,
                port: g.port.map { "\($0)/\(g.proto)" } ?? g.proto, observed: g.verdict, count: g.count,
                repoVerdict: c.verdict, agrees: agrees, dropReason: g.dropReason, reportedBy: g.policies,
                decidedBy: c.decidedBy, reason: agrees == false ? (reason ?? Self.explain(c)) : reason))
        }
        return out
    }
}
