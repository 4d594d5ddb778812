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

    /// Editor on save (`--stdin`) reads the context through a filter that skips files holding no object the rules
    /// read: every file of every example repository still gets exactly the findings of a whole-repository run.
    @Test func stdinGetsExactlyTheFindingsOfAWholeRunForEveryFixtureFile() throws {
        for name in ["homelab", "tiered", "voting-app"] {
            let dir = TestSupport.packageRoot + "/Fixtures/" + name
            let whole = findings(try run(["check", "."], in: dir).stdout)
            let files = try FileManager.default.subpathsOfDirectory(atPath: dir)
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix("expected") && !$0.contains("/.") }
                .sorted()
            #expect(files.count > 15, "\(name): \(files.count) files")
            for file in files {
                let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
                let r = try TestSupport.runCLI(["check", "--stdin", "--stdin-filename", file], in: dir, stdin: text)
                #expect(findings(r.stdout) == whole.filter { $0.hasPrefix(file + ":") }, "\(name)/\(file)")
            }
        }
    }

    /// A workload declared in another file is context too: the pods NP305 names come from it.
    @Test func stdinSeesTheWorkloadsOfOtherFiles() throws {
        let dir = TestSupport.writeTree([
            (".git/HEAD", "ref: refs/heads/main\n"),
            ("apps/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"),
            ("apps/deploy.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web, tier: front}}
                    spec: {containers: [{name: web, image: nginx}]}

                """),
            ("apps/policy.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: web-egress, namespace: shop}
                spec:
                  description: web may call out on 443
                  endpointSelector: {matchLabels: {app: web}}
                  egress:
                    - toEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]

                """),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = findings(try run(["check", "."], in: dir).stdout)
        #expect(whole.count == 1 && whole[0].contains("app=web,tier=front") && whole[0].contains("[NP305 egress-blocks-dns]"),
                "\(whole)")
        let text = try String(contentsOfFile: dir + "/apps/policy.yaml", encoding: .utf8)
        let r = try TestSupport.runCLI(["check", "--stdin", "--stdin-filename", "apps/policy.yaml"], in: dir, stdin: text)
        #expect(findings(r.stdout) == whole, "\(r.stdout)")
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
