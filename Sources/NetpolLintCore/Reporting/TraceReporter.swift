/// Renders the answer of `netpol-lint trace`: the verdict, then egress at the source and ingress at the destination
/// with the rules that decide each (docs/semantics.md).
public struct TraceReporter {
    public let context: LintContext
    public let semantics: Semantics

    public init(context: LintContext, semantics: Semantics) {
        self.context = context
        self.semantics = semantics
    }

    /// ALLOWED, DENIED, or CONDITIONAL when the answer depends on something the repository does not fix (a named
    /// port, an FQDN, a `${var}`).
    public static func word(_ t: Tri) -> String {
        switch t {
        case .yes: "ALLOWED"
        case .no: "DENIED"
        case .maybe: "CONDITIONAL"
        }
    }

    /// Things the reader should know: namespaces assumed, policies left out.
    public func notes(_ v: Verdict) -> [String] {
        var out: [String] = []
        for e in [v.source, v.destination] where e.kind == .pod {
            if let ns = e.namespace, semantics.inventory.namespaces[ns] == nil {
                out.append("namespace '\(ns)' is not declared in the repository: its only label is taken to be kubernetes.io/metadata.name=\(ns)")
            }
        }
        if case .dnsName(let name) = v.destination.kind, let visibility = v.egress.dnsVisibility, !v.egress.dnsOpenings.isEmpty, visibility != .no {
            // Visible through an allow without L7 rules that cancels a DNS rule's restriction.
            for o in v.egress.dnsOpenings {
                out.append("'\(name)' is visible to Cilium's DNS proxy because \(describe(o.allow)) allows the same port and peer without L7 rules, "
                    + "which cancels the DNS restriction of \(describe(o.dnsRule)) — Cilium merges the rules of every policy selecting the source, "
                    + "and the layer 7 part of a rule has no effect beside a similar layer 4 rule\(Self.hedge(o.match))")
            }
        } else if case .dnsName(let name) = v.destination.kind, let visibility = v.egress.dnsVisibility {
            switch visibility {
            case .no:
                out.append("no egress rule with `rules: dns` on port 53 covers '\(name)' for the source: Cilium never learns its addresses, so toFQDNs rules cannot allow it (NP302)")
            case .maybe:
                out.append("a DNS rule covering '\(name)' applies to the source only if its pods carry the labels that rule selects: toFQDNs allows depend on it (NP302)")
            case .yes:
                break
            }
        }
        // A cidrGroupRef to a CiliumCIDRGroup the repository does not define: its addresses are unknown.
        var missing: [String] = []
        for d in [v.egress, v.ingress] {
            for (r, _) in d.allows + d.denies { missing += r.missingCIDRGroups.filter { !missing.contains($0) } }
        }
        for name in missing {
            out.append("CiliumCIDRGroup '\(name)' (cidrGroupRef) is not defined in the repository: its CIDRs are unknown, so rules naming it match only maybe")
        }
        if case .entity("host") = v.source.kind, v.destination.kind == .pod, v.ingress.result != .yes {
            out.append("by default (`--allow-localhost=auto`) Cilium admits traffic from the local node to its own pods whatever the policy; this verdict is what the policies say, as with `--allow-localhost=policy` (Cilium agent option `allow-localhost`)")
        }
        if !semantics.unresolvedPolicies.isEmpty {
            out.append("\(policies(semantics.unresolvedPolicies)) left out because their namespace could not be resolved: \(listed(semantics.unresolvedPolicies))")
        }
        if !semantics.rejectedPolicies.isEmpty {
            out.append("\(policies(semantics.rejectedPolicies)) left out because the Cilium agent rejects them (NP104): \(listed(semantics.rejectedPolicies))")
        }
        return out
    }

    /// `2 policies`.
    func policies(_ objects: [Int]) -> String { "\(objects.count) polic\(objects.count == 1 ? "y" : "ies")" }

    /// The first three objects with their places.
    func listed(_ objects: [Int]) -> String {
        objects.prefix(3).map { "\(context.objects[$0].displayName) (\(location(context.objects[$0].anchor)))" }.joined(separator: ", ")
            + (objects.count > 3 ? ", ..." : "")
    }

    func location(_ span: Span) -> String { "\(context.path(of: span)):\(span.line)" }

    func describe(_ ref: RuleRef) -> String {
        "\(context.objects[ref.object].displayName) \(ref.path) (\(location(ref.span)))"
    }

    func describe(_ s: Subject) -> String {
        "\(context.objects[s.object].displayName) (\(location(context.objects[s.object].anchor)))"
    }

    static func hedge(_ t: Tri) -> String { t == .maybe ? " [not certain: depends on labels, ports or addresses the repository does not fix]" : "" }

    public func text(_ v: Verdict) -> String {
        var out = "\(Self.word(v.result))  \(v.source) -> \(v.destination) on \(v.port)\n"
        for d in [v.egress, v.ingress] {
            let at = d.direction == .egress ? "egress at the source" : "ingress at the destination"
            out += "\n\(at) \(d.endpoint): "
            switch d.enforced {
            case .no where d.endpoint.kind != .pod && d.enforcedBy.isEmpty: out += "not enforced (not a pod: no policy selects it)"
            case .no: out += "not enforced (no policy selecting it has \(d.direction.rawValue) rules)"
            case .yes, .maybe: out += "enforced\(Self.hedge(d.enforced))"
            }
            out += "\n"
            for (s, m) in d.enforcedBy { out += "  enforced by \(describe(s))\(Self.hedge(m))\n" }
            for (r, m) in d.allows { out += "  allowed by \(describe(r.ref))\(Self.hedge(m))\n" }
            for (r, m) in d.denies { out += "  denied by \(describe(r.ref))\(Self.hedge(m))\n" }
            if d.enforced != .no && d.allows.isEmpty { out += "  no rule allows it\n" }
            if d.result == .no {
                for n in nearMisses(d, v) { out += "  near miss: \(describe(n.rule)) \(n.reason)\n" }
            }
            out += "  => \(Self.word(d.result).lowercased())\n"
        }
        let notes = notes(v)
        if !notes.isEmpty { out += "\n" + notes.map { "note: \($0)\n" }.joined() }
        return out
    }

    /// Near misses of a refused direction (egress at the source toward the destination, ingress at the destination
    /// from the source).
    func nearMisses(_ d: DirectionVerdict, _ v: Verdict) -> [Semantics.NearMiss] {
        semantics.nearMisses(d.direction, at: d.endpoint, peer: d.direction == .egress ? v.destination : v.source, port: v.port)
    }

    func json(_ ref: RuleRef, _ m: Tri) -> JSON {
        let o = context.objects[ref.object]
        return .object([
            ("policy", .string(o.name)), ("kind", .string(o.kind.rawValue)),
            ("namespace", semantics.inventory.namespace(of: ref.object).map(JSON.string) ?? .null),
            ("rule", .string(ref.path)), ("file", .string(context.path(of: ref.span))), ("line", .int(Int(ref.span.line))),
            ("certain", .bool(m == .yes)),
        ])
    }

    public func json(_ v: Verdict) -> JSON {
        func tri(_ t: Tri) -> JSON { .string(t == .yes ? "yes" : t == .no ? "no" : "conditional") }
        func direction(_ d: DirectionVerdict) -> JSON {
            .object([
                ("endpoint", .string(d.endpoint.name)),
                ("enforced", tri(d.enforced)),
                ("enforcedBy", .array(d.enforcedBy.map { s, m in
                    let o = context.objects[s.object]
                    return .object([("policy", .string(o.name)), ("kind", .string(o.kind.rawValue)),
                                    ("namespace", semantics.inventory.namespace(of: s.object).map(JSON.string) ?? .null),
                                    ("file", .string(context.path(of: o.anchor))), ("line", .int(Int(o.anchor.line))),
                                    ("certain", .bool(m == .yes))])
                })),
                ("allowedBy", .array(d.allows.map { json($0.rule.ref, $0.match) })),
                ("deniedBy", .array(d.denies.map { json($0.rule.ref, $0.match) })),
                ("allowed", tri(d.result)),
                ("nearMisses", .array(d.result == .no ? nearMisses(d, v).map { n in
                    var o = json(n.rule, .yes)
                    if case .object(var pairs) = o {
                        pairs.removeAll { $0.0 == "certain" }
                        pairs.append(("reason", .string(n.reason)))
                        o = .object(pairs)
                    }
                    return o
                } : [])),
            ])
        }
        return .object([
            ("schemaVersion", .int(1)),
            ("tool", .object([("name", .string("netpol-lint")), ("version", .string(NetpolLint.version))])),
            ("verdict", .string(Self.word(v.result))),
            ("source", .string(v.source.name)), ("destination", .string(v.destination.name)),
            ("port", .string(v.port.description)),
            ("egress", direction(v.egress)), ("ingress", direction(v.ingress)),
            ("notes", .array(notes(v).map(JSON.string))),
        ])
    }
}
