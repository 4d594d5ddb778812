/// Renders an `AuditReport` as GitHub-flavoured markdown (docs/audit.md): a summary line first, then the traffic
/// matrix, capabilities, the namespace × namespace matrix (table and mermaid graph), coverage, undocumented flows,
/// drift, observed flows, findings and notes. Evidence folds into `<details>` blocks so the page reads at a glance.
///
/// Every string taken from the report comes from a repository, a cluster export or a flows file, so none is trusted:
/// text is backslash-escaped for markdown (pipes included, so tables keep their columns) with `&`, `<` and `>` as
/// entities (no raw HTML survives), raw-HTML summaries are entity-escaped, and mermaid nodes get generated ids and
/// quoted, entity-coded labels.
public struct AuditMarkdownReporter {
    public let report: AuditReport

    /// At most this many undocumented flows are listed (the JSON report has them all).
    public static let undocumentedLimit = 200
    /// At most this many edges are drawn in the mermaid graph of namespaces.
    public static let edgeLimit = 60
    /// At most this many checks or gaps are listed under one row or capability.
    public static let detailLimit = 100

    public init(report: AuditReport) {
        self.report = report
    }

    public func render() -> String {
        var out = "# Network audit: \(Self.inline(report.specName ?? "repository without a spec"))\n\n"
        out += summaryLine() + "\n\n"
        out += context()
        out += "**Legend:** " + AuditPresentation.legend.map { "\($0.symbol) \($0.meaning)" }.joined(separator: " · ") + "\n\n"
        out += matrixSection()
        out += capabilitiesSection()
        out += namespaceSection()
        out += coverageSection()
        out += undocumentedSection()
        out += driftSection()
        out += flowsSection()
        out += findingsSection()
        out += notesSection()
        return out
    }

    // MARK: - Sections

    /// `**❌ Audit failed** — ✅ 4 pass · ❌ 2 fail · ...`.
    func summaryLine() -> String {
        let s = report.summary
        var parts = ["✅ \(s.pass) pass", "❌ \(s.fail) fail", "⚠️ \(s.conditional) conditional",
                     AuditPresentation.count(s.undocumented, "undocumented flow")]
        if report.drift != nil {
            parts.append(s.drift == 0 ? "✅ no drift" : "❌ " + AuditPresentation.count(s.drift, "drift entry", "drift entries"))
        }
        if report.flows != nil {
            parts.append(s.flowsDisagreeing == 0 ? "✅ observed flows agree"
                         : "❌ " + AuditPresentation.count(s.flowsDisagreeing, "disagreeing observed flow"))
        }
        return (report.passed ? "**✅ Audit passed**" : "**❌ Audit failed**") + " — " + parts.joined(separator: " · ")
    }

    /// What was audited: spec, paths, preset, live export and flows file.
    func context() -> String {
        var lines: [String] = []
        if let spec = report.specPath { lines.append("- Spec: \(Self.code(spec))") }
        if !report.paths.isEmpty { lines.append("- Paths: " + report.paths.map { Self.code($0) }.joined(separator: ", ")) }
        if let preset = report.preset { lines.append("- Preset: \(Self.code(preset))") }
        if let live = report.livePath { lines.append("- Live cluster export: \(Self.code(live))") }
        if let flows = report.flowsPath { lines.append("- Observed flows: \(Self.code(flows))") }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n\n"
    }

    func matrixSection() -> String {
        var out = "## Traffic matrix\n\n"
        guard !report.matrix.isEmpty else { return out + "None: the spec documents no matrix rows.\n\n" }
        out += Self.table(["status", "name", "from", "to", "port", "expect", "verdict"], report.matrix.map { row in
            [AuditPresentation.status(row.status), "**\(Self.inline(row.name, cell: true))**", Self.inline(row.from, cell: true),
             Self.inline(row.to, cell: true), Self.inline(row.port, cell: true), row.expect.rawValue,
             AuditPresentation.verdict(row.verdict)]
        })
        for row in report.matrix where row.status != .pass {
            out += Self.details(summary: "\(AuditPresentation.statusSymbol(row.status)) \(row.name): expected \(row.expect.rawValue), the policies say \(row.verdict.rawValue)",
                                body: rowBody(row))
        }
        let passing = report.matrix.filter { $0.status == .pass }
        if !passing.isEmpty {
            var body = ""
            for row in passing {
                body += "**\(Self.inline(row.name))** (\(specLocation(row.specLine, row.specPath))): \(AuditPresentation.verdict(row.verdict))\n\n"
                body += evidenceList(row.decidedBy)
            }
            out += Self.details(summary: "Evidence for \(AuditPresentation.count(passing.count, "passing row"))", body: body)
        }
        return out
    }

    func rowBody(_ row: MatrixResult) -> String {
        var body = "**\(Self.inline(row.name))** (\(specLocation(row.specLine, row.specPath))): \(Self.inline(row.from)) → \(Self.inline(row.to)) on \(Self.inline(row.port))\n\n"
        if let reason = row.reason { body += "**Why:** \(Self.inline(reason))\n\n" }
        body += "**Decided by:**\n\n" + evidenceList(row.decidedBy)
        if !row.checks.isEmpty {
            body += "**Checks** (\(row.checks.count)):\n\n"
            body += checksTable(Array(row.checks.prefix(Self.detailLimit)))
            if row.checks.count > Self.detailLimit {
                body += "\(row.checks.count - Self.detailLimit) more checks in the JSON report.\n\n"
            }
        }
        return body
    }

    func checksTable(_ checks: [AuditCheck]) -> String {
        Self.table(["from", "to", "port", "verdict", "reason", "decided by"], checks.map { c in
            [Self.inline(c.from, cell: true), Self.inline(c.to, cell: true), Self.inline(c.port, cell: true),
             AuditPresentation.verdict(c.verdict), Self.inline(c.reason ?? "", cell: true), evidenceCell(c.decidedBy)]
        })
    }

    func capabilitiesSection() -> String {
        var out = "## Capabilities\n\n"
        guard !report.capabilities.isEmpty else { return out + "None: the spec documents no capabilities.\n\n" }
        out += Self.table(["status", "name", "from", "to", "ports", "expect", "checked", "gaps"], report.capabilities.map { c in
            let checked = c.otherwiseChecked > 0 ? "\(c.checked) + \(c.otherwiseChecked) otherwise" : "\(c.checked)"
            return [AuditPresentation.status(c.status), "**\(Self.inline(c.name, cell: true))**", Self.inline(c.from, cell: true),
                    Self.inline(c.to, cell: true), Self.inline(c.ports.joined(separator: ", "), cell: true), c.expect.rawValue,
                    checked, "\(c.gaps.count)"]
        })
        for c in report.capabilities where !c.gaps.isEmpty || c.reason != nil || c.status != .pass {
            var body = "**\(Self.inline(c.name))** (\(specLocation(c.specLine))): \(Self.inline(c.from)) → \(Self.inline(c.to)) on "
                + "\(Self.inline(c.ports.joined(separator: ", "))), expect \(c.expect.rawValue); "
                + "\(AuditPresentation.count(c.checked, "pair")) checked"
                + (c.otherwiseChecked > 0 ? ", \(c.otherwiseChecked) outside `from` that `otherwise: deny` must refuse" : "")
                + "\n\n"
            if let d = c.description { body += "\(Self.inline(d))\n\n" }
            if let reason = c.reason { body += "**Why:** \(Self.inline(reason))\n\n" }
            if c.gaps.isEmpty { body += "No gaps.\n\n" }
            for group in AuditPresentation.gapGroups(Array(c.gaps.prefix(Self.detailLimit))) {
                body += "**\(Self.inline(group.label))** (\(AuditPresentation.count(group.gaps.count, "gap"))):\n\n"
                body += Self.table(["workload", "clause", "from", "to", "port", "verdict", "reason", "decided by"], group.gaps.map { g in
                    [Self.inline(g.workload ?? "(undeclared pods)", cell: true), Self.inline(g.clause, cell: true),
                     Self.inline(g.check.from, cell: true), Self.inline(g.check.to, cell: true), Self.inline(g.check.port, cell: true),
                     AuditPresentation.verdict(g.verdict), Self.inline(g.check.reason ?? "", cell: true), evidenceCell(g.check.decidedBy)]
                })
            }
            if c.gaps.count > Self.detailLimit { body += "\(c.gaps.count - Self.detailLimit) more gaps in the JSON report.\n\n" }
            out += Self.details(summary: "\(AuditPresentation.statusSymbol(c.status)) \(c.name): \(AuditPresentation.count(c.gaps.count, "gap")) of \(c.checked + c.otherwiseChecked)",
                                body: body)
        }
        return out
    }

    func namespaceSection() -> String {
        let names = AuditPresentation.namespaces(report)
        guard !names.isEmpty else { return "" }
        var out = "## Namespace matrix\n\nWhat the repository's policies allow from each namespace (rows) to each namespace (columns).\n\n"
        let cells = AuditPresentation.cellIndex(report)
        out += Self.table(["from \\\\ to"] + names.map { "**\(Self.inline($0, cell: true))**" }, names.map { from in
            ["**\(Self.inline(from, cell: true))**"] + names.map { to in
                guard let cell = cells[AuditPresentation.Pair(from: from, to: to)] else { return "—" }
                let ports = AuditPresentation.ports(cell)
                return AuditPresentation.stateSymbol(cell.state) + (ports.isEmpty ? "" : " " + Self.inline(ports, cell: true))
            }
        })
        // The graph: one edge per allowed or conditional cell between two different namespaces.
        let edges = report.cells.filter { ($0.state == "allowed" || $0.state == "conditional") && $0.from != $0.to }
        guard !edges.isEmpty else { return out + "No cross-namespace flow is allowed, so there is no graph.\n\n" }
        var ids: [String: String] = [:]
        for name in names + report.cells.flatMap({ [$0.from, $0.to] }) where ids[name] == nil { ids[name] = "ns\(ids.count)" }
        var graph = "```mermaid\ngraph LR\n"
        var declared = Set<String>()
        for e in edges.prefix(Self.edgeLimit) {
            for n in [e.from, e.to] where declared.insert(n).inserted {
                graph += "  \(ids[n]!)[\"\(Self.mermaid(n))\"]\n"
            }
        }
        for e in edges.prefix(Self.edgeLimit) {
            let label = AuditPresentation.ports(e)
            let arrow = e.state == "conditional" ? "-.->" : "-->"
            graph += "  \(ids[e.from]!) \(arrow)" + (label.isEmpty ? " " : "|\"\(Self.mermaid(label))\"| ") + "\(ids[e.to]!)\n"
        }
        graph += "```\n\n"
        out += graph
        out += "Solid edges are allowed, dotted edges conditional; flows inside a namespace and namespaces left open are in the table only."
        if edges.count > Self.edgeLimit {
            out += " The graph shows the first \(Self.edgeLimit) of \(edges.count) edges; the table has them all."
        }
        return out + "\n\n"
    }

    func coverageSection() -> String {
        guard !report.coverage.isEmpty else { return "" }
        return "## Coverage\n\n" + Self.table(
            ["namespace", "platform", "ingress enforced", "egress enforced", "DNS", "health probes", "metrics", "workloads"],
            report.coverage.map { c in
                [Self.inline(c.namespace, cell: true), c.platform ? "yes" : "no", Self.inline(c.ingressEnforced, cell: true),
                 Self.inline(c.egressEnforced, cell: true), AuditPresentation.verdict(c.dns), AuditPresentation.verdict(c.health),
                 c.metrics.map(AuditPresentation.verdict) ?? "— (no Prometheus named)", "\(c.workloads)"]
            })
    }

    func undocumentedSection() -> String {
        var out = "## Undocumented flows\n\nAllowed cross-namespace flows that no matrix row or capability documents.\n\n"
        if report.undocumentedTruncated {
            out += "⚠️ The flow enumeration stopped at its budget: this list is incomplete.\n\n"
        }
        guard !report.undocumented.isEmpty else { return out + "None.\n\n" }
        out += Self.table(["verdict", "from", "to", "port", "allowed by"], report.undocumented.prefix(Self.undocumentedLimit).map { f in
            [AuditPresentation.verdict(f.verdict), Self.inline(f.from, cell: true), Self.inline(f.to, cell: true),
             Self.inline(f.port, cell: true), evidenceCell(f.allowedBy)]
        })
        if report.undocumented.count > Self.undocumentedLimit {
            out += "\(report.undocumented.count - Self.undocumentedLimit) more in the JSON report.\n\n"
        }
        return out
    }

    func driftSection() -> String {
        guard let drift = report.drift else { return "" }
        var out = "## Drift\n\n"
        if let live = report.livePath { out += "The repository against the live cluster export \(Self.code(live)).\n\n" }
        guard !drift.isEmpty else { return out + "None: the cluster runs what the repository says.\n\n" }
        out += Self.table(["change", "kind", "object", "in git", "live", "differences"], drift.map { d in
            [AuditPresentation.change(d.change), Self.inline(d.kind, cell: true), Self.inline(AuditPresentation.object(d.namespace, d.name), cell: true),
             d.path.map { Self.code("\($0):\(d.line ?? 1)", cell: true) } ?? "—",
             d.liveLine.map { Self.code("\(report.livePath.map { "\($0):" } ?? "line ")\($0)", cell: true) } ?? "—",
             d.change == .rejectedByCluster ? Self.inline(d.message ?? "", cell: true) : (d.fields.isEmpty ? "" : AuditPresentation.count(d.fields.count, "field"))]
        })
        for d in drift where !d.fields.isEmpty {
            let body = Self.table(["field", "git", "live"], d.fields.map { f in
                [Self.code(f.path, cell: true), f.git.map { Self.code($0, cell: true) } ?? "(absent)", f.live.map { Self.code($0, cell: true) } ?? "(absent)"]
            })
            out += Self.details(summary: "\(d.change.rawValue): \(d.kind) \(AuditPresentation.object(d.namespace, d.name)), \(AuditPresentation.count(d.fields.count, "field"))",
                                body: body)
        }
        return out
    }

    func flowsSection() -> String {
        guard let flows = report.flows else { return "" }
        var out = "## Observed flows\n\n"
        if let path = report.flowsPath { out += "Hubble flows from \(Self.code(path)), beside what the repository's policies say; disagreements first.\n\n" }
        if flows.isEmpty {
            out += "None.\n\n"
        } else {
            out += Self.table(["agrees", "from", "to", "port", "observed", "count", "repository", "policies"], AuditPresentation.ordered(flows).map { f in
                let observed = Self.inline(f.observed, cell: true) + (f.dropReason.map { " (" + Self.inline($0, cell: true) + ")" } ?? "")
                var policies = ""
                if !f.reportedBy.isEmpty { policies += "Hubble: " + f.reportedBy.map { Self.inline($0, cell: true) }.joined(separator: ", ") }
                if !f.decidedBy.isEmpty { policies += (policies.isEmpty ? "" : "<br>") + "repository: " + evidenceCell(f.decidedBy) }
                if let reason = f.reason { policies += (policies.isEmpty ? "" : "<br>") + Self.inline(reason, cell: true) }
                return [AuditPresentation.agrees(f.agrees), Self.inline(f.from, cell: true), Self.inline(f.to, cell: true),
                        Self.inline(f.port, cell: true), observed, "\(f.count)", AuditPresentation.verdict(f.repoVerdict), policies]
            })
        }
        let st = report.flowStatistics
        out += "**Flow statistics:** \(AuditPresentation.count(st.lines, "line")) read, \(st.used) used"
        let skipped = AuditPresentation.skipped(st)
        out += skipped.isEmpty ? ".\n\n" : "; skipped: " + skipped.map { "\(Self.inline($0.reason)) (\($0.count))" }.joined(separator: ", ") + ".\n\n"
        return out
    }

    func findingsSection() -> String {
        let f = report.findings
        var out = "## Findings\n\n`netpol-lint check` found \(AuditPresentation.count(f.errors, "error")), "
            + "\(AuditPresentation.count(f.warnings, "warning")) and \(AuditPresentation.count(f.notes, "note")).\n\n"
        guard !f.byRule.isEmpty else { return out }
        out += Self.table(["rule", "name", "count"], f.byRule.prefix(10).map {
            [Self.inline($0.rule, cell: true), Self.inline($0.name, cell: true), "\($0.count)"]
        })
        if f.byRule.count > 10 { out += "\(f.byRule.count - 10) more rules in the JSON report.\n\n" }
        return out
    }

    func notesSection() -> String {
        guard !report.notes.isEmpty else { return "" }
        return "## Notes\n\n" + report.notes.map { "- \(Self.inline($0))\n" }.joined() + "\n"
    }

    // MARK: - Pieces

    func specLocation(_ line: Int, _ path: String? = nil) -> String {
        Self.code("\(path ?? report.specPath ?? "spec"):\(line)")
    }

    /// One bullet per rule: what it does, then `path:line`.
    func evidenceList(_ evidence: [AuditEvidence]) -> String {
        guard !evidence.isEmpty else { return "- no rule: nothing selects these pods in that direction\n\n" }
        return evidence.map { "- \(Self.inline(AuditPresentation.evidence($0))) — \(Self.code("\($0.path):\($0.line)"))\n" }.joined() + "\n"
    }

    /// Evidence folded inside a table cell (inline HTML; the text is escaped markdown).
    func evidenceCell(_ evidence: [AuditEvidence]) -> String {
        guard !evidence.isEmpty else { return "—" }
        let items = evidence.map { Self.inline(AuditPresentation.evidence($0), cell: true) + " — " + Self.code("\($0.path):\($0.line)", cell: true) }
        if evidence.count == 1 { return items[0] }
        return "<details><summary>\(evidence.count) rules</summary>" + items.joined(separator: "<br>") + "</details>"
    }

    // MARK: - Escaping

    /// A table; cells are already escaped (`inline(_:cell:)`), so none holds an unescaped pipe or a newline.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |\n" }
        return out + "\n"
    }

    /// A `<details>` block: the summary is raw HTML (entity-escaped), the body markdown (blank lines around it).
    static func details(summary: String, body: String) -> String {
        "<details><summary>\(html(summary))</summary>\n\n\(body.hasSuffix("\n\n") ? body : body + "\n\n")</details>\n\n"
    }

    /// Markdown text that renders as exactly `s`: markdown punctuation backslash-escaped, `&`, `<` and `>` as
    /// entities, control characters dropped. In a table cell (`cell`), newlines become `<br>`; elsewhere a space.
    static func inline(_ s: String, cell: Bool = false) -> String {
        var out = ""
        var atStart = true
        var digitsOnly = true
        for ch in s {
            switch ch {
            case "\r\n", "\n", "\r":
                out += cell ? "<br>" : " "
                atStart = true
                digitsOnly = true
                continue
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~", "#", "!", "$":
                out += "\\" + String(ch)
            case "-", "+", "=":
                // Only a line's first character can open a list or underline a heading.
                out += atStart ? "\\" + String(ch) : String(ch)
            case ".", ")":
                // `1.` or `1)` at the start of a line opens an ordered list.
                out += digitsOnly && !atStart ? "\\" + String(ch) : String(ch)
            case "\t":
                out += " "
            default:
                if AuditPresentation.isControl(ch) { continue }
                out.append(ch)
            }
            digitsOnly = digitsOnly && ch.isASCII && ch.isNumber
            atStart = false
        }
        return out
    }

    /// A code span when `s` can be one safely (no backtick, pipe, newline or control character); escaped text
    /// otherwise.
    static func code(_ s: String, cell: Bool = false) -> String {
        let plain = !s.isEmpty && !s.contains(where: AuditPresentation.isControl) && !s.contains("`") && !s.contains("|")
            && s.first != " " && s.last != " "
        return plain ? "`\(s)`" : inline(s, cell: cell)
    }

    /// Text for raw HTML (a `<summary>`): entities for `& < > " '`, one line.
    static func html(_ s: String) -> String { AuditPresentation.escapeHTML(s) }

    /// A mermaid label to put between double quotes: quotes, markup and separators as mermaid entity codes
    /// (`#quot;`, `#35;`), one line.
    static func mermaid(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "&": out += "#amp;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "|": out += "#124;"
            case "`": out += "#96;"
            case ";": out += "#59;"
            case "\r\n", "\n", "\r", "\t": out += " "
            default:
                if AuditPresentation.isControl(ch) { continue }
                out.append(ch)
            }
        }
        return out
    }
}

/// Words, symbols and orderings the audit renderers share (markdown and HTML say the same things).
enum AuditPresentation {
    /// Text for HTML, in element content and in double- or single-quoted attributes alike: entities for
    /// `& < > " '`, line breaks as spaces, control characters and bidirectional overrides dropped.
    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\r\n", "\n", "\r", "\t": out += " "
            default:
                if isControl(ch) { continue }
                out.append(ch)
            }
        }
        return out
    }

    struct Pair: Hashable {
        var from: String
        var to: String
    }

    /// Control characters and bidirectional overrides, which no report prints (they could disguise a name).
    static func isControl(_ ch: Character) -> Bool {
        ch.unicodeScalars.contains { s in
            s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value)
                || (0x2066...0x2069).contains(s.value)
        }
    }

    /// The symbols of both formats and what they mean.
    static let legend: [(symbol: String, meaning: String)] = [
        ("✅", "pass"), ("❌", "fail"), ("⚠️", "conditional (depends on labels, ports or addresses the repository does not fix)"),
        ("✓", "allowed"), ("✗", "denied"), ("?", "conditional"), ("○", "open (neither side enforces a policy)"),
        ("—", "not evaluated"),
    ]

    /// ✅ ❌ ⚠️ for GitHub; with `emoji: false` the text glyphs ✔ ✘ ⚠, which every font has (HTML, print).
    static func statusSymbol(_ s: AuditStatus, emoji: Bool = true) -> String {
        switch s {
        case .pass: emoji ? "✅" : "✔"
        case .fail: emoji ? "❌" : "✘"
        case .conditional: emoji ? "⚠️" : "⚠"
        }
    }

    /// `❌ fail`.
    static func status(_ s: AuditStatus, emoji: Bool = true) -> String { "\(statusSymbol(s, emoji: emoji)) \(s.rawValue)" }

    static func verdictSymbol(_ v: AuditVerdict) -> String {
        switch v {
        case .allowed: "✓"
        case .denied: "✗"
        case .conditional: "?"
        }
    }

    /// `✗ denied`.
    static func verdict(_ v: AuditVerdict) -> String { "\(verdictSymbol(v)) \(v.rawValue)" }

    /// The symbol of a namespace cell's state (`allowed`, `denied`, `conditional`, `open`).
    static func stateSymbol(_ state: String) -> String {
        switch state {
        case "allowed": "✓"
        case "denied": "✗"
        case "conditional": "?"
        case "open": "○"
        default: "—"
        }
    }

    /// ✅ yes, ❌ no, — neither (the repository's answer is conditional).
    static func agrees(_ a: Bool?, emoji: Bool = true) -> String {
        switch a {
        case true?: statusSymbol(.pass, emoji: emoji) + " yes"
        case false?: statusSymbol(.fail, emoji: emoji) + " no"
        case nil: "— conditional"
        }
    }

    static func change(_ c: DriftChange, emoji: Bool = true) -> String {
        let words = switch c {
        case .missingInCluster: "missing in cluster"
        case .missingInGit: "missing in git"
        case .differs: "differs"
        case .rejectedByCluster: "rejected by cluster"
        }
        return statusSymbol(.fail, emoji: emoji) + " " + words
    }

    /// `3 gaps`, `1 gap`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    static func object(_ namespace: String?, _ name: String) -> String {
        (namespace.map { "\($0)/" } ?? "") + name
    }

    /// `CiliumNetworkPolicy payments/api egress[0] allows egress`, without the place (shown beside it).
    static func evidence(_ e: AuditEvidence) -> String {
        let effect = e.effect == "enforces" ? "enforces \(e.direction) (default deny)" : "\(e.effect) \(e.direction)"
        return "\(e.kind) \(object(e.namespace, e.name))\(e.rule.map { " \($0)" } ?? "") \(effect)"
            + (e.certain ? "" : " (not certain)")
    }

    /// Ports of a cell, the first four then `+N`.
    static func ports(_ cell: NamespaceCell) -> String {
        guard cell.state == "allowed" || cell.state == "conditional" else { return "" }
        return cell.ports.prefix(4).joined(separator: ", ") + (cell.ports.count > 4 ? " +\(cell.ports.count - 4)" : "")
    }

    /// The declared namespaces, then any other a cell names, in order.
    static func namespaces(_ report: AuditReport) -> [String] {
        var seen = Set<String>()
        return (report.namespaces + report.cells.flatMap { [$0.from, $0.to] }).filter { seen.insert($0).inserted }
    }

    static func cellIndex(_ report: AuditReport) -> [Pair: NamespaceCell] {
        var out: [Pair: NamespaceCell] = [:]
        for c in report.cells { out[Pair(from: c.from, to: c.to)] = c }
        return out
    }

    /// Disagreeing flows first, then those the repository cannot decide, then the agreeing ones; order kept within.
    static func ordered(_ flows: [ObservedFlowResult]) -> [ObservedFlowResult] {
        flows.filter { $0.agrees == false } + flows.filter { $0.agrees == nil } + flows.filter { $0.agrees == true }
    }

    /// Skip reasons, most frequent first.
    static func skipped(_ st: FlowStatistics) -> [(reason: String, count: Int)] {
        st.skipped.map { (reason: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
    }

    struct GapGroup {
        var label: String
        var gaps: [CapabilityGap]
    }

    /// Gaps grouped by clause and namespace, in first-seen order; workloads stay in order within a group.
    static func gapGroups(_ gaps: [CapabilityGap]) -> [GapGroup] {
        var groups: [GapGroup] = []
        var index: [String: Int] = [:]
        for g in gaps {
            let label = (g.namespace.map { "namespace \($0)" } ?? "pods outside any declared namespace")
                + (g.clause == "expected" ? "" : " (\(g.clause))")
            if let i = index[label] { groups[i].gaps.append(g) } else {
                index[label] = groups.count
                groups.append(GapGroup(label: label, gaps: [g]))
            }
        }
        return groups
    }
}
