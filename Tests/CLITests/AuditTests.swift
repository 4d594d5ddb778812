import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// `netpol-lint audit` end to end: verdicts of each kind for rows and capabilities (passing and failing), undocumented
/// flows, the starter spec, exit statuses and the golden reports of the fixtures.
@Suite(.serialized) struct AuditTests {
    func run(_ args: [String], in dir: String) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    /// A small repository whose verdicts are easy to check by hand:
    /// - web/frontend may send to db/postgres on 5432 (egress at frontend, ingress at postgres) and to kube-dns;
    /// - db/postgres admits web/frontend on 5432, and lab pods labelled role=debugger on 9187 (lab declares no
    ///   workload, so whether its pods carry that label the repository does not say: conditional);
    /// - dev and lab have no policy at all (open), web's ingress is not enforced.
    static let repository: [(path: String, content: String)] = [
        ("namespaces.yaml", Manifests.namespaces("web", "db", "dev", "lab")),
        ("workloads.yaml", Manifests.workload("frontend", "web", "app: frontend") + Manifests.workload("postgres", "db", "app: postgres")
            + Manifests.workload("tool", "dev", "app: tool")),
        ("policies/db.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: postgres-ingress, namespace: db}
            spec:
              endpointSelector: {matchLabels: {app: postgres}}
              ingress:
              - fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: web, app: frontend}}]
                toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
              - fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: lab, role: debugger}}]
                toPorts: [{ports: [{port: "9187", protocol: TCP}]}]
            """),
        ("policies/web.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: frontend-egress, namespace: web}
            spec:
              endpointSelector: {matchLabels: {app: frontend}}
              egress:
              - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: db, app: postgres}}]
                toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
              - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                toPorts: [{ports: [{port: "53", protocol: UDP}]}]
            """),
    ]

    static let spec = """
        apiVersion: netpol-lint.io/v1alpha1
        kind: NetworkBaseline
        metadata: {name: small}
        spec:
          platformNamespaces: [db]
          components:
            frontend: {namespace: web, podSelector: {matchLabels: {app: frontend}}}
            postgres: {namespace: db, podSelector: {matchLabels: {app: postgres}}}
            kube-dns: {namespace: kube-system, podSelector: {matchLabels: {k8s-app: kube-dns}}}
          capabilities:
          - name: web-dns
            from: {namespaces: [web]}
            to: {component: kube-dns}
            ports: [{port: 53, protocol: UDP}]
            expect: allow
          - name: everyone-reaches-postgres
            from: {namespaces: workload}
            to: {component: postgres}
            ports: [{port: 5432, protocol: TCP}]
            expect: allow
          - name: only-frontend-reaches-postgres
            from: {namespaces: [web], podSelector: {matchLabels: {app: frontend}}}
            to: {component: postgres}
            ports: [{port: 5432, protocol: TCP}]
            expect: allow
            otherwise: deny
          - name: only-tool-reaches-frontend
            from: {namespaces: [dev], podSelector: {matchLabels: {app: tool}}}
            to: {component: frontend}
            ports: [{port: 80, protocol: TCP}]
            expect: allow
            otherwise: deny
          - name: no-internet-to-postgres
            from: {entity: world}
            to: {component: postgres}
            ports: [{port: 5432, protocol: TCP}]
            expect: deny
          matrix:
            columns: [name, srcNamespace, srcComponent, dstNamespace, dstComponent, port, protocol, expect]
            rows:
            - [allow-pass,  web, frontend, db,  postgres, 5432, TCP, allow]
            - [deny-pass,   dev, "*",      db,  postgres, 5432, TCP, deny]
            - [allow-fail,  web, frontend, db,  postgres, 6379, TCP, allow]
            - [deny-fail,   dev, "*",      web, frontend, 80,   TCP, deny]
            - [allow-cond,  lab, "*",      db,  postgres, 9187, TCP, allow]
            - [deny-cond,   lab, "*",      db,  postgres, 9187, TCP, deny]
        """

    func repository(spec: String? = spec) -> String {
        var files = Self.repository
        if let spec { files.append(("audit/spec.yaml", spec)) }
        return TestSupport.writeTree(files)
    }

    func json(_ text: String) throws -> [String: Any] { try TestSupport.jsonObject(text) }

    @Test func rowsAndCapabilitiesOfEveryVerdictKind() throws {
        let dir = repository()
        let r = try run(["audit", "--spec", "audit/spec.yaml", "--format", "json", "."], in: dir)
        #expect(r.status == 1, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect(doc["schemaVersion"] as? Int == 1)
        let rows = try #require(doc["matrix"] as? [[String: Any]])
        var byName: [String: [String: Any]] = [:]
        for row in rows { byName[row["name"] as! String] = row }
        func expectRow(_ name: String, _ verdict: String, _ status: String) {
            #expect(byName[name]?["verdict"] as? String == verdict, "\(name): \(byName[name] ?? [:])")
            #expect(byName[name]?["status"] as? String == status, "\(name)")
        }
        expectRow("allow-pass", "allowed", "pass")
        expectRow("deny-pass", "denied", "pass")
        expectRow("allow-fail", "denied", "fail")
        expectRow("deny-fail", "allowed", "fail")
        expectRow("allow-cond", "conditional", "conditional")
        expectRow("deny-cond", "conditional", "conditional")
        // The deciding rules, with file:line.
        let allowPass = try #require(byName["allow-pass"]?["decidedBy"] as? [[String: Any]])
        #expect(allowPass.contains { $0["name"] as? String == "postgres-ingress" && $0["path"] as? String == "policies/db.yaml" && $0["line"] as? Int == 7 && $0["rule"] as? String == "ingress[0]" })
        #expect(allowPass.contains { $0["name"] as? String == "frontend-egress" && $0["line"] as? Int == 7 && $0["kind"] as? String == "CiliumNetworkPolicy" })
        let allowFail = try #require(byName["allow-fail"]?["decidedBy"] as? [[String: Any]])
        #expect(allowFail.contains { $0["effect"] as? String == "enforces" && $0["name"] as? String == "frontend-egress" })
        #expect((byName["allow-cond"]?["reason"] as? String)?.contains("only if") == true)

        let caps = try #require(doc["capabilities"] as? [[String: Any]])
        var cap: [String: [String: Any]] = [:]
        for c in caps { cap[c["name"] as! String] = c }
        #expect(cap["web-dns"]?["status"] as? String == "pass")
        #expect(cap["everyone-reaches-postgres"]?["status"] as? String == "fail")
        let gaps = try #require(cap["everyone-reaches-postgres"]?["gaps"] as? [[String: Any]])
        #expect(gaps.count == 2)
        #expect(gaps.contains { $0["namespace"] as? String == "dev" && $0["workload"] as? String == "tool" })
        #expect(gaps.contains { $0["namespace"] as? String == "lab" && $0["workload"] is NSNull })
        #expect(gaps.allSatisfy { $0["verdict"] as? String == "denied" })
        #expect(cap["only-frontend-reaches-postgres"]?["status"] as? String == "pass", "\(cap["only-frontend-reaches-postgres"] ?? [:])")
        #expect((cap["only-frontend-reaches-postgres"]?["otherwiseChecked"] as? Int ?? 0) >= 1)
        #expect(cap["only-tool-reaches-frontend"]?["status"] as? String == "fail")
        let otherwise = try #require(cap["only-tool-reaches-frontend"]?["gaps"] as? [[String: Any]])
        #expect(otherwise.allSatisfy { $0["clause"] as? String == "otherwise" && $0["verdict"] as? String == "allowed" })
        #expect(cap["no-internet-to-postgres"]?["status"] as? String == "pass")

        let summary = try #require(doc["summary"] as? [String: Int])
        #expect(summary["pass"] == 5 && summary["fail"] == 4 && summary["conditional"] == 2, "\(summary)")
        #expect(doc["passed"] as? Bool == false)
        #expect(doc["drift"] is NSNull && doc["flows"] is NSNull)
    }

    @Test func aSpecThatHoldsExitsZero() throws {
        let spec = Self.spec.components(separatedBy: "  capabilities:").first! + """
              matrix:
                rows:
                - [allow-pass, web, frontend, db, postgres, 5432, TCP, allow]
                - [deny-pass, dev, "*", db, postgres, 5432, TCP, deny]
            """
        let dir = repository(spec: spec)
        let r = try run(["audit", "--spec", "audit/spec.yaml", "."], in: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("PASS  allow-pass") && r.stdout.contains("PASS  deny-pass"))
        #expect(r.stdout.contains("PASSED: 2 pass, 0 fail, 0 conditional"))
    }

    @Test func undocumentedFlowsAreListedWithTheirRules() throws {
        let dir = repository()
        let doc = try json(try run(["audit", "--spec", "audit/spec.yaml", "--format", "json", "."], in: dir).stdout)
        let undocumented = try #require(doc["undocumented"] as? [[String: Any]])
        // web -> db on 5432 and lab -> db on 9187 are documented rows.
        #expect(!undocumented.contains { $0["from"] as? String == "web/frontend" && $0["port"] as? String == "5432/TCP" })
        #expect(!undocumented.contains { $0["port"] as? String == "9187/TCP" })
        // Without a spec, every allowed cross-namespace flow is listed.
        let all = try json(try run(["audit", "--format", "json", "."], in: dir).stdout)
        let flows = try #require(all["undocumented"] as? [[String: Any]])
        let web = try #require(flows.first { $0["from"] as? String == "web/frontend" && $0["to"] as? String == "db/postgres" && $0["port"] as? String == "5432/TCP" })
        #expect(web["verdict"] as? String == "allowed")
        #expect((web["allowedBy"] as? [[String: Any]])?.count == 2)
        let cells = try #require(all["namespaceMatrix"] as? [[String: Any]])
        #expect(cells.contains { $0["from"] as? String == "web" && $0["to"] as? String == "db" && $0["state"] as? String == "allowed" })
        #expect(cells.contains { $0["from"] as? String == "dev" && $0["to"] as? String == "web" && $0["state"] as? String == "open" })
        #expect(cells.contains { $0["from"] as? String == "db" && $0["to"] as? String == "web" && $0["state"] as? String == "open" })
        let coverage = try #require(all["coverage"] as? [[String: Any]])
        #expect(coverage.contains { $0["namespace"] as? String == "web" && $0["dns"] as? String == "allowed" && $0["egressEnforced"] as? String == "yes" })
    }

    @Test func withoutASpecTheReportDescribesAndExitsZero() throws {
        let dir = repository(spec: nil)
        let r = try run(["audit", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Allowed cross-namespace flows"))
        #expect(r.stdout.contains("web/frontend -> db/postgres on 5432/TCP"))
    }

    @Test func aWrittenStarterSpecPassesWhenAudited() throws {
        let dir = repository(spec: nil)
        let w = try run(["audit", "--write-spec", "baseline.yaml", "."], in: dir)
        #expect(w.status == 0, "\(w.stderr)")
        let written = try String(contentsOfFile: dir + "/baseline.yaml", encoding: .utf8)
        #expect(written.contains("kind: NetworkBaseline"))
        #expect(written.contains("[web-to-postgres-5432, web, frontend, db, postgres, \"5432\", TCP, allow]") || written.contains("frontend-to-postgres-5432"), "\(written)")
        let r = try run(["audit", "--spec", "baseline.yaml", "."], in: dir)
        #expect(r.status == 0, "\(written)\n\(r.stdout)")
        // It refuses to overwrite.
        let again = try run(["audit", "--write-spec", "baseline.yaml", "."], in: dir)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
    }

    @Test func usageAndSpecErrorsExitTwo() throws {
        let dir = repository(spec: """
            apiVersion: netpol-lint.io/v1alpha1
            kind: NetworkBaseline
            spec:
              matrix:
                rows:
                - [a, web, frontnd, db, "*", 5432, TCP, allow]
                - [b, web, "*", db, "*", 99999, TCP, allow]
            """)
        let r = try run(["audit", "--spec", "audit/spec.yaml", "."], in: dir)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("audit/spec.yaml:6:16: error: unknown component 'frontnd'") })
        #expect(lines.contains { $0.hasPrefix("audit/spec.yaml:7:30: error: port 99999") })
        #expect(r.stderr.contains("2 errors in the spec"))
        for args in [["audit", "--spec", "missing.yaml", "."], ["audit", "--live", "missing.yaml", "."],
                     ["audit", "--flows", "missing.jsonl", "."], ["audit", "nowhere"],
                     ["audit", "--format", "pdf", "."], ["audit", "--spec", "audit/spec.yaml", "--write-spec", "x.yaml", "."]] {
            let e = try run(args, in: dir)
            #expect(e.status == 2, "\(args): \(e.stderr)")
        }
    }

    @Test func outputFile() throws {
        let dir = repository()
        let r = try run(["audit", "--spec", "audit/spec.yaml", "--format", "json", "-o", "report.json", "."], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(try json(String(contentsOfFile: dir + "/report.json", encoding: .utf8))["matrix"] != nil)
    }

    // MARK: The fixtures

    static var update: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil }

    func golden(_ path: String, _ actual: String) throws {
        let file = TestSupport.packageRoot + "/" + path
        if Self.update { try actual.write(toFile: file, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOfFile: file, encoding: .utf8)
        #expect(actual == expected, "\(path) differs from the golden file; run with UPDATE_GOLDEN=1 after checking the change")
    }

    static let votingApp = TestSupport.packageRoot + "/Fixtures/voting-app"
    static let votingAppAudit = ["audit", "--spec", "audit/network-baseline.yaml", "--live", "../voting-app-cluster/live-cluster.yaml",
                                 "--flows", "../voting-app-cluster/hubble-flows.jsonl"]

    @Test("the audit of each fixture against its spec matches its golden JSON", arguments: ["homelab", "tiered", "voting-app"])
    func fixtureGoldenJSON(_ fixture: String) throws {
        let dir = TestSupport.packageRoot + "/Fixtures/" + fixture
        let args = fixture == "voting-app" ? Self.votingAppAudit : ["audit", "--spec", "audit/network-baseline.yaml"]
        let r = try run(args + ["--format", "json", "."], in: dir)
        #expect(r.status == 1, "\(r.stderr)")
        try golden("Fixtures/\(fixture)/audit/expected-audit.json", r.stdout)
        let doc = try json(r.stdout)
        #expect((doc["matrix"] as? [Any])?.isEmpty == false)
        #expect((doc["capabilities"] as? [Any])?.isEmpty == false)
    }

    @Test func votingAppMarkdownMatchesGolden() throws {
        let r = try run(Self.votingAppAudit + ["--format", "md", "."], in: Self.votingApp)
        #expect(r.status == 1)
        try golden("Fixtures/voting-app/audit/expected-audit.md", r.stdout)
    }

    /// The voting application against its documented matrix, its cluster and its Hubble capture: the findings the
    /// fixture plants, each where it belongs.
    @Test func votingAppVerdictsDriftAndFlows() throws {
        let doc = try json(try run(Self.votingAppAudit + ["--format", "json", "."], in: Self.votingApp).stdout)
        let rows = try #require(doc["matrix"] as? [[String: Any]])
        let status = Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as! String, $0["status"] as! String) })
        // The NetworkPolicies select namespaces by a `name` label no namespace carries (NP304): the documented flows
        // into voting-data and voting-api are refused; the blocked flows stay blocked.
        #expect(status["frontend-to-api"] == "fail" && status["api-to-postgres"] == "fail" && status["consumer-to-redis"] == "fail")
        #expect(status["gateway-to-frontend"] == "pass")
        #expect(rows.filter { ($0["name"] as! String).hasSuffix("-blocked") }.allSatisfy { $0["status"] as? String == "pass" })
        let drift = try #require(doc["drift"] as? [[String: Any]])
        #expect(Set(drift.map { $0["change"] as! String }) == ["differs", "missing-in-cluster", "missing-in-git", "rejected-by-cluster"])
        let flows = try #require(doc["flows"] as? [[String: Any]])
        let disagreeing = flows.filter { $0["agrees"] as? Bool == false }
        #expect(disagreeing.count == 2)
        #expect(disagreeing.contains { $0["from"] as? String == "voting-api/api" && $0["observed"] as? String == "FORWARDED" && $0["repoVerdict"] as? String == "denied" })
        #expect(disagreeing.contains { $0["from"] as? String == "world" && $0["observed"] as? String == "DROPPED" && $0["repoVerdict"] as? String == "allowed" })
        #expect(flows.contains { $0["agrees"] as? Bool == true && $0["observed"] as? String == "DROPPED" })
        #expect(flows.contains { $0["from"] as? String == "host" && $0["agrees"] is NSNull })
        let stats = try #require(doc["flowStatistics"] as? [String: Any])
        #expect(stats["lines"] as? Int == 22 && stats["used"] as? Int == 17)
    }

    @Test func votingAppMarkdownParsesWithMarkdownIt() throws {
        guard let python = ExternalTools.require(ExternalTools.python(module: "markdown_it"),
                                                 for: "votingAppMarkdownParsesWithMarkdownIt", needs: "python3 with markdown-it-py",
                                                 install: ExternalTools.installCommand)
        else { return }
        let md = try run(Self.votingAppAudit + ["--format", "md", "."], in: Self.votingApp).stdout
        let result = ExternalTools.run(python, ["-c", AuditRenderTests.parser], stdin: md, timeout: 60)
        try #require(result.status == 0, "markdown-it-py failed: \(result.stderr)")
        let parsed = try JSONDecoder().decode(AuditRenderTests.Parsed.self, from: Data(result.stdout.utf8))
        #expect(parsed.tables.count >= 5)
        for t in parsed.tables {
            let width = t.rows.first?.count ?? 0
            #expect(t.rows.allSatisfy { $0.count == width }, "table at line \(t.line)")
            #expect(t.raw.allSatisfy { $0 == width }, "table at line \(t.line)")
        }
        // The matrix table holds every row of the spec by name.
        let names = Set(parsed.tables.flatMap { $0.rows.flatMap { $0 } })
        for n in ["gateway-to-frontend", "frontend-to-api", "external-to-redis-blocked"] { #expect(names.contains(n), "\(n)") }
        #expect(parsed.detailsOpened == parsed.detailsClosed && parsed.detailsNested)
    }

    @Test func votingAppHTMLInChromium() throws {
        guard let chromium = ExternalTools.require(ExternalTools.find("chromium", "chromium-browser"),
                                                   for: "votingAppHTMLInChromium", needs: "chromium",
                                                   install: ExternalTools.installCommand)
        else { return }
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = dir + "/report.html"
        let r = try run(Self.votingAppAudit + ["--format", "html", "-o", page, "."], in: Self.votingApp)
        #expect(r.status == 1)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(dir)/profile", "--hide-scrollbars"]
        let dump = ExternalTools.run(chromium, common + ["--dump-dom", "file://" + page], timeout: 60)
        try #require(!dump.timedOut && dump.status == 0 && dump.stdout.contains("</html>"), "chromium failed: \(dump.stderr.suffix(1000))")
        let dom = dump.stdout
        let doc = try json(try run(Self.votingAppAudit + ["--format", "json", "."], in: Self.votingApp).stdout)
        for row in try #require(doc["matrix"] as? [[String: Any]]) {
            let name = row["name"] as! String, status = row["status"] as! String
            #expect(dom.contains("class=\"row status-\(status)\" data-name=\"\(name)\""), "\(name) \(status)")
        }
        // Evidence with file:line, the namespace matrix and the drift are on the page.
        #expect(dom.contains("policies/voting-api/api-allow-frontend.yaml:5"))
        #expect(dom.contains("id=\"namespace-matrix\""))
        #expect(dom.contains("redis-exporter-allow-prometheus"))
        let shot = dir + "/report.png"
        let s = ExternalTools.run(chromium, common + ["--screenshot=\(shot)", "--window-size=1280,2400", "file://" + page], timeout: 60)
        #expect(!s.timedOut)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        if let keep = ProcessInfo.processInfo.environment["NETPOL_LINT_AUDIT_RENDER_OUT"] {
            try? png.write(to: URL(fileURLWithPath: keep + "/voting-app-audit.png"))
        }
    }

    /// The published JSON Schema of the spec is a valid schema, accepts every bundled spec (and the format's sample)
    /// and refuses what the reader refuses, as editors with yaml-language-server will.
    @Test func specSchemaValidatesTheSpecs() throws {
        guard let python = ExternalTools.require(ExternalTools.python(module: "check_jsonschema"),
                                                 for: "specSchemaValidatesTheSpecs", needs: "python3 with check-jsonschema",
                                                 install: ExternalTools.installCommand)
        else { return }
        let root = TestSupport.packageRoot
        let schema = root + "/docs/network-baseline.schema.json"
        let meta = ExternalTools.run(python, ["-m", "check_jsonschema", "--check-metaschema", schema], timeout: 120)
        #expect(meta.status == 0, "\(meta.stdout)\(meta.stderr)")
        var specs = ["homelab", "tiered", "voting-app"].map { root + "/Fixtures/\($0)/audit/network-baseline.yaml" }
        specs.append(root + "/Fixtures/voting-app/audit/from-architecture-doc.yaml")
        if let shared = TestSupport.requireShared("the NetworkBaseline sample against the schema") {
            specs.append(shared + "/research/audit/baseline-spec-sample.yaml")
        }
        let good = ExternalTools.run(python, ["-m", "check_jsonschema", "--schemafile", schema] + specs, timeout: 120)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let dir = TestSupport.writeTree([
            ("unknown-field.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  matrix: {rows: []}\n  extra: 1\n"),
            ("bad-entity.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  capabilities:\n  - {name: a, from: {entity: hots}, to: {namespaces: all}, expect: allow}\n"),
            ("bad-port.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  capabilities:\n  - {name: a, from: {entity: host}, to: {namespaces: all}, ports: [{port: 70000}], expect: allow}\n"),
            ("two-sides.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  capabilities:\n  - {name: a, from: {entity: host, component: x}, to: {namespaces: all}, expect: allow}\n"),
        ])
        for bad in ["unknown-field", "bad-entity", "bad-port", "two-sides"] {
            let r = ExternalTools.run(python, ["-m", "check_jsonschema", "--schemafile", schema, dir + "/\(bad).yaml"], timeout: 120)
            #expect(r.status != 0, "\(bad) passed the schema")
            // The reader refuses it too.
            if case .success = BaselineSpec.load(path: dir + "/\(bad).yaml") { Issue.record("\(bad) passed the reader") }
        }
    }

    /// Every repository of the shared corpus is audited without a crash in every format, and a starter spec written
    /// from a real repository reads back and passes.
    @Test func corpusAuditsInEveryFormat() throws {
        guard let shared = TestSupport.requireShared("the corpus audit test") else { return }
        let corpus = shared + "/corpus"
        let repos = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
        #expect(repos.count >= 10)
        let out = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        for repo in repos {
            // The two repositories with the most namespaces take seconds in a debug build: JSON only for them.
            let heavy = repo.hasPrefix("JJGadgets") || repo.hasPrefix("ArthurVardevanyan")
            for format in heavy ? ["json"] : ["json", "md", "html", "text"] {
                let r = try run(["audit", "--format", format, "-o", out + "/\(repo).\(format)", corpus + "/" + repo], in: out)
                #expect(r.status == 0, "\(repo) \(format): \(r.stderr.suffix(500))")
            }
            let doc = try json(String(contentsOfFile: out + "/\(repo).json", encoding: .utf8))
            #expect(doc["namespaces"] is [String], "\(repo)")
        }
        let repo = corpus + "/" + (repos.first { $0.hasPrefix("sulibot") } ?? repos[0])
        let w = try run(["audit", "--write-spec", out + "/spec.yaml", repo], in: out)
        #expect(w.status == 0, "\(w.stderr)")
        let back = try run(["audit", "--spec", out + "/spec.yaml", "--format", "json", repo], in: out)
        #expect(back.status == 0, "\(back.stderr)\n\(back.stdout.prefix(3000))")
    }

    /// Hostile audit inputs end in a clear error (exit 2, `file:line:col`) or in skipped-line counts, never a crash.
    @Test func hostileLiveAndFlowsInputs() throws {
        let dir = repository()
        try "apiVersion: v1\nkind: ConfigMap\nitems: 5\n".write(toFile: dir + "/not-a-list.yaml", atomically: true, encoding: .utf8)
        let notList = try run(["audit", "--live", "not-a-list.yaml", "."], in: dir)
        #expect(notList.status == 2)
        #expect(notList.stderr.hasPrefix("not-a-list.yaml:"), "\(notList.stderr)")
        try "items:\n- {apiVersion: v1, kind: Namespace, metadata: {name: [".write(toFile: dir + "/truncated.yaml", atomically: true, encoding: .utf8)
        let truncated = try run(["audit", "--live", "truncated.yaml", "."], in: dir)
        #expect(truncated.status == 2 && truncated.stderr.contains("truncated.yaml:"), "\(truncated.stderr)")
        let garbage = "not json\n{\"flow\": {\"verdict\": \"FORWARDED\"\n\u{0}\u{1}\u{2}\n{\"lost_events\": {}}\n[1, 2]\n"
        try garbage.write(toFile: dir + "/flows.jsonl", atomically: true, encoding: .utf8)
        let r = try run(["audit", "--flows", "flows.jsonl", "--format", "json", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect((doc["flows"] as? [Any])?.isEmpty == true)
        let stats = try #require(doc["flowStatistics"] as? [String: Any])
        #expect(stats["lines"] as? Int == 5 && stats["used"] as? Int == 0)
        #expect((stats["skipped"] as? [String: Int])?.values.reduce(0, +) == 5)
        // A directory is not a flows file.
        let d = try run(["audit", "--flows", "policies", "."], in: dir)
        #expect(d.status == 2 && d.stderr.contains("policies"), "\(d.stderr)")
    }

    /// The matrix read from the architecture document's tables gives, flow for flow, the verdicts of the same rows
    /// written in YAML, and its rows point into the document.
    @Test func markdownMatrixAgreesWithTheYAMLRows() throws {
        func rows(_ spec: String) throws -> [String: (String, Any?)] {
            let doc = try json(try run(["audit", "--spec", spec, "--format", "json", "."], in: Self.votingApp).stdout)
            var out: [String: (String, Any?)] = [:]
            for r in try #require(doc["matrix"] as? [[String: Any]]) {
                out["\(r["from"]!) \(r["to"]!) \(r["port"]!) \(r["expect"]!)"] = (r["status"] as! String, r["specPath"])
            }
            return out
        }
        let yaml = try rows("audit/network-baseline.yaml"), md = try rows("audit/from-architecture-doc.yaml")
        #expect(md.count == 11)
        var shared = 0
        for (flow, (status, path)) in md {
            #expect((path as? String)?.hasSuffix("docs/architecture.md") == true, "\(flow)")
            if let y = yaml[flow] {
                shared += 1
                #expect(y.0 == status, "\(flow): yaml \(y.0), markdown \(status)")
            }
        }
        #expect(shared >= 9, "\(md.keys.sorted())")
    }

    // MARK: Review regressions (each reproduced before its fix)

    /// Pods that only a deny rule tells apart are not merged into one class: the audit's flows agree with trace.
    @Test(arguments: [["bad", "good"], ["good", "zbad"]])
    func denyRulesSplitPodClasses(_ order: [String]) throws {
        let bad = order.first { $0.hasSuffix("bad") }!
        let dir = TestSupport.writeTree([
            ("ns.yaml", Manifests.namespaces("a", "b")),
            ("w.yaml", order.map { Manifests.workload($0, "a", "app: \($0)") }.joined() + Manifests.workload("srv", "b", "app: srv")),
            ("cnp.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: srv-in, namespace: b}
                spec:
                  endpointSelector: {matchLabels: {app: srv}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: a}}]
                    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                  ingressDeny:
                  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: a, app: \(bad)}}]
                """),
        ])
        let doc = try json(try run(["audit", "--format", "json", "."], in: dir).stdout)
        let flows = try #require(doc["undocumented"] as? [[String: Any]]).map { "\($0["from"]!) \($0["to"]!) \($0["port"]!)" }
        #expect(flows == ["a/good b/srv 8080/TCP"], "\(flows)")
        #expect(try run(["trace", "--from", "a/good", "--to", "b/srv", "--port", "8080/TCP", "."], in: dir).status == 0)
        #expect(try run(["trace", "--from", "a/\(bad)", "--to", "b/srv", "--port", "8080/TCP", "."], in: dir).status == 1)
    }

    /// A row's namespace cell naming a namespace the repository has (`ingress`) is that namespace, not the entity.
    @Test func namespaceNamedLikeAnEntity() throws {
        let dir = TestSupport.writeTree([
            ("ns.yaml", Manifests.namespaces("ingress", "b")),
            ("w.yaml", Manifests.workload("gw", "ingress", "app: gw") + Manifests.workload("srv", "b", "app: srv")),
            ("np.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: srv-in, namespace: b}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress}}}]
                    ports: [{port: 80}]
                """),
            ("spec.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  matrix:\n    rows:\n    - [gw-to-srv, ingress, \"*\", b, \"*\", 80, TCP, allow]\n    - [internet, world, \"*\", b, \"*\", 80, TCP, deny]\n"),
        ])
        let doc = try json(try run(["audit", "--spec", "spec.yaml", "--format", "json", "."], in: dir).stdout)
        let rows = try #require(doc["matrix"] as? [[String: Any]])
        #expect(rows.map { $0["status"] as! String } == ["pass", "pass"], "\(rows)")
        #expect((doc["undocumented"] as? [Any])?.isEmpty == true)
    }

    /// A rule on a named port makes the namespace pair conditional (as trace says), not denied.
    @Test func namedPortRulesAreConditionalInTheMatrix() throws {
        let dir = TestSupport.writeTree([
            ("ns.yaml", Manifests.namespaces("a", "b")),
            ("w.yaml", Manifests.workload("client", "a", "app: client") + Manifests.workload("srv", "b", "app: srv")),
            ("cnp.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: srv-in, namespace: b}
                spec:
                  endpointSelector: {matchLabels: {app: srv}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: a}}]
                    toPorts: [{ports: [{port: http, protocol: TCP}]}]
                """),
        ])
        let doc = try json(try run(["audit", "--format", "json", "."], in: dir).stdout)
        let cells = try #require(doc["namespaceMatrix"] as? [[String: Any]])
        #expect(cells.contains { $0["from"] as? String == "a" && $0["to"] as? String == "b" && $0["state"] as? String == "conditional" }, "\(cells)")
        #expect(try run(["trace", "--from", "a/client", "--to", "b/srv", "--port", "8080/TCP", "."], in: dir).stdout.hasPrefix("CONDITIONAL"))
    }

    /// A row on a named port documents no numbered flow; a capability without ports covers TCP only.
    @Test func documentationMatchesPortsExactly() throws {
        let dir = TestSupport.writeTree([
            ("ns.yaml", Manifests.namespaces("a", "b")),
            ("w.yaml", Manifests.workload("client", "a", "app: client") + Manifests.workload("srv", "b", "app: srv")),
            ("np.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: srv-in, namespace: b}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}}]
                    ports: [{port: 5432}, {port: 53, protocol: UDP}]
                """),
            ("spec.yaml", """
                apiVersion: netpol-lint.io/v1alpha1
                kind: NetworkBaseline
                spec:
                  capabilities:
                  - {name: some-tcp, from: {namespaces: [a]}, to: {namespaces: [b]}, expect: allow}
                  matrix:
                    rows:
                    - [metrics, a, "*", b, "*", metrics, TCP, allow]
                """),
        ])
        let doc = try json(try run(["audit", "--spec", "spec.yaml", "--format", "json", "."], in: dir).stdout)
        let flows = try #require(doc["undocumented"] as? [[String: Any]]).map { $0["port"] as! String }
        #expect(flows == ["53/UDP"], "\(flows)")
    }

    /// Hubble's per-direction verdict is compared with the same side of the repository's answer.
    @Test func observedVerdictsAreComparedPerDirection() throws {
        let dir = TestSupport.writeTree([
            ("ns.yaml", Manifests.namespaces("a", "b")),
            ("w.yaml", Manifests.workload("client", "a", "app: client") + Manifests.workload("srv", "b", "app: srv")),
            ("cnp.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: srv-in, namespace: b}
                spec:
                  endpointSelector: {matchLabels: {app: srv}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: a}}]
                    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """),
            ("flows.jsonl", [
                #"{"flow":{"verdict":"FORWARDED","event_type":{"type":5},"traffic_direction":"EGRESS","l4":{"TCP":{"destination_port":80}},"source":{"namespace":"a","labels":["k8s:app=client","k8s:io.kubernetes.pod.namespace=a"],"workloads":[{"name":"client"}]},"destination":{"namespace":"b","labels":["k8s:app=srv","k8s:io.kubernetes.pod.namespace=b"],"workloads":[{"name":"srv"}]}}}"#,
                #"{"flow":{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","event_type":{"type":1},"traffic_direction":"INGRESS","l4":{"TCP":{"destination_port":80}},"source":{"namespace":"a","labels":["k8s:app=client","k8s:io.kubernetes.pod.namespace=a"],"workloads":[{"name":"client"}]},"destination":{"namespace":"b","labels":["k8s:app=srv","k8s:io.kubernetes.pod.namespace=b"],"workloads":[{"name":"srv"}]}}}"#,
            ].joined(separator: "\n") + "\n"),
        ])
        let r = try run(["audit", "--flows", "flows.jsonl", "--format", "json", "."], in: dir)
        #expect(r.status == 0, "\(r.stdout)")
        let flows = try #require(try json(r.stdout)["flows"] as? [[String: Any]])
        #expect(flows.count == 2 && flows.allSatisfy { $0["agrees"] as? Bool == true }, "\(flows)")
    }

    /// A starter spec written from each fixture loads, and auditing the fixture against it passes with nothing
    /// undocumented.
    @Test(arguments: ["homelab", "tiered", "voting-app"])
    func starterSpecRoundTripOnFixtures(_ fixture: String) throws {
        let out = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let dir = TestSupport.packageRoot + "/Fixtures/" + fixture
        #expect(try run(["audit", "--write-spec", out + "/spec.yaml", "."], in: dir).status == 0)
        let r = try run(["audit", "--spec", out + "/spec.yaml", "--format", "json", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect((doc["undocumented"] as? [Any])?.isEmpty == true)
        #expect((doc["summary"] as? [String: Int])?["fail"] == 0)
    }

    /// A spec that does not list platform namespaces keeps the configuration's.
    @Test func platformNamespacesFallBackToTheConfiguration() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yaml", "platformNamespaces: [monitoring]\n"),
            ("ns.yaml", Manifests.namespaces("monitoring", "b")),
            ("spec.yaml", "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  capabilities:\n  - {name: p, from: {namespaces: platform}, to: {namespaces: [b]}, expect: allow}\n"),
        ])
        let doc = try json(try run(["audit", "--spec", "spec.yaml", "--format", "json", "."], in: dir).stdout)
        let cap = try #require((doc["capabilities"] as? [[String: Any]])?.first)
        #expect(cap["checked"] as? Int == 1 && cap["status"] as? String == "pass", "\(cap)")
        #expect((doc["coverage"] as? [[String: Any]])?.contains { $0["namespace"] as? String == "monitoring" && $0["platform"] as? Bool == true } == true)
    }

    /// Many broad rows cannot make the audit unbounded: one budget of pod pairs for the whole spec, at most 20 pairs
    /// kept per row.
    @Test func aSpecOfManyBroadRowsIsBounded() throws {
        var spec = "apiVersion: netpol-lint.io/v1alpha1\nkind: NetworkBaseline\nspec:\n  matrix:\n    rows:\n"
        for i in 0..<2_000 { spec += "    - [r\(i), \"*\", \"*\", \"*\", \"*\", \(1000 + i), TCP, allow]\n" }
        let dir = TestSupport.packageRoot + "/Fixtures/homelab"
        let out = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try spec.write(toFile: out + "/spec.yaml", atomically: true, encoding: .utf8)
        let r = try run(["audit", "--spec", out + "/spec.yaml", "--format", "json", "-o", out + "/r.json", "."], in: dir)
        #expect(r.status == 1)
        let doc = try json(String(contentsOfFile: out + "/r.json", encoding: .utf8))
        let rows = try #require(doc["matrix"] as? [[String: Any]])
        #expect(rows.count == 2_000)
        #expect(rows.allSatisfy { ($0["checks"] as? [Any])?.count ?? 0 <= 20 })
        #expect(rows.last?["reason"] as? String == "not evaluated: the audit's budget of 100000 pod pairs is spent")
        #expect(rows.map { $0["checked"] as? Int ?? 0 }.reduce(0, +) <= 100_000)
    }
}
