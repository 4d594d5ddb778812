/// Observed Hubble flows beside what the repository's policies say about the same flow (docs/audit.md). A flow the
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
            let v = semantics.allowed(from: src, to: dst, port: port)
            let c = check(v)
            // Hubble reports a verdict per direction: a FORWARDED egress verdict says the source let it go, not that
            // the destination admitted it. Compare with the side Hubble observed when it observed only one.
            var repo = c.verdict
            var side: String?
            if g.directions == ["EGRESS"] { repo = AuditVerdict(v.egress.result); side = "egress at the source" }
            if g.directions == ["INGRESS"] { repo = AuditVerdict(v.ingress.result); side = "ingress at the destination" }
            var agrees: Bool?
            var reason = c.reason
            if let seen = Self.observedVerdict(g.verdict), repo != .conditional {
                agrees = seen == repo
                if agrees == false && reason == nil { reason = Self.explain(c) }
                if agrees == false, case .entity("host") = src.kind, dst.kind == .pod, seen == .allowed {
                    // Cilium admits the local node to its pods by default whatever the policies say.
                    agrees = nil
                    reason = "by default (--allow-localhost=auto) Cilium admits the local node (kubelet probes) whatever the policies say"
                }
            }
            if Self.observedVerdict(g.verdict) == nil { reason = "Hubble's verdict \(g.verdict) says neither allowed nor denied" }
            if let side, agrees != nil { reason = "compared with \(side), where Hubble observed it" + (reason.map { "; \($0)" } ?? "") }
            out.append(ObservedFlowResult(
                from: g.source.name, to: g.destination.name,
                port: g.port.map { "\($0)/\(g.proto)" } ?? g.proto, observed: g.verdict, count: g.count,
                repoVerdict: repo, agrees: agrees, dropReason: g.dropReason, reportedBy: g.policies,
                decidedBy: c.decidedBy, reason: reason))
        }
        return out
    }
}
