import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// End-to-end tests through the built executable, over the bundled fixtures.
@Suite(.serialized) struct CLITests {
    static let fixture = TestSupport.packageRoot + "/Fixtures/homelab"
    static var update: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil }

    func run(_ args: [String], in dir: String = fixture, stdin: String? = nil, env: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir, stdin: stdin, environment: env)
    }

    static let fixtures = ["homelab", "tiered", "voting-app"]

    func golden(_ fixture: String, _ name: String, _ actual: String) throws {
        let path = TestSupport.packageRoot + "/Fixtures/" + fixture + "/" + name
        if Self.update { try actual.write(toFile: path, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "Fixtures/\(fixture)/\(name) differs from the golden file; run with UPDATE_GOLDEN=1 after checking the change")
    }

    @Test("text output of each fixture matches its golden file", arguments: fixtures)
    func textOutputMatchesGolden(_ fixture: String) throws {
        let r = try run(["check", "."], in: TestSupport.packageRoot + "/Fixtures/" + fixture)
        #expect(r.status == 1)
        try golden(fixture, "expected.txt", r.stdout)
        #expect(r.stderr.contains("errors"))
        // Several rules fire on each example repository.
        #expect(Set(r.stdout.split(separator: "\n").compactMap { $0.split(separator: "[").last?.split(separator: " ").first }).count >= 5)
    }

    @Test("SARIF output of each fixture matches its golden file and validates", arguments: fixtures)
    func sarifOutputMatchesGoldenAndValidates(_ fixture: String) throws {
        let r = try run(["check", "--format", "sarif", "."], in: TestSupport.packageRoot + "/Fixtures/" + fixture)
        #expect(r.status == 1)
        try golden(fixture, "expected.sarif", r.stdout)
        try validate(r.stdout)
    }

    @Test func cleanSarifHasEmptyResults() throws {
        let dir = TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")])
        let r = try run(["check", "--format", "sarif", "--output", "out.sarif", "."], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let sarif = try String(contentsOfFile: dir + "/out.sarif", encoding: .utf8)
        #expect(sarif.contains("\"results\": []"))
        try validate(sarif)
    }

    func validate(_ sarif: String) throws {
        guard let shared = TestSupport.requireShared("SARIF schema validation") else { return }
        let file = TestSupport.temporaryDirectory() + "/out.sarif"
        try sarif.write(toFile: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", shared + "/sarif/validate_sarif.py", file, "--github"]
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "validate_sarif.py: \(out)")
    }

    @Test func jsonOutputIsADocument() throws {
        let r = try run(["check", "--format", "json", "."])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let findings = object?["findings"] as? [[String: Any]]
        #expect(findings?.isEmpty == false)
        #expect(findings?.first?["ruleId"] as? String != nil && findings?.first?["line"] as? Int != nil)
        #expect((object?["summary"] as? [String: Any])?["errors"] as? Int ?? 0 > 0)
    }

    @Test func githubAnnotationsAreCappedAndSummarised() throws {
        var files: [(String, String)] = []
        for i in 0..<15 { files.append(("p\(i).yaml", "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p\(i), namespace: a}\nspec:\n  description: d\n  endpointSelector: {}\n  ingress:\n    - toPort: []\n")) }
        let dir = TestSupport.writeTree(files)
        let summary = dir + "/summary.md"
        let r = try run(["check", "--format", "github", "."], in: dir, env: ["GITHUB_STEP_SUMMARY": summary])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 10)
        #expect(lines.last?.hasPrefix("::notice") == true && lines.last?.contains("5 more") == true)
        let md = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(md.components(separatedBy: "| error |").count - 1 == 15)
    }

    @Test func stdinIsLintedAsThePathWithTheRepoAsContext() throws {
        let buffer = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: database-default
              namespace: database
            spec:
              endpointSelector: {}
              egress:
                - toEndpoint: []
            """
        let r = try run(["check", "--stdin", "--stdin-filename", "network-policy/platform/new.yaml"], stdin: buffer)
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }  // related locations are indented
        #expect(lines.allSatisfy { $0.hasPrefix("network-policy/platform/new.yaml:") }, "\(lines)")
        #expect(lines.contains { $0.contains("[NP101 unknown-field]") && $0.hasPrefix("network-policy/platform/new.yaml:9:7:") })
        // The rest of the repository is context: the same CNP already exists in platform/database.yaml.
        #expect(lines.contains { $0.contains("[NP103 duplicate-policy]") })
    }

    @Test func exitCodes() throws {
        #expect(try run(["check", "--fail-on", "never", "."]).status == 0)
        #expect(try run(["check", "--disable", "NP999", "."]).status == 2)
        #expect(try run(["check", "--preset", "nope", "."]).status == 2)
        #expect(try run(["check", "--stdin", "."]).status == 2)
        let dir = TestSupport.writeTree([(".netpol-lint.yaml", "preset: kubernetes\nrules:\n  NP777: off\n"), ("a.yaml", "a: 1\n")])
        let bad = try run(["check", "."], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(".netpol-lint.yaml:3"))
        let dir2 = TestSupport.writeTree([(".netpol-lint.yaml", "presets: kubernetes\n"), ("a.yaml", "a: 1\n")])
        let bad2 = try run(["check", "."], in: dir2)
        #expect(bad2.status == 2 && bad2.stderr.contains(".netpol-lint.yaml:1: error: unknown key 'presets'"))
    }

    @Test func configurationChangesSeverityAndExcludes() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yaml", "rules:\n  unknown-field: warning\nexclude:\n  - ignored/**\n"),
            ("a.yaml", "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: a}\nspec:\n  description: d\n  endpointSelector: {}\n  ingress:\n    - toPort: []\n"),
            ("ignored/b.yaml", "a: [\n"),
        ])
        let r = try run(["check", "."], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == "a.yaml:8:7: warning: unknown field 'toPort' in an ingress rule; did you mean 'toPorts'? [NP101 unknown-field]\n")
        #expect(try run(["check", "--fail-on", "warning", "."], in: dir).status == 1)
    }

    @Test func rulesAndExplain() throws {
        let list = try run(["rules"])
        #expect(list.status == 0 && list.stdout.contains("NP101  unknown-field"))
        let json = try run(["rules", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count == builtInRules.count)
        #expect(try run(["explain", "no-such-rule"]).status == 2)
        let explain = try run(["explain", "hardcoded-ip"])
        #expect(explain.status == 0 && explain.stdout.contains("# NP204 hardcoded-ip"))
        let np101 = try run(["explain", "NP101"])
        #expect(np101.status == 0 && np101.stdout.contains("## Why is this bad?"))
        #expect(try run(["--version"]).stdout.contains(NetpolLint.version))
    }
}

/// Every repository of the shared corpus is linted without a crash, and every file is read or diagnosed.
@Suite struct CorpusTests {
    @Test func corpusLintsCompletely() throws {
        guard let shared = TestSupport.requireShared("the real-repository corpus test") else { return }
        let corpus = shared + "/corpus"
        let repos = try FileManager.default.contentsOfDirectory(atPath: corpus).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: corpus + "/" + $0, isDirectory: &isDir) && isDir.boolValue
        }
        #expect(repos.count == 10)
        var total = 0
        for repo in repos.sorted() {
            var request = LintRequest(paths: [corpus + "/" + repo], configuration: Configuration(),
                                      repositoryRoot: corpus + "/" + repo, workingDirectory: corpus)
            request.jobs = 2
            let report = try Linter(rules: builtInRules).run(request)
            total += report.statistics.filesDiscovered
            let diagnosed = Set(report.findings.filter { ["NP100", "NP105", "NP106"].contains($0.ruleID) }.map(\.span.file))
            // parsed cleanly, or a file-level diagnostic says why not
            #expect(report.statistics.filesParsed + diagnosed.count >= report.statistics.filesDiscovered, "\(repo): some file was neither parsed nor diagnosed")
        }
        #expect(total == 11_057)
    }

    /// Under every preset, the convention and semantic rules run over every repository without a crash, and
    /// `trace` answers (and renders, text and JSON) questions between the namespaces each repository declares.
    @Test func corpusSemanticsAndTraceUnderEveryPreset() throws {
        guard let shared = TestSupport.requireShared("the real-repository corpus semantics test") else { return }
        let corpus = shared + "/corpus"
        let repos = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
        var questions = 0
        for repo in repos.sorted() {
            for preset in Presets.all.map(\.name) {
                var configuration = Configuration()
                configuration.preset = preset
                var request = LintRequest(paths: [corpus + "/" + repo], configuration: configuration,
                                          repositoryRoot: corpus + "/" + repo, workingDirectory: corpus)
                request.jobs = 2
                let report = try Linter(rules: builtInRules).run(request)
                #expect(report.statistics.filesDiscovered > 0, "\(repo) under \(preset)")
            }
            let request = LintRequest(paths: [corpus + "/" + repo], configuration: Configuration(),
                                      repositoryRoot: corpus + "/" + repo, workingDirectory: corpus)
            let context = Linter(rules: builtInRules).load(request).context
            let semantics = Convention.semantics(context)
            let reporter = TraceReporter(context: context, semantics: semantics)
            let namespaces = Array(context.inventory.knownNamespaceNames.sorted().prefix(12))
            var endpoints = namespaces.map { semantics.endpoint(namespace: $0, podLabels: [:], complete: true) }
            endpoints += [.world, .entity("host"), .entity("kube-apiserver"), .address(CIDRParser.parse("10.0.0.5")!, text: "10.0.0.5")]
            endpoints += semantics.wellKnownEndpoints("dns")
            for a in endpoints {
                for b in endpoints {
                    for port in [PortQuery(53, "UDP"), PortQuery(443, "TCP")] {
                        let v = semantics.allowed(from: a, to: b, port: port)
                        #expect(reporter.text(v).hasPrefix(TraceReporter.word(v.result)))
                        #expect(reporter.json(v).serialized(pretty: false).hasPrefix("{\"schemaVersion\":1,"))
                        questions += 1
                    }
                }
            }
        }
        #expect(questions > 1000)
    }
}

@Suite(.serialized) struct InitTests {
    func run(_ args: [String], in dir: String) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    @Test("init picks the preset of each fixture and explains why", arguments: [
        ("homelab", "homelab-profiles", "carry network-policy.homelab/profile"),
        ("tiered", "tiered-zero-trust", "is a default-deny excluding kube-system"),
        ("voting-app", "kubernetes", "NetworkPolicies and no Cilium policy"),
    ])
    func detectsPreset(_ fixture: String, _ preset: String, _ reason: String) throws {
        let r = try run(["init", "--stdout", TestSupport.packageRoot + "/Fixtures/" + fixture], in: TestSupport.packageRoot)
        #expect(r.status == 0)
        #expect(r.stdout.contains("\npreset: \(preset)\n"))
        #expect(r.stderr.contains(reason))
        let config = try Configuration.parse(r.stdout, file: "generated.yaml")
        #expect(config.preset == preset)
    }

    @Test func writesAndRefusesToOverwrite() throws {
        let dir = TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    network-policy.homelab/profile: standard\n")])
        let first = try run(["init", "."], in: dir)
        #expect(first.status == 0)
        let written = try String(contentsOfFile: dir + "/.netpol-lint.yaml", encoding: .utf8)
        #expect(written.contains("preset: homelab-profiles"))
        let second = try run(["init", "."], in: dir)
        #expect(second.status == 2 && second.stderr.contains("--force"))
        #expect(try run(["init", "--force", "."], in: dir).status == 0)
        // The written configuration is accepted by check.
        #expect(try run(["check", "."], in: dir).status != 2)
    }

    @Test func ruleParametersAreValidated() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yaml", "preset: homelab-profiles\nrules:\n  naming:\n    patterns:\n      baselines: \"^(baseline-\"\n"),
            ("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"),
        ])
        let bad = try run(["check", "."], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains(".netpol-lint.yaml:5") && bad.stderr.contains("not valid PCRE2"))
        let dir2 = TestSupport.writeTree([
            (".netpol-lint.yaml", "rules:\n  NP205:\n    ports: [80]\n"),
            ("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"),
        ])
        let bad2 = try run(["check", "."], in: dir2)
        #expect(bad2.status == 2 && bad2.stderr.contains(".netpol-lint.yaml:3") && bad2.stderr.contains("no parameter 'ports'"))
    }

    @Test func presetsSwitchConventionRulesOn() throws {
        let dir = TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")])
        #expect(try run(["check", "."], in: dir).stdout.isEmpty)
        let withPreset = try run(["check", "--preset", "homelab-profiles", "."], in: dir)
        #expect(withPreset.stdout.contains("[NP212 app-namespace-without-profile]"))
    }
}
