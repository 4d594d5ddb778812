import NetpolLintCore

/// One traffic requirement every platform namespace's pods must meet (seed 001, "Required Rules"): DNS, health
/// probes, Prometheus scraping, HBONE. NP206–NP209 each declare one and share this check.
struct PlatformRequirement {
    /// A connection to check: the direction seen from the platform pods, the peer and the ports.
    struct Flow {
        var direction: Direction
        var peers: [Endpoint]
        var ports: [PortQuery]
    }

    /// `DNS egress to kube-dns`.
    var what: String
    var flows: [Flow]

    /// `mode: effective` (any policy may provide it) or `explicit` (the namespace's own CNP must state it).
    static let modeParameter = RuleParameter(
        "mode", .choice(["effective", "explicit"]), default: "effective",
        "effective: satisfied when the repository's policies together allow the traffic (a baseline CCNP counts); explicit: the namespace's own CiliumNetworkPolicy must allow it (seed 001's wording)")

    static func explicit(_ context: LintContext, _ rule: RuleDescription) -> Bool {
        context.parameters(rule)["mode"]?.string == "explicit"
    }

    /// The platform namespaces the repository shows (declared, or holding a CNP), with where to report: their
    /// CNP (preferring one that selects the whole namespace), else their Namespace object.
    static func platformNamespaces(_ context: LintContext) -> [(name: String, anchor: Span, object: Int)] {
        let convention = Convention.of(context)
        var cnp: [String: (Int, Bool)] = [:]
        for (i, _, p) in context.ciliumPolicies where !p.isClusterwide {
            guard let ns = context.namespace(of: i), convention.isPlatform(ns) else { continue }
            let wholeNamespace = p.rules.contains { $0.endpointSelector?.isEmpty ?? false }
            if let existing = cnp[ns], existing.1 || !wholeNamespace { continue }
            cnp[ns] = (i, wholeNamespace)
        }
        var out: [(String, Span, Int)] = []
        for ns in convention.platformNamespaces.sorted() {
            if let (i, _) = cnp[ns] {
                out.append((ns, context.objects[i].anchor, i))
            } else if let declared = context.inventory.namespaces[ns] {
                out.append((ns, context.objects[declared.object].anchor, declared.object))
            }
        }
        return out
    }

    /// Findings for every platform namespace whose pods miss this requirement.
    func check(_ context: LintContext, rule: RuleDescription, only namespaces: ((String) -> Bool)? = nil) -> [Finding] {
        let semantics = Convention.semantics(context)
        let explicit = Self.explicit(context, rule)
        var out: [Finding] = []
        for (ns, anchor, object) in Self.platformNamespaces(context) where namespaces?(ns) ?? true {
            var missing: [String] = []
            var related: [RelatedLocation] = []
            for flow in flows {
                for port in flow.ports {
                    if let why = gap(semantics, namespace: ns, flow: flow, port: port, explicit: explicit, context: context) {
                        missing.append("\(flow.direction == .egress ? "to" : "from") \(flow.peers.map(\.name).joined(separator: " or ")) on \(port.port == nil ? "any port" : port.description)")
                        for r in why where !related.contains(r) { related.append(r) }
                    }
                }
            }
            guard !missing.isEmpty else { continue }
            let how = explicit ? "no rule of its own CiliumNetworkPolicy allows traffic" : "its pods cannot send or receive traffic"
            out.append(Finding("platform namespace '\(ns)' lacks \(what): \(how) \(missing.joined(separator: "; "))",
                               at: anchor, object: object, related: Array(related.prefix(8))))
        }
        return out
    }

    /// Why the namespace's pods miss the flow on this port (the rules that decide), or nil when it is (or may be) met.
    func gap(_ semantics: Semantics, namespace: String, flow: Flow, port: PortQuery, explicit: Bool,
             context: LintContext) -> [RelatedLocation]? {
        for pod in semantics.pods(in: namespace) {
            var decided: [RelatedLocation] = []
            var met = false
            for peer in flow.peers {
                if explicit {
                    let own: (Subject) -> Bool = { s in
                        context.objects[s.object].kind == .ciliumNetworkPolicy && context.namespace(of: s.object) == namespace
                    }
                    let v = semantics.evaluate(flow.direction, at: pod, peer: peer, port: port, only: own)
                    if v.allows.contains(where: { $0.match != .no }) && !v.denies.contains(where: { $0.match == .yes }) { met = true }
                } else {
                    let v = flow.direction == .egress
                        ? semantics.allowed(from: pod, to: peer, port: port)
                        : semantics.allowed(from: peer, to: pod, port: port)
                    if v.result != .no { met = true }
                    for d in [v.egress, v.ingress] where d.result == .no {
                        for (r, m) in d.denies where m == .yes {
                            decided.append(RelatedLocation(r.ref.span, "denied by \(context.objects[r.ref.object].displayName) \(r.ref.path)"))
                        }
                        for (s, m) in d.enforcedBy where m == .yes {
                            let o = context.objects[s.object]
                            decided.append(RelatedLocation(o.anchor, "\(d.direction.rawValue) at \(d.endpoint) is enforced by \(o.displayName), which allows no such traffic"))
                        }
                    }
                }
                if met { break }
            }
            if !met { return decided }
        }
        return nil
    }
}
