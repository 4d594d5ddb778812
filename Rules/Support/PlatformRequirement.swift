import NetpolLintCore

/// One traffic requirement every platform namespace's pods must meet (docs/conventions/homelab-profiles.md, required rules of platform policies): DNS, health
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
        "effective: satisfied when the repository's policies together allow the traffic (a baseline CCNP counts); explicit: that, and the namespace's own CiliumNetworkPolicy must allow it too (as the `homelab-profiles` convention words it)")

    static func explicit(_ context: LintContext, _ rule: RuleDescription) -> Bool {
        context.parameters(rule)["mode"]?.string == "explicit"
    }

    /// The platform namespaces the repository shows (declared, or holding a CNP), with where to report: their
    /// CNP (preferring one that selects the whole namespace), else their Namespace object.
    static func platformNamespaces(_ context: LintContext) -> [(name: String, anchor: Span, object: Int)] {
        let convention = Convention.of(context)
        var cnp: [String: (Int, Bool)] = [:]
        for (i, _, p) in context.ciliumPolicies where !p.isClusterwide {
            for ns in context.namespaces(of: i) where convention.isPlatform(ns) {
                let wholeNamespace = p.rules.contains { $0.endpointSelector?.isEmpty ?? false }
                if let existing = cnp[ns], existing.1 || !wholeNamespace { continue }
                cnp[ns] = (i, wholeNamespace)
            }
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
            var onlyExplicit = true
            for flow in flows {
                for port in flow.ports {
                    if let why = gap(semantics, namespace: ns, flow: flow, port: port, explicit: explicit, context: context) {
                        missing.append("\(flow.direction == .egress ? "to" : "from") \(flow.peers.map(\.name).joined(separator: " or ")) on \(port)")
                        for r in why.related where !related.contains(r) { related.append(r) }
                        onlyExplicit = onlyExplicit && why.onlyExplicit
                    }
                }
            }
            guard !missing.isEmpty else { continue }
            let how = onlyExplicit ? "its own CiliumNetworkPolicy states no rule for traffic" : "its policies allow no traffic"
            out.append(Finding("platform namespace '\(ns)' lacks \(what): \(how) \(missing.joined(separator: "; "))",
                               at: anchor, object: object, related: Array(related.prefix(8))))
        }
        return out
    }

    /// Why the namespace's pods miss the flow on this port (the rules that decide), or nil when it is (or may be)
    /// met. Only the platform pods' own side is judged — their egress for DNS and HBONE out, their ingress for
    /// probes, scrapes and HBONE in: that is what the namespace's CNP can fix. A refusal at the other end (kube-dns'
    /// ingress, Prometheus' egress) belongs to NP210 at the rule that allows the flow. `explicit` also wants the
    /// namespace's own CNP to allow the flow.
    func gap(_ semantics: Semantics, namespace: String, flow: Flow, port: PortQuery, explicit: Bool,
             context: LintContext) -> (related: [RelatedLocation], onlyExplicit: Bool)? {
        let own: (Subject) -> Bool = { s in
            context.objects[s.object].kind == .ciliumNetworkPolicy && context.namespaces(of: s.object).contains(namespace)
        }
        for pod in semantics.pods(in: namespace) {
            var decided: [RelatedLocation] = []
            var met = false
            var onlyExplicit = true
            for peer in flow.peers {
                let v = semantics.evaluate(flow.direction, at: pod, peer: peer, port: port)
                var ok = v.result != .no
                if ok && explicit {
                    let mine = semantics.evaluate(flow.direction, at: pod, peer: peer, port: port, only: own)
                    ok = mine.allows.contains { $0.match != .no }
                    if !ok {
                        decided.append(contentsOf: mine.enforcedBy.prefix(1).map { s, _ in
                            RelatedLocation(context.objects[s.object].anchor, "\(context.objects[s.object].displayName) states no such rule (mode: explicit)")
                        })
                    }
                }
                if ok { met = true; break }
                if v.result == .no { onlyExplicit = false }
                for (r, m) in v.denies where m == .yes {
                    decided.append(RelatedLocation(r.ref.span, "denied by \(context.objects[r.ref.object].displayName) \(r.ref.path)"))
                }
                for (s, m) in v.enforcedBy where m == .yes {
                    let o = context.objects[s.object]
                    decided.append(RelatedLocation(o.anchor, "\(v.direction.rawValue) at \(v.endpoint) is enforced by \(o.displayName), which allows no such traffic"))
                }
            }
            if !met { return (decided, onlyExplicit) }
        }
        return nil
    }
}
