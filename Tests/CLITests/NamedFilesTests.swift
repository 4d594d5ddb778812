import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// Files named on the command line (as pre-commit passes the staged ones) are judged with their repository around
/// them, by the rule `--stdin` uses; only their findings are reported.
@Suite struct NamedFilesTests {
    static let fixture = TestSupport.packageRoot + "/Fixtures/homelab"

    func run(_ args: [String], in dir: String = fixture) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    /// The finding lines (related locations, which are indented, left out) of a text report.
    func findings(_ text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map(String.init)
    }

    @Test func aNamedFileGetsExactlyTheFindingsOfAWholeRun() throws {
        let whole = findings(try run(["check", "."]).stdout)
        for file in ["namespaces/my-app.yaml", "network-policy/platform/database.yaml", "network-policy/shared-resources/access-mqtt.yaml"] {
            let r = try run(["check", file])
            let expected = whole.filter { $0.hasPrefix(file + ":") }
            #expect(!expected.isEmpty, "the fixture has findings in \(file)")
            #expect(findings(r.stdout) == expected, "\(file)")
            #expect(r.status == (expected.contains { $0.contains(": error: ") } ? 1 : 0))
            #expect(r.stderr.contains("in 1 file ("), "\(r.stderr)")
            #expect(r.stderr.contains("more files read as context"), "\(r.stderr)")
        }
    }

    /// The case that motivated the rule: an access label granted in another file is not "unserved".
    @Test func aGrantInAnotherFileIsSeen() throws {
        let dir = TestSupport.writeTree([(".git/HEAD", "ref: refs/heads/main\n"), (".netpol-lint.yaml", "preset: homelab-profiles\n")]
                                        + Manifests.postgresAccess)
        let named = try run(["check", "--disable", "NP212,NP213,NP210,NP304", "namespaces/app.yaml"], in: dir)
        #expect(!named.stdout.contains("NP214"), "\(named.stdout)")
        // Without the grant the same file does get the finding: the test can fail.
        try FileManager.default.removeItem(atPath: dir + "/policies/access-postgres.yaml")
        let alone = try run(["check", "--disable", "NP212,NP213,NP210,NP304", "namespaces/app.yaml"], in: dir)
        #expect(alone.stdout.contains("namespaces/app.yaml:6:5: warning:") && alone.stdout.contains("[NP214 access-label-unserved]"), "\(alone.stdout)")
    }

    @Test func namedFilesAndFoldersTogether() throws {
        let whole = findings(try run(["check", "."]).stdout)
        let r = try run(["check", "namespaces/my-app.yaml", "network-policy/platform"])
        let expected = whole.filter { $0.hasPrefix("namespaces/my-app.yaml:") || $0.hasPrefix("network-policy/platform/") }
        #expect(findings(r.stdout) == expected)
        // Absolute paths name the same files.
        let absolute = try run(["check", Self.fixture + "/namespaces/my-app.yaml"], in: TestSupport.temporaryDirectory())
        #expect(findings(absolute.stdout).count == whole.filter { $0.hasPrefix("namespaces/my-app.yaml:") }.count)
    }

    @Test func aNamedFileIsReadOnceAndOnlyItsObjectsCount() throws {
        let r = try run(["check", "--format", "json", "namespaces/my-app.yaml", "./namespaces/my-app.yaml"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let summary = try #require(doc["summary"] as? [String: Any])
        let files = try #require(summary["files"] as? Int), context = try #require(summary["contextFiles"] as? Int)
        #expect(files - context == 1)
        #expect(context > 10)
    }
}
