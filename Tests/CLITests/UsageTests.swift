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
