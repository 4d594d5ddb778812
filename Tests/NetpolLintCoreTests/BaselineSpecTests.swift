import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// The audit's spec reader: every error is one `path:line:col: error:` line, all are reported, hostile specs end in
/// an error, never a crash.
@Suite struct BaselineSpecTests {
    func parse(_ text: String) -> Result<BaselineSpec, SpecErrors> {
        BaselineSpec.parse(Array(text.utf8), path: "spec.yaml")
    }

    func errors(_ text: String) -> [String] {
        switch parse(text) {
        case .success: return []
        case .failure(let e): return e.errors.map(\.description)
        }
    }

    let header = """
        apiVersion: netpol-lint.io/v1alpha1
        kind: NetworkBaseline
        metadata: {name: t}
        spec:

        """

    @Test func readsTheSharedSample() throws {
        guard let shared = TestSupport.requireShared("the NetworkBaseline sample") else { return }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: shared + "/research/audit/baseline-spec-sample.yaml")))
        let spec = try BaselineSpec.parse(bytes, path: "sample.yaml").get()
        #expect(spec.name == "prod-eu1")
        #expect(spec.platformNamespaces == ["kube-system", "monitoring", "ingress-nginx", "argocd"])
        #expect(spec.components.count == 5)
        #expect(spec.capabilities.map(\.name) == ["dns-egress", "prometheus-scrape", "health-probes", "kube-api"])
        #expect(spec.capabilities[3].otherwiseDeny)
        #expect(spec.capabilities[1].ports.first?.name == "metrics")
        #expect(spec.rows.count == 5)
        #expect(spec.rows[3].name == "web-to-db-blocked" && spec.rows[3].expect == .deny && spec.rows[3].toText == "payments/*")
        #expect(spec.rows[0].port == BaselineSpec.Port(number: 8080, name: nil, proto: "TCP"))
    }

    @Test func readsEveryFixtureSpec() throws {
        for fixture in ["homelab", "tiered", "voting-app"] {
            let path = TestSupport.packageRoot + "/Fixtures/\(fixture)/audit/network-baseline.yaml"
            let spec = BaselineSpec.load(path: path)
            if case .failure(let e) = spec { Issue.record("\(fixture): \(e)") }
        }
    }

    @Test func reportsEveryErrorWithLineColumnAndSuggestion() {
        let e = errors(header + """
              platformNamespaces: [kube-system, Bad_Name]
              components:
                api: {namespace: payments, podSelector: {matchLabels: {app: api}}}
                web: {namespace: payments, podSelectr: {}}
              capabilities:
              - name: dns
                from: {namespaces: al}
                to: {component: apii}
                ports: [{port: 70000, protocol: UDP}, {port: 53, protocol: udp}]
                expect: alow
              - name: probes
                from: {entity: hots}
                to: {namespaces: all}
                expect: allow
              matrix:
                columns: [name, srcNamespace, srcComponent, dstNamespace, dstComponent, port, protocol, expect]
                rows:
                - [a, payments, api, payments, nope, 8080, TCP, allow]
                - [b, payments, api, other, api, 8080, TCP, allow]
                - [c, payments, api]
            """)
        let expected = [
            "spec.yaml:5:37: error: 'Bad_Name' is not a namespace name",
            "spec.yaml:8:32: error: unknown field 'podSelectr' in component 'web'; did you mean 'podSelector'?",
            "spec.yaml:11:24: error: namespaces: 'al' is not all, workload, platform or a list of namespace names; did you mean 'all'?",
            "spec.yaml:12:21: error: unknown component 'apii' in to of capability 'dns'; did you mean 'api'?",
            "spec.yaml:13:20: error: port 70000 in capability 'dns' is out of range (1-65535)",
            "spec.yaml:13:64: error: protocol 'udp' in capability 'dns' is not TCP, UDP or SCTP; write it in upper case ('UDP')",
            "spec.yaml:14:13: error: expect 'alow' in capability 'dns' is not allow or deny; did you mean 'allow'?",
            "spec.yaml:16:20: error: unknown entity 'hots' in from of capability 'probes'",
            "spec.yaml:22:36: error: unknown component 'nope' in matrix row 'a'",
            "spec.yaml:23:26: error: matrix row 'b': component 'api' is in namespace 'payments', not 'other'",
            "spec.yaml:24:7: error: row 3 has 3 values; matrix.columns has 8",
        ]
        #expect(e.count == expected.count, "\(e.joined(separator: "\n"))")
        for (got, want) in zip(e, expected) { #expect(got.hasPrefix(want), "\(got)\n  wanted \(want)") }
        #expect(e.contains { $0.contains("'hots'") && $0.contains("did you mean 'host'?") })
    }

    @Test func envelopeErrors() {
        #expect(errors("apiVersion: v1\nkind: NetworkBaselin\nspec: {}\n").contains {
            $0.hasPrefix("spec.yaml:1:13: error: apiVersion 'v1' is not supported")
        })
        #expect(errors("apiVersion: v1\nkind: NetworkBaselin\nspec: {}\n").contains { $0.contains("did you mean 'NetworkBaseline'") })
        #expect(errors(header + "  matrix: {rows: []}\n  extra: 1\n").contains { $0.contains("unknown field 'extra' in spec") })
        #expect(errors(header + "  {}\n").contains { $0.contains("the spec documents nothing") })
        #expect(errors("").first?.contains("the spec is empty") == true)
        #expect(errors("- a\n- b\n").first?.contains("the spec must be a mapping") == true)
        #expect(errors(header + "  matrix: {rows: []}\n---\n" + header + "  matrix: {rows: []}\n").first?.contains("2 documents") == true)
    }

    @Test func duplicateKeysAreErrors() {
        let e = errors(header + "  matrix: {rows: []}\n  matrix: {rows: []}\n")
        #expect(e.contains { $0.hasPrefix("spec.yaml:6:3: error: 'matrix' is given twice in spec") }, "\(e)")
    }

    @Test func rowsAsMappingsAndCustomColumns() throws {
        let spec = try parse(header + """
              components:
                api: {namespace: payments, podSelector: {matchExpressions: [{key: app, operator: In, values: [api, api2]}]}}
              matrix:
                columns: [srcNamespace, dstNamespace, dstComponent, port, expect]
                rows:
                - [dev, payments, api, 8080, deny]
                - {name: named, srcNamespace: world, dstNamespace: payments, port: "443", expect: deny}
            """).get()
        #expect(spec.rows.count == 2)
        #expect(spec.rows[0].name == "row-1" && spec.rows[0].fromText == "dev/*" && spec.rows[0].toText == "payments/api")
        if case .namespaceOrEntity("world") = spec.rows[1].from {} else { Issue.record("world is an entity unless a namespace has that name") }
        #expect(spec.rows[1].port.number == 443)
    }

    @Test func otherwiseNeedsASelectorAndAllow() {
        let e = errors(header + """
              capabilities:
              - name: k
                from: {namespaces: all}
                to: {entity: kube-apiserver}
                expect: deny
                otherwise: deny
            """)
        #expect(e.contains { $0.contains("otherwise: deny only makes sense with expect: allow") })
        #expect(e.contains { $0.contains("otherwise: deny needs a podSelector") })
    }

    @Test func aliasBombIsAnError() {
        var s = header + "  x:\n"
        s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { s += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let e = errors(s)
        #expect(e.count == 1)
        #expect(e.first?.hasPrefix("spec.yaml:") == true)
    }

    @Test func hugeMatrixIsBounded() {
        var s = header + "  matrix:\n    rows:\n"
        for i in 0..<(BaselineSpec.maxRows + 5) { s += "    - [r\(i), a, \"*\", b, \"*\", 80, TCP, allow]\n" }
        let e = errors(s)
        #expect(e.count == 1)
        #expect(e.first?.contains("more than \(BaselineSpec.maxRows) matrix rows") == true)
    }

    @Test func garbageNeverCrashes() {
        let inputs = ["\u{0}\u{1}\u{2}", "{{{{", "spec: [", "apiVersion: [1, 2]\nkind: {}\nspec: 5\n", String(repeating: "[", count: 2000),
                      header + "  matrix: {rows: 5}\n", header + "  matrix: {rows: [5, [1]]}\n", header + "  components: [a]\n  matrix: {rows: []}\n",
                      header + "  capabilities: [{name: [x], from: 1, to: {}, expect: [allow]}]\n"]
        for i in inputs {
            if case .success = parse(i) { Issue.record("accepted: \(i.prefix(40))") }
        }
    }

    // MARK: Markdown tables

    func load(_ files: [(String, String)]) -> Result<BaselineSpec, SpecErrors> {
        let dir = TestSupport.writeTree(files)
        return BaselineSpec.load(path: dir + "/audit/spec.yaml")
    }

    static let doc = """
        # Design

        ## Traffic matrix

        | Source Namespace | Source Component | Destination Namespace | Destination Component | Port | Purpose |
        |---|---|---|---|---|---|
        | `web` or `edge` | Web Pods | `db` | Database | 5432 | Read \\| write data |
        | All namespaces | All Pods | `kube-system` | kube-dns | 53/UDP | DNS |

        ## Blocked

        | Source Namespace | Source Component | Destination Namespace | Destination Component | Port | Expected |
        |---|---|---|---|---|---|
        | External | — | `db` | Database | 5432 | ❌ Denied |
        """

    static let mdSpec = """
        apiVersion: netpol-lint.io/v1alpha1
        kind: NetworkBaseline
        spec:
          components:
            web: {namespace: web, podSelector: {matchLabels: {app: web}}}
            edge-web: {namespace: edge, podSelector: {matchLabels: {app: web}}}
            db: {namespace: db, podSelector: {matchLabels: {app: db}}}
            kube-dns: {namespace: kube-system, podSelector: {matchLabels: {k8s-app: kube-dns}}}
          matrix:
            markdown:
            - {file: ../docs/design.md, table: traffic}
            - {file: ../docs/design.md, table: 2}
            names: {Web Pods: "*", Database: db, External: world, "—": "*", "All Pods": "*"}
        """

    @Test func matrixFromMarkdownTables() throws {
        let spec = try load([("docs/design.md", Self.doc), ("audit/spec.yaml", Self.mdSpec)]).get()
        let rows = spec.rows.map { "\($0.name) \($0.fromText) -> \($0.toText) \($0.port) \($0.expect)" }
        #expect(rows == [
            "read-write-data-from-web web/* -> db/db 5432/TCP allow",
            "read-write-data-from-edge edge/* -> db/db 5432/TCP allow",
            "dns * -> kube-system/kube-dns 53/UDP allow",
            "blocked-1 world -> db/db 5432/TCP deny",
        ], "\(rows)")
        #expect(spec.rows[0].path.hasSuffix("docs/design.md") && spec.rows[0].line == 7)
    }

    @Test func markdownErrorsPointIntoTheDocument() {
        let badDoc = Self.doc.replacingOccurrences(of: "| Database | 5432 | Read", with: "| Databse | 5432 | Read")
            + "\n## Extra\n\n| Source Namespace | Destination Namespace | Port |\n|---|---|---|\n| a | b |\n"
        let spec = Self.mdSpec.replacingOccurrences(of: "table: traffic}", with: "table: trafic matrix}")
            .replacingOccurrences(of: "    - {file: ../docs/design.md, table: 2}",
                                  with: "    - {file: ../docs/design.md, table: 2}\n    - {file: ../docs/design.md, table: Extra}\n    - {file: ../docs/missing.md}")
        guard case .failure(let e) = load([("docs/design.md", badDoc), ("audit/spec.yaml", spec)]) else {
            Issue.record("accepted")
            return
        }
        let lines = e.errors.map(\.description)
        #expect(lines.contains { $0.contains("no table in '../docs/design.md' is under a heading containing 'trafic matrix'; did you mean 'Traffic matrix'?") }, "\(lines)")
        #expect(lines.contains { $0.contains("docs/design.md:19:1: error: this table row has 2 cells; its header has 3") || $0.contains("docs/design.md:19:3: error: this table row has 2 cells") }, "\(lines)")
        #expect(lines.contains { $0.contains("cannot read the markdown document") && $0.contains("missing.md") }, "\(lines)")
        // With the right heading, the misspelt component is reported at its cell in the document.
        let spec2 = Self.mdSpec
        guard case .failure(let e2) = load([("docs/design.md", badDoc), ("audit/spec.yaml", spec2)]) else {
            Issue.record("accepted the misspelt component")
            return
        }
        #expect(e2.errors.map(\.description).contains { $0.contains("docs/design.md:7:") && $0.contains("'Databse' is not a component of the spec") && $0.contains("did you mean 'Database'") == false }, "\(e2.errors)")
    }
}
