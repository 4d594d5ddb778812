import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// `netpol-lint diff` on temporary git repositories built in the test: a change that opens a flow, one that closes
/// one, one that only moves lines, a renamed file, a relabelled namespace; revisions by name; and nothing the
/// repository configures ever runs.
@Suite(.serialized) struct DiffTests {
    func run(_ args: [String], in dir: String) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    /// Runs git in `dir` (test set-up only).
    @discardableResult
    func git(_ args: [String], in dir: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test", "-c", "init.defaultBranch=main",
                       "-c", "commit.gpgsign=false"] + args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        try #require(p.terminationStatus == 0, "git \(args): \(text)")
        return text
    }

    func write(_ dir: String, _ path: String, _ content: String) throws {
        let url = URL(fileURLWithPath: dir).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    }

    /// web/frontend and db/postgres; postgres admits frontend on 5432 through a namespace label `team: web`.
    func repository() throws -> String {
        let dir = TestSupport.writeTree([
            ("namespaces.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: web, labels: {team: web}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: db}
                """),
            ("apps.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: frontend, namespace: web}
                spec:
                  template:
                    metadata: {labels: {app: frontend}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: postgres, namespace: db}
                spec:
                  template:
                    metadata: {labels: {app: postgres}}
                """),
            ("policies/db.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: postgres-in, namespace: db}
                spec:
                  podSelector: {matchLabels: {app: postgres}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {team: web}}
                    ports: [{port: 5432}]
                """),
        ])
        try git(["init", "-q"], in: dir)
        try git(["add", "-A"], in: dir)
        try git(["commit", "-qm", "base"], in: dir)
        return dir
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func changes(_ dir: String, _ extra: [String] = []) throws -> (status: Int32, changes: [[String: Any]], objects: [[String: Any]]) {
        let r = try run(["diff", "--base", "HEAD", "--format", "json"] + extra, in: dir)
        let doc = try json(r.stdout)
        return (r.status, doc["changes"] as? [[String: Any]] ?? [], doc["objects"] as? [[String: Any]] ?? [])
    }

    @Test func aChangeThatOpensAFlow() throws {
        let dir = try repository()
        try write(dir, "policies/db.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: postgres-in, namespace: db}
            spec:
              podSelector: {matchLabels: {app: postgres}}
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {team: web}}
                ports: [{port: 5432}, {port: 9187}]
            """)
        let (status, changes, objects) = try changes(dir)
        #expect(status == 1)
        #expect(changes.count == 1, "\(changes)")
        let c = try #require(changes.first)
        #expect(c["change"] as? String == "newly-allowed" && c["from"] as? String == "web/frontend" && c["to"] as? String == "db/postgres")
        #expect(c["port"] as? String == "9187/TCP" && c["before"] as? String == "denied" && c["after"] as? String == "allowed")
        let after = try #require(c["afterRules"] as? [[String: Any]])
        #expect(after.contains { $0["path"] as? String == "policies/db.yaml" && $0["line"] as? Int == 7 && $0["effect"] as? String == "allows" })
        let before = try #require(c["beforeRules"] as? [[String: Any]])
        #expect(before.contains { $0["effect"] as? String == "enforces" && $0["name"] as? String == "postgres-in" })
        #expect(objects.count == 1 && objects.first?["change"] as? String == "changed")
        // The work tree is not touched by reading the base: the edit is still there, git sees no new file.
        #expect(try String(contentsOfFile: dir + "/policies/db.yaml", encoding: .utf8).contains("9187"))
        #expect(try git(["status", "--porcelain"], in: dir) == " M policies/db.yaml\n")
    }

    @Test func aChangeThatClosesAFlow() throws {
        let dir = try repository()
        try write(dir, "policies/db.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: postgres-in, namespace: db}
            spec:
              podSelector: {matchLabels: {app: postgres}}
              ingress: []
            """)
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["change"] as? String == "newly-denied" && $0["port"] as? String == "5432/TCP" && $0["from"] as? String == "web/frontend" }, "\(changes)")
        #expect(changes.allSatisfy { $0["change"] as? String == "newly-denied" })
        // A new default-deny in a namespace that was open closes flows no policy named before.
        let dir2 = try repository()
        try write(dir2, "policies/web.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
            """)
        let (s2, c2, o2) = try self.changes(dir2)
        #expect(s2 == 1)
        #expect(c2.contains { $0["from"] as? String == "db/postgres" && $0["to"] as? String == "web/frontend" && $0["change"] as? String == "newly-denied" }, "\(c2)")
        #expect(o2.first?["change"] as? String == "added")
    }

    @Test func movedLinesChangeNothing() throws {
        let dir = try repository()
        try write(dir, "policies/db.yaml", """
            # A comment, and the same policy with its keys in another order.
            apiVersion: networking.k8s.io/v1
            metadata:
              namespace: db
              name: postgres-in
            kind: NetworkPolicy
            spec:
              ingress:
              - ports: [{port: 5432, protocol: TCP}]
                from:
                - namespaceSelector: {matchLabels: {team: web}}
              podSelector: {matchLabels: {app: postgres}}
            """)
        let r = try run(["diff", "--base", "HEAD", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stdout)")
        let doc = try json(r.stdout)
        #expect((doc["changes"] as? [Any])?.isEmpty == true)
        #expect((doc["objects"] as? [Any])?.isEmpty == true, "\(doc["objects"] ?? "")")
    }

    @Test func aRenamedFileIsAMoveNotAChange() throws {
        let dir = try repository()
        try git(["mv", "policies/db.yaml", "policies/postgres.yaml"], in: dir)
        try git(["commit", "-qm", "rename"], in: dir)
        let r = try run(["diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let doc = try json(r.stdout)
        #expect((doc["changes"] as? [Any])?.isEmpty == true)
        let objects = try #require(doc["objects"] as? [[String: Any]])
        #expect(objects.count == 1)
        #expect(objects.first?["change"] as? String == "moved" && objects.first?["basePath"] as? String == "policies/db.yaml"
                && objects.first?["headPath"] as? String == "policies/postgres.yaml")
        #expect((doc["head"] as? String)?.hasPrefix("HEAD (") == true)
    }

    @Test func aRelabelledNamespaceChangesWhatSelectorsPick() throws {
        let dir = try repository()
        try write(dir, "namespaces.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: web, labels: {team: frontend}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: db}
            """)
        let (status, changes, objects) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "web/frontend" && $0["to"] as? String == "db/postgres"
                    && $0["port"] as? String == "5432/TCP" && $0["change"] as? String == "newly-denied" }, "\(changes)")
        let ns = try #require(objects.first { $0["kind"] as? String == "Namespace" })
        #expect((ns["fields"] as? [[String: Any]])?.contains { $0["path"] as? String == "metadata.labels.team" && $0["base"] as? String == "web" && $0["head"] as? String == "frontend" } == true)
    }

    @Test func revisionsAreNamedAndUnknownOnesAreUsageErrors() throws {
        let dir = try repository()
        let unknown = try run(["diff", "--base", "no-such-branch"], in: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown revision 'no-such-branch'"))
        let unknownHead = try run(["diff", "--base", "HEAD", "--head", "nope"], in: dir)
        #expect(unknownHead.status == 2 && unknownHead.stderr.contains("--head") && unknownHead.stderr.contains("'nope'"))
        let option = try run(["diff", "--base", "--upload-pack=touch"], in: dir)
        #expect(option.status == 2)
        let outside = TestSupport.temporaryDirectory()
        let notGit = try run(["diff", "--base", "HEAD"], in: outside)
        #expect(notGit.status == 2 && notGit.stderr.contains("not inside a git repository"))
        let same = try run(["diff", "--base", "HEAD", "--format", "md"], in: dir)
        #expect(same.status == 0)
        #expect(same.stdout.contains("No flow changes its verdict."))
    }

    /// Reviewers run this on untrusted pull requests: a repository whose configuration names programs (fsmonitor,
    /// hooks, filters, textconv) never gets them run.
    @Test func nothingTheRepositoryConfiguresRuns() throws {
        let dir = try repository()
        let marker = TestSupport.temporaryDirectory() + "/pwned"
        let script = dir + "/.git/evil.sh"
        try "#!/bin/sh\ntouch \(marker)\ncat\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try git(["config", "core.fsmonitor", script], in: dir)
        try git(["config", "core.hooksPath", dir + "/.git/hooks"], in: dir)
        try git(["config", "filter.evil.smudge", script], in: dir)
        try git(["config", "filter.evil.clean", script], in: dir)
        try git(["config", "filter.evil.process", script], in: dir)
        try git(["config", "diff.evil.textconv", script], in: dir)
        try git(["config", "core.pager", script], in: dir)
        for hook in ["post-checkout", "pre-commit", "post-index-change", "reference-transaction"] {
            try FileManager.default.createDirectory(atPath: dir + "/.git/hooks", withIntermediateDirectories: true)
            try "#!/bin/sh\ntouch \(marker)\n".write(toFile: dir + "/.git/hooks/\(hook)", atomically: true, encoding: .utf8)
            chmod(dir + "/.git/hooks/\(hook)", 0o755)
        }
        try write(dir, ".gitattributes", "*.yaml filter=evil diff=evil\n")
        try? FileManager.default.removeItem(atPath: marker)
        let r = try run(["diff", "--base", "HEAD", "--format", "json"], in: dir)
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "a program the repository configures was run")
        // The test can fail: git itself runs the fsmonitor program when asked about the work tree.
        _ = try? git(["-c", "core.fsmonitor=" + script, "status"], in: dir)
        #expect(FileManager.default.fileExists(atPath: marker), "the fsmonitor program should run under git status (the test's control)")
    }
}
