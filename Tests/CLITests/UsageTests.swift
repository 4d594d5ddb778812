import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// What a user sees when they make a mistake on the command line: usage errors exit 2 with a message that says
/// what is wrong (and what they may have meant), never a finding or a silent success.
@Suite(.serialized) struct UsageTests {
    static let fixture = TestSupport.packageRoot + "/Fixtures/homelab"

    func run(_ args: [String], in dir: String = fixture, stdin: String? = nil) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir, stdin: stdin)
    }

    // MARK: - Item 1: usage mistakes exit 2

    @Test func missingPathIsAUsageError() throws {
        for args in [["check", "/nonexistent"], ["/nonexistent"], ["check", "--format", "sarif", "no-such-dir"]] {
            let r = try run(args)
            #expect(r.status == 2, "\(args): exit \(r.status)")
            #expect(r.stdout.isEmpty, "\(args): no report for a missing path: \(r.stdout)")
            #expect(r.stderr.contains("does not exist"), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("NP100") && !r.stderr.contains("NP100"))
        }
    }

    @Test func mistypedSubcommandSuggestsTheRightOne() throws {
        for (typo, meant) in [("chek", "check"), ("trce", "trace"), ("audt", "audit"), ("expalin", "explain"), ("rule", "rules")] {
            let r = try run([typo])
            #expect(r.status == 2, "\(typo): exit \(r.status)")
            #expect(r.stderr.contains("did you mean '\(meant)'"), "\(typo): \(r.stderr)")
        }
    }

    @Test func stdinWithAMissingContextIsAnError() throws {
        let buffer = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
        let r = try run(["check", "--stdin", "--stdin-filename", "network-policy/new.yaml", "no-such-context"], stdin: buffer)
        #expect(r.status == 2)
        #expect(r.stderr.contains("'no-such-context' does not exist"), "\(r.stderr)")
    }
}

/// Item 9: options mean the same thing everywhere and say what is wrong.
@Suite(.serialized) struct OptionConsistencyTests {
    func run(_ args: [String], in dir: String = UsageTests.fixture) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    @Test func maxFileSizeTakesTheConfigurationsUnits() throws {
        let dir = TestSupport.writeTree([("big.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n# " + String(repeating: "x", count: 2048) + "\n")])
        #expect(try run(["check", "--max-file-size", "10MB", "."], in: dir).status == 0)
        let small = try run(["check", "--max-file-size", "1KB", "--fail-on", "warning", "."], in: dir)
        #expect(small.status == 1 && small.stdout.contains("NP106"), "\(small.stdout)")
        for bad in ["ten", "0", "-1", "99999999999999999MB", "2048MB"] {
            let r = try run(["check", "--max-file-size", bad, "."], in: dir)
            #expect(r.status == 2 && r.stderr.contains("--max-file-size must be"), "\(bad): \(r.stderr)")
        }
        let help = try run(["check", "--help"])
        #expect(help.stdout.contains("10MB"), "the default is shown in --help")
    }

    @Test func jobsSaysWhatIsWrong() throws {
        for bad in ["-1", "0"] {
            let r = try run(["check", "--jobs", bad, "."])
            #expect(r.status == 2 && r.stderr.contains("--jobs must be a number of workers, at least 1 (got \(bad))"), "\(r.stderr)")
        }
    }

    @Test func enableAndDisableTakeCommaListsAndSuggest() throws {
        let all = try run(["check", "--fail-on", "never", "."])
        let fewer = try run(["check", "--fail-on", "never", "--disable", "NP205,hardcoded-ip", "--disable", "NP303", "."])
        #expect(fewer.status == 0)
        #expect(all.stdout.contains("[NP204 ") && all.stdout.contains("[NP303 "))
        #expect(!fewer.stdout.contains("[NP204 ") && !fewer.stdout.contains("[NP205 ") && !fewer.stdout.contains("[NP303 "))
        let typo = try run(["check", "--disable", "hardcoded-ipp", "."])
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'hardcoded-ip'?"), "\(typo.stderr)")
        let explain = try run(["explain", "NP2O4"])
        #expect(explain.status == 2 && explain.stderr.contains("did you mean 'NP204'?"), "\(explain.stderr)")
    }

    @Test func rulesListsByIdInTheREADMEsWords() throws {
        let r = try run(["rules"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID ") == true)
        let ids = lines.dropFirst().map { String($0.prefix(5)) }
        #expect(ids == ids.sorted() && ids.count == builtInRules.count)
        #expect(lines.contains { $0.hasPrefix("NP100 ") && $0.contains(" always ") })
        #expect(!r.stdout.contains(" default "), "the README says 'always'")
        // Columns line up: every summary starts in the same column.
        let summaries = Dictionary(uniqueKeysWithValues: builtInRules.map { ($0.description.id, $0.description.summary) })
        let summaryColumn = lines.map { line in
            line.range(of: summaries[String(line.prefix(5))] ?? "SUMMARY")?.lowerBound.utf16Offset(in: line)
        }
        #expect(Set(summaryColumn).count == 1, "\(summaryColumn)")
    }

    @Test func initHelpSaysItsDefaultOnce() throws {
        let help = try run(["init", "--help"])
        #expect(help.stdout.components(separatedBy: "default").count - 1 == 1, "\(help.stdout)")
    }

    @Test func generateDocsNeedsAnOutputFolder() throws {
        let dir = TestSupport.writeTree([("keep.txt", "x\n")])
        let r = try run(["generate-docs"], in: dir)
        #expect(r.status == 2 && r.stderr.contains("--output"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/docs"), "nothing was written into the current directory")
        #expect(try run(["generate-docs", "--output", "out"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/out/NP204.md"))
    }
}

/// Item 8: a run that finds no YAML says so.
@Suite(.serialized) struct EmptyRunTests {
    @Test func noYAMLFoundIsSaidOnStandardError() throws {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let dir = TestSupport.writeTree([("README.md", "# nothing here\n"), ("charts/x.txt", "not yaml\n")])
        let r = try TestSupport.runCLI(["check", "."], in: dir)
        #expect(r.status == 0, "no findings: exit 0 (documented in the README)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("warning: no YAML files (*.yaml, *.yml) found under '.'"), "\(r.stderr)")
        let json = try TestSupport.runCLI(["check", "--format", "json", "."], in: dir)
        #expect(json.stderr.contains("no YAML files"), "also with a machine-readable report on stdout")
        #expect(json.stdout.contains("\"findings\": []"))
        // A run that finds files says nothing of the sort.
        let some = try TestSupport.runCLI(["check", "."], in: TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")]))
        #expect(!some.stderr.contains("no YAML files"))
    }
}

/// Item 7: configuration errors, all at once, each with file:line.
@Suite(.serialized) struct ConfigurationCLITests {
    func run(_ args: [String], in dir: String) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    @Test func allProblemsAreReportedWithTheirLines() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yaml", "preset: homelab-profile\nrules:\n  NP9999: off\n  hardcoded-ipp: warning\nexclude: [a]\nexclude: [b]\n"),
            ("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"),
        ])
        let r = try run(["check", "."], in: dir)
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stderr)")
        #expect(lines.first?.hasSuffix(".netpol-lint.yaml:1: error: unknown preset 'homelab-profile'; did you mean 'homelab-profiles'? (known: homelab-profiles, tiered-zero-trust, kubernetes)") == true, "\(r.stderr)")
        #expect(lines.contains { $0.hasSuffix(".netpol-lint.yaml:3: error: unknown rule 'NP9999' (see 'netpol-lint rules')") || $0.contains(".netpol-lint.yaml:3: error: unknown rule 'NP9999'") })
        #expect(lines.contains { $0.contains(".netpol-lint.yaml:4: error: unknown rule 'hardcoded-ipp'; did you mean 'hardcoded-ip'?") })
        #expect(lines.contains { $0.contains(".netpol-lint.yaml:6: error: duplicate key 'exclude' (first at line 5)") })
    }

    @Test func aMissingConfigFileSaysWhy() throws {
        let dir = TestSupport.writeTree([("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")])
        let r = try run(["check", "--config", "missing.yaml", "."], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr == "missing.yaml: error: cannot read the configuration file: No such file or directory\n", "\(r.stderr)")
    }

    @Test func dotYmlIsFoundToo() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yml", "preset: homelab-profiles\n"),
            ("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"),
        ])
        let r = try run(["check", "."], in: dir)
        #expect(r.stdout.contains("[NP212 app-namespace-without-profile]"), "the preset of .netpol-lint.yml applies: \(r.stdout)")
        #expect(!r.stdout.contains(".netpol-lint.yml:"), "the configuration is not linted as a manifest")
        let both = TestSupport.writeTree([(".netpol-lint.yml", "preset: kubernetes\n"), (".netpol-lint.yaml", "preset: kubernetes\n"),
                                          ("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")])
        let r2 = try run(["check", "."], in: both)
        #expect(r2.status == 2 && r2.stderr.contains("both .netpol-lint.yaml and .netpol-lint.yml"), "\(r2.stderr)")
    }
}

/// Item 6: suppressions that cannot work, give no reason or hide nothing are reported; `disable-line` works.
@Suite(.serialized) struct SuppressionCLITests {
    static let policy = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: nas-egress
          namespace: backup
          annotations:
            ignore-check.netpol-lint.io/hardcoded-ipp: "the NAS has no DNS name"
            ignore-check.netpol-lint.io/NP9999: "typo"
        spec:
          description: backups go to the NAS
          endpointSelector: {}
          egress:
            # netpol-lint: disable-nextline NP204 -- the NAS has no DNS name
            - toCIDR: [192.168.1.20/32]
              toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
            - toCIDR: [192.168.1.21/32]  # netpol-lint: disable-line NP204 -- the second NAS
              toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
            # netpol-lint: disable-next-line NP204
            - toCIDR: [192.168.1.22/32]
              toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
            # netpol-lint: disable-next-line NP204 -- left behind when the rule below was rewritten
            - toEntities: [kube-apiserver]
              toPorts: [{ports: [{port: "6443", protocol: TCP}]}]

        """

    @Test func suppressionsComplain() throws {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let dir = TestSupport.writeTree([("nas.yaml", Self.policy)])
        let r = try TestSupport.runCLI(["check", "--fail-on", "never", "."], in: dir)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        func at(_ prefix: String, _ rule: String) -> Bool { lines.contains { $0.hasPrefix(prefix) && $0.contains(rule) } }
        #expect(at("nas.yaml:7:5: warning: unknown rule 'hardcoded-ipp' in annotation", "[NP108 invalid-suppression]"), "\(r.stdout)")
        #expect(at("nas.yaml:8:5: warning: unknown rule 'NP9999' in annotation", "[NP108 invalid-suppression]"), "\(r.stdout)")
        #expect(at("nas.yaml:13:20: warning: unknown netpol-lint directive 'disable-nextline' suppresses nothing; did you mean 'disable-next-line'?", "[NP108 "), "\(r.stdout)")
        #expect(at("nas.yaml:14:", "[NP204 hardcoded-ip]"), "the misspelt directive hid nothing: \(r.stdout)")
        #expect(!at("nas.yaml:16:", "[NP204 hardcoded-ip]"), "disable-line hides the finding on its own line: \(r.stdout)")
        #expect(at("nas.yaml:18:5: warning: netpol-lint disable-next-line without a reason", "[NP108 "), "\(r.stdout)")
        #expect(!at("nas.yaml:19:", "[NP204 hardcoded-ip]"), "a directive without a reason still works")
        #expect(at("nas.yaml:21:5: warning: netpol-lint disable-next-line NP204 suppresses nothing", "[NP109 unused-suppression]"), "\(r.stdout)")
        #expect(!lines.contains { $0.contains("[NP109") && !$0.hasPrefix("nas.yaml:21:") }, "used suppressions are not reported: \(r.stdout)")
    }
}

/// Item 3: text output that people and problem matchers can read.
@Suite(.serialized) struct TextOutputTests {
    @Test("findings are sorted, related locations indented under them, counts agree", arguments: ["homelab", "tiered", "voting-app"])
    func relatedLocationsAreIndented(_ fixture: String) throws {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let r = try TestSupport.runCLI(["check", "."], in: TestSupport.packageRoot + "/Fixtures/" + fixture)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let findings = lines.filter { !$0.hasPrefix(" ") }
        let related = lines.filter { $0.hasPrefix("    ") }
        #expect(findings.count + related.count == lines.count)
        // What a gcc-style problem matcher reads: only the findings.
        let matcher = try Swift.Regex(#"^([^\s].*?):(\d+):(\d+): (error|warning|note): (.*)$"#)
        #expect(findings.allSatisfy { $0.wholeMatch(of: matcher) != nil })
        #expect(related.allSatisfy { $0.wholeMatch(of: matcher) == nil }, "related lines are skipped by problem matchers")
        // Sorted by path, then line and column.
        func key(_ line: String) -> (String, Int, Int) {
            let p = line.split(separator: ":", maxSplits: 3)
            return (String(p[0]), Int(p[1]) ?? 0, Int(p[2]) ?? 0)
        }
        let keys = findings.map(key)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { a, b in a.0 != b.0 ? a.0 < b.0 : (a.1, a.2) <= (b.1, b.2) })
        // The summary counts what is printed as findings.
        let notes = findings.filter { $0.contains(": note: ") }.count
        #expect(r.stderr.contains(" \(notes) note"), "\(r.stderr)")
        #expect(r.stderr.contains("\nby rule: "), "\(r.stderr)")
    }

    @Test func aRelatedNoteNamesThePeerInAnotherFile() throws {
        let r = try TestSupport.runCLI(["check", "."], in: TestSupport.packageRoot + "/Fixtures/homelab")
        #expect(!r.stdout.contains("this {} peer"))
        #expect(r.stdout.contains("is admitted only by the {} peer of CCNP 'baseline-allow-intra-namespace' (network-policy/baselines/allow-intra-namespace.yaml:"))
    }
}

/// Item 10: one vocabulary in JSON — full kind names in `check`, `trace` and `audit`, versions documented.
@Suite(.serialized) struct JSONVocabularyTests {
    static let homelab = TestSupport.packageRoot + "/Fixtures/homelab"
    static let fullKinds: Set<String> = Set(ObjectKind.allCases.map(\.kubernetesKind))

    @Test func checkAndTraceUseFullKindNames() throws {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let check = try TestSupport.runCLI(["check", "--format", "json", "."], in: Self.homelab)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect(doc["schemaVersion"] as? Int == JSONReporter.schemaVersion)
        let kinds = Set(((doc["findings"] as? [[String: Any]]) ?? []).compactMap { ($0["object"] as? [String: Any])?["kind"] as? String })
        #expect(kinds.contains("CiliumNetworkPolicy") && kinds.contains("CiliumClusterwideNetworkPolicy"), "\(kinds)")
        #expect(kinds.isSubset(of: Self.fullKinds), "short names leaked into JSON: \(kinds.subtracting(Self.fullKinds))")
        let trace = try TestSupport.runCLI(["trace", "--from", "paperless/app=web", "--to", "world", "--port", "443/TCP", "--format", "json", "."], in: Self.homelab)
        let t = try #require(try JSONSerialization.jsonObject(with: Data(trace.stdout.utf8)) as? [String: Any])
        let entries = ((t["egress"] as? [String: Any])?["enforcedBy"] as? [[String: Any]]) ?? []
        let traceKinds = Set(entries.compactMap { $0["kind"] as? String })
        #expect(!traceKinds.isEmpty && traceKinds.isSubset(of: Self.fullKinds), "\(traceKinds)")
    }

    @Test func docsStateEachSchemaVersion() throws {
        let doc = try String(contentsOfFile: TestSupport.packageRoot + "/docs/output.md", encoding: .utf8)
        #expect(doc.contains("| `check --format json` | \(JSONReporter.schemaVersion) |"))
        #expect(doc.contains("| `trace --format json` | 1 |"))
        #expect(doc.contains("| `audit --format json` | \(AuditJSONReporter.schemaVersion) |"))
        #expect(doc.contains("\"schemaVersion\": \(JSONReporter.schemaVersion),"))
        #expect(!doc.contains("\"kind\": \"CCNP\"") && !doc.contains("\"kind\": \"CNP\""))
    }
}

/// Item 5: `trace` gives a name and an address matched by the same toFQDNs rule consistent verdicts.
@Suite(.serialized) struct TraceFQDNConsistencyTests {
    func trace(_ to: String, _ from: String, in fixture: String) throws -> [String: Any] {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let r = try TestSupport.runCLI(["trace", "--from", from, "--to", to, "--port", fixture == "homelab" && from.hasPrefix("paperless") ? "993/TCP" : "443/TCP",
                                        "--format", "json", "."], in: TestSupport.packageRoot + "/Fixtures/" + fixture)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func withoutDNSVisibilityTheNameAndTheAddressAreBothDeniedWithTheRuleAsNearMiss() throws {
        let from = "paperless/app.kubernetes.io/name=paperless-ngx"
        let name = try trace("imap.fastmail.com", from, in: "homelab")
        let address = try trace("1.2.3.4", from, in: "homelab")
        #expect(name["verdict"] as? String == "DENIED")
        #expect(address["verdict"] as? String == name["verdict"] as? String, "the same toFQDNs rule decides both")
        for doc in [name, address] {
            let misses = ((doc["egress"] as? [String: Any])?["nearMisses"] as? [[String: Any]]) ?? []
            #expect(misses.first?["policy"] as? String == "paperless-mail", "\(misses)")
            #expect((misses.first?["reason"] as? String)?.contains("toFQDNs imap.fastmail.com") == true, "\(misses)")
        }
    }

    @Test func withDNSVisibilityTheNameIsAllowedAndAnAddressConditional() throws {
        let from = "homepage/app.kubernetes.io/name=homepage"
        let address = try trace("140.82.112.5", from, in: "homelab")
        #expect(address["verdict"] as? String == "CONDITIONAL")
        let allows = ((address["egress"] as? [String: Any])?["allowedBy"] as? [[String: Any]]) ?? []
        #expect(allows.contains { $0["policy"] as? String == "homepage-widgets" })
    }
}

extension TraceFQDNConsistencyTests {
    @Test func withDNSVisibilityTheCoveredNameIsAllowed() throws {
        let name = try trace("api.github.com", "homepage/app.kubernetes.io/name=homepage", in: "homelab")
        #expect(name["verdict"] as? String == "ALLOWED", "the name the visible toFQDNs rule covers: \(name["verdict"] ?? "")")
    }
}
