import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// The markdown and HTML renderings of `netpol-lint audit` (docs/audit.md), checked with real consumers: the
/// markdown is parsed by markdown-it-py (CommonMark + GFM tables), the HTML loaded in headless Chromium. The report
/// is built by hand: rows that pass, fail and are conditional for each expectation, capabilities with gaps and an
/// `otherwise` clause, undocumented flows, drift of every kind, agreeing and disagreeing observed flows, and names
/// that carry `|`, `<script>`, backticks, `&` and quotes, as an untrusted repository may.
///
/// Set `NETPOL_LINT_AUDIT_RENDER_OUT=DIR` to keep the renderings (`audit.md`, `audit.html`, `audit.png`) in DIR.
@Suite(.serialized) struct AuditRenderTests {
    // MARK: - The report

    static let hostileName = "<script>alert(1)</script> & \"quotes\" 'single'"
    static let pipeName = "web | api `edge`"
    static let hostileNamespace = "dev|<script>x</script>"

    static func ev(_ name: String, _ rule: String?, _ effect: String = "allows", _ direction: String = "egress",
                   _ path: String, _ line: Int, namespace: String? = "payments", certain: Bool = true) -> AuditEvidence {
        AuditEvidence(kind: "CiliumNetworkPolicy", namespace: namespace, name: name, rule: rule, effect: effect,
                      direction: direction, path: path, line: line, certain: certain)
    }

    static let report: AuditReport = {
        var r = AuditReport(specName: "homelab-baseline & <friends>", specPath: "network-baseline.yaml",
                            paths: ["clusters/prod", "apps|weird"], preset: "homelab")
        let dbIngress = ev("postgres-ingress", "ingress[0]", "allows", "ingress", "apps/payments/postgres.yaml", 14)
        let webEgress = ev("checkout-egress", "egress[1]", "allows", "egress", "apps/payments/checkout.yaml", 22)
        let apiDefault = ev("api-default", nil, "enforces", "ingress", "apps/backend/api.yaml", 3, namespace: "backend")
        let weird = ev("we|rd `policy`", "egress[0]", "allows", "egress", "apps/we|rd & <b>.yaml", 7, namespace: "dev")
        let fqdn = ev("egress-fqdn", "egress[2]", "allows", "egress", "apps/frontend/egress.yaml", 31, namespace: "frontend",
                      certain: false)
        let denyDev = AuditEvidence(kind: "CiliumClusterwideNetworkPolicy", namespace: nil, name: "deny-dev-to-prod",
                                    rule: "specs[1].ingressDeny[0]", effect: "denies", direction: "ingress",
                                    path: "platform/deny-dev.yaml", line: 40)
        r.matrix = [
            MatrixResult(name: "checkout-to-db", from: "payments/checkout-web", to: "payments/postgres", port: "5432/TCP",
                         expect: .allow, verdict: .allowed, status: .pass, reason: nil, decidedBy: [webEgress, dbIngress],
                         checks: [AuditCheck(from: "payments/checkout-web", to: "payments/postgres", port: "5432/TCP",
                                             verdict: .allowed, decidedBy: [webEgress, dbIngress])], specLine: 21),
            MatrixResult(name: pipeName, from: "frontend/web", to: "backend/api", port: "8080/TCP", expect: .allow,
                         verdict: .denied, status: .fail,
                         reason: "no ingress rule of backend/api admits frontend/web\n(api-default enforces ingress)",
                         decidedBy: [apiDefault],
                         checks: [AuditCheck(from: "frontend/web", to: "backend/api", port: "8080/TCP", verdict: .denied,
                                             reason: "ingress at backend/api refuses it", decidedBy: [apiDefault]),
                                  AuditCheck(from: "frontend/web-canary", to: "backend/api", port: "8080/TCP", verdict: .denied,
                                             reason: "ingress at | backend/api refuses it", decidedBy: [apiDefault])],
                         specLine: 24),
            MatrixResult(name: hostileName, from: "frontend/*", to: "world", port: "443/TCP", expect: .allow,
                         verdict: .conditional, status: .conditional,
                         reason: "allowed only if the FQDN resolves to the address: toFQDNs", decidedBy: [fqdn],
                         checks: [AuditCheck(from: "frontend/web", to: "world", port: "443/TCP", verdict: .conditional,
                                             reason: "toFQDNs", decidedBy: [fqdn])], specLine: 27),
            MatrixResult(name: "dev-not-prod", from: "dev/*", to: "payments/*", port: "any TCP port", expect: .deny,
                         verdict: .denied, status: .pass, reason: nil, decidedBy: [denyDev], checks: [], specLine: 30),
            MatrixResult(name: "dev-no-db", from: "dev/*", to: "payments/postgres", port: "5432/TCP", expect: .deny,
                         verdict: .allowed, status: .fail, reason: "we|rd `policy` allows dev to reach it",
                         decidedBy: [weird, dbIngress],
                         checks: [AuditCheck(from: "dev/tools", to: "payments/postgres", port: "5432/TCP", verdict: .allowed,
                                             decidedBy: [weird, dbIngress])], specLine: 33),
            MatrixResult(name: "# not a heading", from: "monitoring/prometheus", to: "payments/*", port: "9090/TCP",
                         expect: .deny, verdict: .conditional, status: .conditional,
                         reason: "depends on the named port `metrics`", decidedBy: [dbIngress], checks: [], specLine: 36),
        ]
        let dnsEvidence = ev("allow-dns", "egress[0]", "allows", "egress", "platform/dns.yaml", 9, namespace: "kube-system")
        r.capabilities = [
            CapabilityResult(name: "dns", description: "Every pod can resolve names | via kube-dns", from: "namespaces: all",
                             to: "kube-system/kube-dns", ports: ["53/UDP", "53/TCP"], expect: .allow, status: .fail,
                             reason: "2 pods cannot resolve names", checked: 12,
                             gaps: [CapabilityGap(namespace: "payments", workload: "checkout-web",
                                                  check: AuditCheck(from: "payments/checkout-web", to: "kube-system/kube-dns",
                                                                    port: "53/UDP", verdict: .denied, reason: "egress enforced",
                                                                    decidedBy: [webEgress])),
                                    CapabilityGap(namespace: "media", workload: nil,
                                                  check: AuditCheck(from: "media", to: "kube-system/kube-dns", port: "53/UDP",
                                                                    verdict: .conditional, decidedBy: [dnsEvidence])),
                                    CapabilityGap(namespace: "sandbox", workload: "<b>x</b>", clause: "otherwise",
                                                  check: AuditCheck(from: "sandbox/<b>x</b>", to: "kube-system/kube-dns",
                                                                    port: "53/UDP", verdict: .allowed, decidedBy: [dnsEvidence]))],
                             otherwiseChecked: 3, specLine: 10),
            CapabilityResult(name: "metrics <scrape>", description: nil, from: "monitoring/prometheus", to: "namespaces: workload",
                             ports: ["metrics"], expect: .allow, status: .pass, reason: nil, checked: 8, gaps: [], specLine: 14),
            CapabilityResult(name: "no-internet `dev`", description: "dev reaches nothing outside", from: "dev/*", to: "world",
                             ports: ["any"], expect: .deny, status: .conditional, reason: "an FQDN rule may allow it", checked: 2,
                             gaps: [CapabilityGap(namespace: hostileNamespace, workload: "tools",
                                                  check: AuditCheck(from: "dev/tools", to: "world", port: "443/TCP",
                                                                    verdict: .conditional, decidedBy: [fqdn]))],
                             specLine: 17),
        ]
        r.undocumented = [
            UndocumentedFlow(from: "frontend/web", to: "payments/postgres", fromNamespace: "frontend", toNamespace: "payments",
                             port: "5432/TCP", verdict: .allowed, allowedBy: [dbIngress, webEgress]),
            UndocumentedFlow(from: "dev/tools", to: hostileNamespace + "/x", fromNamespace: "dev", toNamespace: hostileNamespace,
                             port: "22/TCP", verdict: .conditional, allowedBy: [weird]),
            UndocumentedFlow(from: "monitoring/prometheus", to: "frontend/web", fromNamespace: "monitoring", toNamespace: "frontend",
                             port: "9102/TCP", verdict: .allowed, allowedBy: []),
        ]
        r.drift = [
            DriftEntry(change: .missingInCluster, kind: "CiliumNetworkPolicy", namespace: "payments", name: "postgres-ingress",
                       path: "apps/payments/postgres.yaml", line: 1),
            DriftEntry(change: .missingInGit, kind: "NetworkPolicy", namespace: "default", name: "allow-all | debug", liveLine: 120),
            DriftEntry(change: .differs, kind: "CiliumNetworkPolicy", namespace: "frontend", name: "egress-fqdn",
                       fields: [FieldDifference(path: "spec.egress[0].toPorts[0].ports[0].port", git: "443", live: "8443"),
                                FieldDifference(path: "metadata.labels.team", git: "web|ops", live: nil)],
                       path: "apps/frontend/egress.yaml", line: 1, liveLine: 300),
            DriftEntry(change: .rejectedByCluster, kind: "CiliumNetworkPolicy", namespace: "dev", name: "we|rd `policy`",
                       message: "Invalid: <img src=x onerror=alert(1)> toFQDNs with toEndpoints", path: "apps/we|rd & <b>.yaml",
                       line: 2, liveLine: 410),
        ]
        r.livePath = "cluster-export.yaml"
        r.flows = [
            ObservedFlowResult(from: "payments/checkout-web", to: "payments/postgres", port: "5432/TCP", observed: "FORWARDED",
                               count: 120, repoVerdict: .allowed, agrees: true,
                               reportedBy: ["CiliumNetworkPolicy payments/postgres-ingress"], decidedBy: [dbIngress]),
            ObservedFlowResult(from: "frontend/web", to: "backend/api", port: "8080/TCP", observed: "DROPPED", count: 7,
                               repoVerdict: .allowed, agrees: false, dropReason: "POLICY_DENIED", decidedBy: [apiDefault],
                               reason: "the cluster runs an older api-default"),
            ObservedFlowResult(from: "frontend/web", to: "world", port: "443/TCP", observed: "FORWARDED", count: 3,
                               repoVerdict: .conditional, agrees: nil, decidedBy: [fqdn]),
        ]
        r.flowsPath = "hubble.jsonl"
        var stats = FlowStatistics()
        stats.lines = 140
        stats.used = 130
        stats.skipped = ["reply": 6, "not JSON": 3, "trace event": 1]
        r.flowStatistics = stats
        r.namespaces = ["payments", "frontend", "monitoring", hostileNamespace]
        let states: [[String]] = [["allowed", "denied", "denied", "denied"],
                                  ["allowed", "allowed", "denied", "conditional"],
                                  ["allowed", "allowed", "allowed", "open"],
                                  ["denied", "conditional", "denied", "open"]]
        for (i, from) in r.namespaces.enumerated() {
            for (j, to) in r.namespaces.enumerated() {
                if i == 0 && j == 3 { continue }  // one pair left out: rendered as not evaluated
                let state = states[i][j]
                let ports = state == "allowed" || state == "conditional" ? (i == j ? ["any"] : ["\(5000 + i * 10 + j)/TCP", "53/UDP"]) : []
                r.cells.append(NamespaceCell(from: from, to: to, state: state, ports: ports))
            }
        }
        r.coverage = [
            NamespaceCoverage(namespace: "payments", platform: false, ingressEnforced: "yes", egressEnforced: "yes", dns: .allowed,
                              health: .allowed, metrics: .allowed, workloads: 3),
            NamespaceCoverage(namespace: "frontend", platform: false, ingressEnforced: "partly", egressEnforced: "no", dns: .denied,
                              health: .conditional, metrics: nil, workloads: 2),
            NamespaceCoverage(namespace: hostileNamespace, platform: true, ingressEnforced: "no", egressEnforced: "no",
                              dns: .allowed, health: .allowed, metrics: .denied, workloads: 1),
        ]
        var findings = FindingsSummary()
        findings.errors = 2
        findings.warnings = 3
        findings.notes = 1
        findings.byRule = [.init(rule: "NP204", name: "hardcoded-ip", count: 3), .init(rule: "NP205", name: "any-port", count: 2),
                           .init(rule: "NP301", name: "x|y", count: 1)]
        r.findings = findings
        r.notes = ["2 policies left out because their namespace could not be resolved: <b>bold</b>",
                   "- not a list item | pipe"]
        return r
    }()

    /// Keeps a rendering when `NETPOL_LINT_AUDIT_RENDER_OUT` names a directory.
    static func keep(_ name: String, _ data: Data) {
        guard let dir = ProcessInfo.processInfo.environment["NETPOL_LINT_AUDIT_RENDER_OUT"], !dir.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    // MARK: - Markdown

    /// Parses markdown with markdown-it-py (CommonMark + tables, raw HTML on as on GitHub) and describes it as JSON:
    /// each table's cells as text (from the tokens) and its cell count per source line (pipes split as the parser
    /// does), the rendered HTML, and whether its `<details>` elements nest properly.
    static let parser = #"""
    import sys, json
    from html.parser import HTMLParser
    from markdown_it import MarkdownIt
    src = sys.stdin.read()
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(src)
    lines = src.split("\n")
    def raw_cells(line):
        s = line.strip()
        if s.startswith("|"): s = s[1:]
        if s.endswith("|") and not s.endswith("\\|"): s = s[:-1]
        n, prev = 1, ""
        for c in s:
            if c == "|" and prev != "\\": n += 1
            prev = c
        return n
    def text(tok):
        out = ""
        for c in tok.children or []:
            if c.type in ("text", "code_inline", "html_inline"): out += c.content
            elif c.type in ("softbreak", "hardbreak"): out += "\n"
        return out
    tables, table, row = [], None, None
    for t in tokens:
        if t.type == "table_open":
            start, end = t.map
            table = {"line": start + 1, "raw": [raw_cells(lines[i]) for i in range(start, end) if i != start + 1], "rows": []}
            tables.append(table)
        elif t.type == "table_close":
            table = row = None
        elif t.type == "tr_open" and table is not None:
            row = []
            table["rows"].append(row)
        elif t.type == "inline" and row is not None:
            row.append(text(t))
    html = md.render(src)
    class Details(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.opened, self.closed, self.ok, self.summaries = 0, 0, 0, True, 0
        def handle_starttag(self, tag, attrs):
            if tag == "details": self.depth += 1; self.opened += 1
            if tag == "summary":
                self.summaries += 1
                if self.depth == 0: self.ok = False
        def handle_endtag(self, tag):
            if tag == "details":
                self.depth -= 1; self.closed += 1
                if self.depth < 0: self.ok = False
    d = Details()
    d.feed(html)
    json.dump({"tables": tables, "html": html, "detailsOpened": d.opened, "detailsClosed": d.closed,
               "summaries": d.summaries, "detailsNested": d.ok and d.depth == 0}, sys.stdout)
    """#

    struct Parsed: Decodable {
        struct Table: Decodable {
            var line: Int
            var raw: [Int]
            var rows: [[String]]
        }
        var tables: [Table]
        var html: String
        var detailsOpened: Int
        var detailsClosed: Int
        var summaries: Int
        var detailsNested: Bool
    }

    @Test func markdownParsesWithMarkdownIt() throws {
        guard let python = ExternalTools.require(ExternalTools.python(module: "markdown_it"),
                                                 for: "markdownParsesWithMarkdownIt", needs: "python3 with markdown-it-py",
                                                 install: "python3 -m pip install markdown-it-py, or " + ExternalTools.installCommand)
        else { return }
        let report = Self.report
        let md = AuditMarkdownReporter(report: report).render()
        Self.keep("audit.md", Data(md.utf8))
        let result = ExternalTools.run(python, ["-c", Self.parser], stdin: md, timeout: 60)
        try #require(result.status == 0, "markdown-it-py failed: \(result.stderr)")
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(result.stdout.utf8))

        // Every table in the source is parsed as one, and every line of it has the header's column count.
        let delimiterRows = md.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("|---|") }.count
        #expect(parsed.tables.count == delimiterRows)
        #expect(parsed.tables.count >= 12)
        for table in parsed.tables {
            let columns = table.rows.first?.count ?? 0
            #expect(table.raw.allSatisfy { $0 == columns }, "table at line \(table.line): cells per line \(table.raw), header \(columns)")
            #expect(table.rows.allSatisfy { $0.count == columns }, "table at line \(table.line)")
        }

        // The traffic matrix: one row per documented row, the name exactly as written, status and verdict in words.
        let matrix = try #require(parsed.tables.first { $0.rows.first == ["status", "name", "from", "to", "port", "expect", "verdict"] })
        #expect(matrix.rows.count == report.matrix.count + 1)
        for (row, cells) in zip(report.matrix, matrix.rows.dropFirst()) {
            #expect(cells[1] == row.name)
            #expect(cells[0].hasSuffix(row.status.rawValue))
            #expect(cells[3] == row.to)
            #expect(cells[6].hasSuffix(row.verdict.rawValue))
        }

        // Capabilities and their gaps: names kept, every gap listed once.
        let caps = try #require(parsed.tables.first { $0.rows.first?.prefix(2) == ["status", "name"] && $0.rows.first?.count == 8 })
        #expect(caps.rows.dropFirst().map { $0[1] } == report.capabilities.map(\.name))
        let gapRows = parsed.tables.filter { $0.rows.first?.first == "workload" }.flatMap { $0.rows.dropFirst() }
        #expect(gapRows.count == report.capabilities.map(\.gaps.count).reduce(0, +))
        #expect(gapRows.contains { $0[0] == "<b>x</b>" && $0[1] == "otherwise" })

        // The namespace matrix: header = namespaces as written; each cell starts with its state's symbol.
        let names = report.namespaces
        let nsTable = try #require(parsed.tables.first { $0.rows.first?.first == "from \\ to" })
        #expect(nsTable.rows.first == ["from \\ to"] + names)
        for (i, from) in names.enumerated() {
            let cells = nsTable.rows[i + 1]
            #expect(cells[0] == from)
            for (j, to) in names.enumerated() {
                let expected = report.cells.first { $0.from == from && $0.to == to }.map { Self.symbol($0.state) } ?? "—"
                #expect(cells[j + 1].hasPrefix(expected), "\(from) -> \(to): \(cells[j + 1])")
            }
        }

        // Drift: one row per entry; observed flows: disagreeing first.
        let drift = try #require(parsed.tables.first { $0.rows.first?.first == "change" })
        #expect(drift.rows.count == (report.drift?.count ?? 0) + 1)
        #expect(drift.rows.contains { $0[2] == "default/allow-all | debug" })
        let flows = try #require(parsed.tables.first { $0.rows.first?.first == "agrees" })
        #expect(flows.rows.dropFirst().map { $0[0] } == ["❌ no", "— conditional", "✅ yes"])

        // `<details>` blocks survive as elements, each with its summary, properly nested.
        let sourceDetails = md.components(separatedBy: "<details>").count - 1
        #expect(sourceDetails >= 8)
        #expect(parsed.detailsOpened == sourceDetails)
        #expect(parsed.detailsClosed == sourceDetails)
        #expect(parsed.summaries == sourceDetails)
        #expect(parsed.detailsNested)
        let failing = report.matrix.filter { $0.status != .pass }
        for row in failing {
            let summary = "\(row.name): expected \(row.expect.rawValue)"
            let found = parsed.html.contains("<details><summary>" + Self.statusSymbol(row.status) + " " + Self.html(summary))
            #expect(found, "details of \(row.name)")
        }

        // No markup from the data survives as HTML: it is all text.
        #expect(!parsed.html.lowercased().contains("<script"))
        #expect(!parsed.html.contains("<b>x</b>") && !parsed.html.contains("<b>bold</b>") && !parsed.html.contains("<img"))
        #expect(parsed.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!parsed.html.contains("<h1>not a heading") && !parsed.html.contains("<li>not a list item"))

        // The summary comes first, with the counts.
        let second = md.split(separator: "\n", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
        #expect(second.hasPrefix("**❌ Audit failed**"))
        #expect(second.contains("✅ 3 pass") && second.contains("❌ 3 fail") && second.contains("⚠️ 3 conditional"))
        #expect(second.contains("3 undocumented flows") && second.contains("❌ 4 drift entries")
                && second.contains("❌ 1 disagreeing observed flow"))
    }

    /// The mermaid graph: generated node ids, quoted labels free of quotes and markup, one edge per allowed or
    /// conditional cross-namespace cell.
    @Test func markdownMermaidIsSanitised() throws {
        let md = AuditMarkdownReporter(report: Self.report).render()
        let lines = md.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "```mermaid"))
        let end = try #require(lines[start...].firstIndex(of: "```"))
        let graph = Array(lines[(start + 1)..<end])
        #expect(graph.first == "graph LR")
        let node = try NSRegularExpression(pattern: #"^  ns[0-9]+\["[^"<>`|\n]*"\]$"#)
        let edge = try NSRegularExpression(pattern: #"^  ns[0-9]+ (-->|-\.->)(\|"[^"<>`|]*"\| | )ns[0-9]+$"#)
        var edges = 0
        for line in graph.dropFirst() {
            let range = NSRange(line.startIndex..., in: line)
            let isNode = node.firstMatch(in: line, range: range) != nil
            let isEdge = edge.firstMatch(in: line, range: range) != nil
            #expect(isNode || isEdge, "mermaid line: \(line)")
            if isEdge { edges += 1 }
        }
        let expected = Self.report.cells.filter { ($0.state == "allowed" || $0.state == "conditional") && $0.from != $0.to }.count
        #expect(edges == expected)
        #expect(graph.contains { $0.contains("dev#124;#lt;script#gt;x#lt;/script#gt;") })
    }

    /// Sections without data are left out; empty lists say "None".
    @Test func sectionsFollowTheData() {
        var r = AuditReport(specName: "empty", paths: ["."])
        r.drift = []
        let md = AuditMarkdownReporter(report: r).render()
        #expect(md.contains("**✅ Audit passed**"))
        #expect(md.contains("## Drift\n\nNone"))
        #expect(md.contains("## Undocumented flows") && md.contains("None.\n"))
        #expect(!md.contains("## Observed flows") && !md.contains("## Namespace matrix") && !md.contains("## Notes"))
        let html = AuditHTMLReporter(report: r).render()
        #expect(html.contains("id=\"drift\"") && !html.contains("id=\"flows\"") && !html.contains("id=\"namespace-matrix\""))
        #expect(html.contains("✔ Audit passed"))

        let full = AuditMarkdownReporter(report: Self.report).render()
        for section in ["Traffic matrix", "Capabilities", "Namespace matrix", "Coverage", "Undocumented flows", "Drift",
                        "Observed flows", "Findings", "Notes"] {
            #expect(full.contains("\n## \(section)\n"), "section \(section)")
        }
        #expect(full.contains("**Flow statistics:** 140 lines read, 130 used; skipped: reply (6), not JSON (3), trace event (1)."))
    }

    // MARK: - HTML

    /// Without a browser: one self-contained page that fetches nothing and runs nothing.
    @Test func htmlIsSelfContained() throws {
        let html = AuditHTMLReporter(report: Self.report).render()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"))
        let lower = html.lowercased()
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("@import"))
        #expect(!lower.contains("url("))
        #expect(!lower.contains("<link") && !lower.contains("<img") && !lower.contains("<iframe") && !lower.contains("<object"))
        let fetch = try NSRegularExpression(pattern: #"(src|href|action|srcset|poster)\s*=\s*["']?\s*(https?:|//)"#, options: .caseInsensitive)
        #expect(fetch.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)) == nil)
        #expect(!lower.contains("http://") && !lower.contains("https://"))
        // The only links are fragments of this page, and each names an element that exists.
        let href = try NSRegularExpression(pattern: #"href="([^"]*)""#)
        for m in href.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let target = String(html[Range(m.range(at: 1), in: html)!])
            #expect(target.hasPrefix("#"), "href \(target)")
            #expect(html.contains("id=\"\(target.dropFirst())\""), "href \(target) has no target")
        }
        #expect(html.components(separatedBy: "<style>").count == 2)
        // Data is text: escaped in content and attributes.
        #expect(html.contains("data-name=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;\""))
        #expect(html.contains("data-name=\"web | api `edge`\""))
        #expect(!html.contains("<b>x</b>") && !html.contains("<img src=x"))
        #expect(html.contains("@media print"))
    }

    /// In headless Chromium: the DOM has every row with its status, verdict and evidence, the namespace matrix cell
    /// by cell, and the injected markup only as text; the screenshot is a PNG.
    @Test func htmlRendersInChromium() throws {
        guard let chromium = ExternalTools.require(ExternalTools.find("chromium", "chromium-browser"),
                                                   for: "htmlRendersInChromium", needs: "chromium",
                                                   install: "sudo apt-get install -y chromium, or " + ExternalTools.installCommand)
        else { return }
        let report = Self.report
        let html = AuditHTMLReporter(report: report).render()
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = dir + "/audit.html"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        Self.keep("audit.html", Data(html.utf8))

        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(dir)/profile", "--hide-scrollbars"]
        let dump = ExternalTools.run(chromium, common + ["--dump-dom", "file://" + page], timeout: 60)
        try #require(!dump.timedOut, "chromium --dump-dom hung")
        try #require(dump.status == 0 && dump.stdout.contains("</html>"), "chromium failed: \(dump.stderr.suffix(2000))")
        let dom = dump.stdout

        // The browser ran no script and built no element from the data.
        #expect(!dom.lowercased().contains("<script"))
        #expect(!dom.contains("<b>x</b>") && !dom.contains("<img"))
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))

        // Each matrix row: status class, verdict in words, every decidedBy `path:line`.
        for status in AuditStatus.allCases {
            #expect(Self.occurrences(of: "class=\"row status-\(status.rawValue)\"", in: dom)
                    == report.matrix.filter { $0.status == status }.count)
        }
        for row in report.matrix {
            let element = try #require(Self.element("tr", attribute: "data-name", value: row.name, in: dom), "row \(row.name)")
            #expect(element.contains("class=\"row status-\(row.status.rawValue)\""))
            #expect(element.contains("\(Self.symbolOf(row.verdict)) \(row.verdict.rawValue)"))
            for e in row.decidedBy {
                #expect(element.contains(Self.text("\(e.path):\(e.line)")), "\(row.name): \(e.path):\(e.line)")
            }
        }
        // Each capability, and every gap's evidence in the page.
        for c in report.capabilities {
            let element = try #require(Self.element("tr", attribute: "data-capability", value: c.name, in: dom), "capability \(c.name)")
            #expect(element.contains("status-\(c.status.rawValue)"))
            for g in c.gaps {
                for e in g.check.decidedBy { #expect(dom.contains(Self.text("\(e.path):\(e.line)"))) }
            }
        }

        // The namespace matrix, cell by cell.
        let matrixStart = try #require(dom.range(of: "<table id=\"namespace-matrix\">"))
        let matrixEnd = try #require(dom[matrixStart.upperBound...].range(of: "</table>"))
        let matrix = String(dom[matrixStart.lowerBound..<matrixEnd.upperBound])
        let n = report.namespaces.count
        #expect(Self.occurrences(of: "data-state=", in: matrix) == n * n)
        for state in ["allowed", "denied", "conditional", "open"] {
            #expect(Self.occurrences(of: "data-state=\"\(state)\"", in: matrix) == report.cells.filter { $0.state == state }.count)
        }
        #expect(Self.occurrences(of: "data-state=\"none\"", in: matrix) == n * n - report.cells.count)
        for name in report.namespaces { #expect(matrix.contains("<th scope=\"row\">\(Self.text(name))</th>")) }

        // Undocumented, drift and flows are there too.
        #expect(Self.occurrences(of: "class=\"undocumented ", in: dom) == report.undocumented.count)
        #expect(Self.occurrences(of: "class=\"drift ", in: dom) == report.drift?.count)
        #expect(dom.contains(Self.text("Invalid: <img src=x onerror=alert(1)> toFQDNs with toEndpoints")))
        let firstFlow = try #require(dom.range(of: "class=\"flow "))
        #expect(dom[firstFlow.lowerBound...].hasPrefix("class=\"flow agrees-no\""))

        // A screenshot: a non-empty PNG.
        let png = dir + "/audit.png"
        let shot = ExternalTools.run(chromium, common + ["--screenshot=\(png)", "--window-size=1280,2000", "file://" + page],
                                     timeout: 60)
        try #require(!shot.timedOut, "chromium --screenshot hung")
        let data = try #require(FileManager.default.contents(atPath: png), "no screenshot: \(shot.stderr.suffix(2000))")
        #expect(data.count > 10_000)
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        Self.keep("audit.png", data)
    }

    // MARK: - Helpers

    static func symbol(_ state: String) -> String {
        ["allowed": "✓", "denied": "✗", "conditional": "?", "open": "○"][state] ?? "—"
    }

    static func symbolOf(_ v: AuditVerdict) -> String { symbol(v.rawValue) }

    /// Text as a browser serialises it in element content.
    static func text(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Text as in a `<summary>` of the markdown (raw HTML, passed through): entities for `& < > " '`.
    static func html(_ s: String) -> String {
        text(s).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func statusSymbol(_ s: AuditStatus) -> String {
        [AuditStatus.pass: "✅", .fail: "❌", .conditional: "⚠️"][s]!
    }

    static func occurrences(of needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// The element `<tag … attribute="value" …>…</tag>` in a serialised DOM (attribute values serialised as Chromium
    /// may: `&` and `"` always as entities, `<` and `>` either way).
    static func element(_ tag: String, attribute: String, value: String, in dom: String) -> String? {
        let base = value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        let variants = [base, base.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")]
        for v in variants {
            guard let at = dom.range(of: "\(attribute)=\"\(v)\"") else { continue }
            guard let open = dom[..<at.lowerBound].range(of: "<\(tag)", options: .backwards),
                  let close = dom[at.upperBound...].range(of: "</\(tag)>") else { return nil }
            return String(dom[open.lowerBound..<close.upperBound])
        }
        return nil
    }
}
