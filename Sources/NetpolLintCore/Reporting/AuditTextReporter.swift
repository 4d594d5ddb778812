/// The audit for a terminal: one line per row and capability with its status, the evidence indented under anything
/// that fails or is conditional, then the namespace matrix, coverage, undocumented flows, drift and observed flows.
public struct AuditTextReporter {
    public let report: AuditReport
    /// At most this many items per list (the JSON report has them all).
    public var limit = 50

    public init(report: AuditReport) { self.report = report }

    static func mark(_ s: AuditStatus) -> String {
        switch s {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .conditional: "COND"
        }
    }

    static func symbol(_ state: String) -> String {
        switch state {
        case "allowed": "✓"
        case "denied": "✗"
        case "conditional": "?"
        case "open": "○"
        default: "·"
        }
    }

    func evidence(_ list: [AuditEvidence], indent: String) -> String {
        var out = ""
        for e in list.prefix(8) {
            out += "\(indent)\(e.verb) by \(e.description)\(e.certain ? "" : " [not certain]")\n"
        }
        if list.count > 8 { out += "\(indent)... and \(list.count - 8) more\n" }
        return out
    }

    public func render() -> String {
        let r = report
        var out = ""
        let title = r.specName.map { "Audit of \(r.paths.joined(separator: " ")) against '\($0)' (\(r.specPath ?? ""))" }
            ?? "What \(r.paths.joined(separator: " ")) allows (no spec: pass --spec FILE to check a documented baseline)"
        out += title + "\n"
        if !r.matrix.isEmpty {
            out += "\nTraffic matrix\n"
            for m in r.matrix {
                out += "  \(Self.mark(m.status))  \(m.name): \(m.from) -> \(m.to) on \(m.port), expect \(m.expect.rawValue), \(m.verdict.rawValue)\n"
                if m.status != .pass {
                    if let reason = m.reason { out += "        \(reason)\n" }
                    out += evidence(m.decidedBy, indent: "        ")
                }
            }
        }
        if !r.capabilities.isEmpty {
            out += "\nCapabilities\n"
            for c in r.capabilities {
                let ports = c.ports.isEmpty ? "any port" : c.ports.joined(separator: ", ")
                out += "  \(Self.mark(c.status))  \(c.name): \(c.from) -> \(c.to) on \(ports), expect \(c.expect.rawValue) (\(c.checked + c.otherwiseChecked) pod pairs checked)\n"
                if let reason = c.reason, c.status != .pass { out += "        \(reason)\n" }
                for g in c.gaps.prefix(limit) {
                    let clause = g.clause == "otherwise" ? " (otherwise: deny)" : ""
                    out += "        gap\(clause): \(g.check.from) -> \(g.check.to) on \(g.check.port): \(g.check.verdict.rawValue)"
                    if let reason = g.check.reason {
                        out += " — \(reason)"
                    } else if let allow = g.check.decidedBy.first(where: { $0.effect == "allows" }) {
                        out += " — allowed by \(allow.description)"
                    }
                    out += "\n"
                }
                if c.gaps.count > limit { out += "        ... and \(c.gaps.count - limit) more gaps\n" }
            }
        }
        if !r.namespaces.isEmpty {
            out += "\nNamespaces (row: from, column: to; ✓ allowed  ✗ denied  ? conditional  ○ open, nothing enforced)\n"
            let names = r.namespaces.prefix(40)
            let width = min(24, names.map(\.count).max() ?? 0)
            for (i, ns) in names.enumerated() { out += "  [\(i + 1)] \(ns)\n" }
            out += "  " + "".padding(width) + " " + names.indices.map { String($0 + 1).padding(3) }.joined() + "\n"
            var cells: [String: String] = [:]
            for c in r.cells { cells[c.from + "\u{0}" + c.to] = c.state }
            for a in names {
                var line = "  " + String(a.prefix(width)).padding(width) + " "
                for b in names { line += (a == b ? "-" : Self.symbol(cells[a + "\u{0}" + b] ?? "")).padding(3) }
                out += line + "\n"
            }
            if r.namespaces.count > 40 { out += "  ... \(r.namespaces.count - 40) more namespaces in the JSON report\n" }
            out += "\nCoverage\n"
            for c in r.coverage {
                let metrics = c.metrics.map { "  metrics \($0.rawValue)" } ?? ""
                out += "  \(c.namespace)\(c.platform ? " (platform)" : ""): ingress enforced \(c.ingressEnforced), egress enforced \(c.egressEnforced)  dns \(c.dns.rawValue)  health \(c.health.rawValue)\(metrics)\n"
            }
        }
        out += "\n" + (r.specName == nil ? "Allowed cross-namespace flows" : "Undocumented flows") + " (\(r.undocumented.count)\(r.undocumentedTruncated ? ", incomplete" : ""))\n"
        if r.undocumented.isEmpty { out += "  none\n" }
        for u in r.undocumented.prefix(limit) {
            out += "  \(u.from) -> \(u.to) on \(u.port)\(u.verdict == .conditional ? " [conditional]" : "")\n"
            out += evidence(u.allowedBy, indent: "      ")
        }
        if r.undocumented.count > limit { out += "  ... and \(r.undocumented.count - limit) more in the JSON report\n" }
        if let drift = r.drift {
            out += "\nDrift against \(r.livePath ?? "the live export") (\(drift.count))\n"
            if drift.isEmpty { out += "  none: the cluster runs what the repository declares\n" }
            for d in drift.prefix(limit) {
                let qualified = (d.namespace.map { "\($0)/" } ?? "") + d.name
                let place = d.path.map { " (\($0):\(d.line ?? 1))" } ?? ""
                out += "  \(d.change.rawValue): \(d.kind) \(qualified)\(place)\n"
                if let m = d.message { out += "      \(m)\n" }
                for f in d.fields.prefix(10) { out += "      \(f.path): git \(f.git ?? "(absent)"), live \(f.live ?? "(absent)")\n" }
                if d.fields.count > 10 { out += "      ... and \(d.fields.count - 10) more fields\n" }
            }
        }
        if let flows = r.flows {
            let st = r.flowStatistics
            out += "\nObserved flows from \(r.flowsPath ?? "the flows file") (\(flows.count) groups from \(st.used) of \(st.lines) lines)\n"
            for f in flows.sorted(by: { ($0.agrees == false ? 0 : 1) < ($1.agrees == false ? 0 : 1) }).prefix(limit) {
                let agree = f.agrees.map { $0 ? "agrees" : "DISAGREES" } ?? "undecided"
                out += "  \(agree): \(f.from) -> \(f.to) on \(f.port): observed \(f.observed) ×\(f.count), repository \(f.repoVerdict.rawValue)\n"
                if f.agrees != true, let reason = f.reason { out += "      \(reason)\n" }
                if f.agrees == false { out += evidence(f.decidedBy, indent: "      ") }
            }
            if flows.count > limit { out += "  ... and \(flows.count - limit) more in the JSON report\n" }
            for (reason, n) in st.skipped.sorted(by: { $0.key < $1.key }) { out += "  skipped \(n) line\(n == 1 ? "" : "s"): \(reason)\n" }
        }
        let f = r.findings
        out += "\nFindings of check: \(f.errors) errors, \(f.warnings) warnings, \(f.notes) notes"
        if !f.byRule.isEmpty { out += " (" + f.byRule.prefix(5).map { "\($0.rule) \($0.name) ×\($0.count)" }.joined(separator: ", ") + ")" }
        out += "\n"
        for n in r.notes { out += "note: \(n)\n" }
        let s = r.summary
        out += "\n\(r.passed ? "PASSED" : "NOT PASSED"): \(s.pass) pass, \(s.fail) fail, \(s.conditional) conditional; \(s.undocumented) undocumented flows"
        if r.drift != nil { out += "; \(s.drift) drift" }
        if r.flows != nil { out += "; \(s.flowsDisagreeing) observed flows disagree" }
        out += "\n"
        return out
    }
}
