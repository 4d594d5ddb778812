import Foundation
import NetpolLintTestSupport
import Testing

/// The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` client (`pre-commit try-repo`) on a temporary
/// git repository: the staged files are judged with their repository as context.
@Suite(.serialized) struct PreCommitTests {
    static let install = "python3 -m pip install pre-commit (or: \(ExternalTools.installCommand))"

    var preCommit: String? {
        ExternalTools.require(ExternalTools.find("pre-commit"), for: "the pre-commit hook tests", needs: "pre-commit",
                              install: Self.install)
    }

    /// A repository that uses the homelab-profiles convention: a namespace opts in to an access label that a policy
    /// in another file grants, and a policy with a typo.
    static func repository() throws -> String {
        let dir = TestSupport.writeTree(Manifests.postgresAccess + [
            (".netpol-lint.yaml", "preset: homelab-profiles\nrules:\n  NP212: off\n  NP213: off\n"),
            ("policies/typo.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: app-egress
                  namespace: app
                spec:
                  description: The app reaches the database.
                  endpointSelector: {}
                  egress:
                    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: database}}]
                      toPort: [{ports: [{port: "5432", protocol: TCP}]}]
                """),
            ("README.md", "not YAML\n"),
        ])
        for args in [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init"]] {
            let r = ExternalTools.run("/usr/bin/git", ["-C", dir] + args, timeout: 60)
            try #require(r.status == 0, "git \(args): \(r.stderr)")
        }
        return dir
    }

    func tryRepo(_ tool: String, hook: String, in dir: String, _ arguments: [String], path: String? = nil,
                 timeout: TimeInterval = 120) -> ExternalTools.Result {
        var env = ["PRE_COMMIT_HOME": TestSupport.packageRoot + "/.build/pre-commit-home", "NO_COLOR": "1"]
        if let path { env["PATH"] = path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") }
        let script = "cd '\(dir)' && exec '\(tool)' try-repo '\(TestSupport.packageRoot)' \(hook) --color never "
            + arguments.map { "'\($0)'" }.joined(separator: " ")
        return ExternalTools.run("/bin/sh", ["-c", script], environment: env, timeout: timeout)
    }

    @Test func theManifestIsValid() throws {
        guard let tool = preCommit else { return }
        let r = ExternalTools.run(tool, ["validate-manifest", TestSupport.packageRoot + "/.pre-commit-hooks.yaml"], timeout: 60)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// `language: system` with the built binary on PATH: fast, so it covers the behaviour.
    @Test func theSystemHookJudgesStagedFilesWithTheirRepository() throws {
        guard let tool = preCommit, let exe = TestSupport.executable else { return }
        let dir = try Self.repository()
        let bin = (exe as NSString).deletingLastPathComponent

        // Only the namespace is passed: the grant in policies/ is context, so there is no NP214.
        // (--verbose: pre-commit shows a passing hook's output, where a warning would be.)
        let namespace = tryRepo(tool, hook: "netpol-lint-system", in: dir, ["--verbose", "--files", "namespaces/app.yaml"], path: bin)
        #expect(namespace.status == 0, "\(namespace.stdout)\(namespace.stderr)")
        #expect(namespace.stdout.contains("Passed"), "\(namespace.stdout)")
        #expect(namespace.stdout.contains("0 errors, 0 warnings, 0 notes in 1 file (1 object); 2 more files read as context"), "\(namespace.stdout)")

        // The file with the typo fails, with the finding in pre-commit's output.
        let typo = tryRepo(tool, hook: "netpol-lint-system", in: dir, ["--files", "policies/typo.yaml"], path: bin)
        #expect(typo.status == 1, "\(typo.stdout)\(typo.stderr)")
        #expect(typo.stdout.contains("Failed"))
        #expect(typo.stdout.contains("policies/typo.yaml:11:7: error: unknown field 'toPort'"), "\(typo.stdout)")

        // Without the grant, the same staged namespace file gets its NP214: the context is what decided.
        // (Staged: pre-commit stashes unstaged changes while the hooks run.)
        let rm = ExternalTools.run("/usr/bin/git", ["-C", dir, "rm", "-q", "policies/access-postgres.yaml"], timeout: 60)
        try #require(rm.status == 0, "\(rm.stderr)")
        let alone = tryRepo(tool, hook: "netpol-lint-system", in: dir, ["--verbose", "--files", "namespaces/app.yaml"], path: bin)
        #expect(alone.stdout.contains("[NP214 access-label-unserved]"), "\(alone.stdout)")
    }

    /// `language: swift`: pre-commit builds netpol-lint from this repository (`swift build -c release`) and runs it.
    /// The build takes minutes the first time; pre-commit keeps it under .build/pre-commit-home.
    @Test func theSwiftHookBuildsAndRuns() throws {
        guard let tool = preCommit else { return }
        let dir = try Self.repository()
        let r = tryRepo(tool, hook: "netpol-lint", in: dir, ["--all-files"], timeout: 1800)
        #expect(!r.timedOut)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("policies/typo.yaml:11:7: error: unknown field 'toPort'"), "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("NP214"), "\(r.stdout)")
        #expect(!r.stdout.contains("README.md"), "only YAML files are passed (types: [yaml])")
    }
}
