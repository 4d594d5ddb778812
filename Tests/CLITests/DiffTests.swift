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
            ("namespaces.yaml", Manifests.namespace("web", labels: "team: web") + Manifests.namespace("db")),
            ("apps.yaml", Manifests.workload("frontend", "web", "app: frontend") + Manifests.workload("postgres", "db", "app: postgres")),
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

    func json(_ text: String) throws -> [String: Any] { try TestSupport.jsonObject(text) }

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

    // MARK: Review regressions (each reproduced before its fix)

    /// A repository with these files committed.
    func repository(_ files: [(String, String)]) throws -> String {
        let dir = TestSupport.writeTree(files)
        try git(["init", "-q"], in: dir)
        try git(["add", "-A"], in: dir)
        try git(["commit", "-qm", "base"], in: dir)
        return dir
    }

    @Test func replicasOfOneGroupTalkToEachOther() throws {
        let dir = try repository([("a.yaml", Manifests.namespaces("db") + Manifests.workload("redis", "db", "app: redis", kind: "StatefulSet")
            + Manifests.networkPolicy("deny", "db", "  podSelector: {}\n  policyTypes: [Ingress]"))])
        try write(dir, "peers.yaml", Manifests.networkPolicy("redis-peers", "db", "  podSelector: {matchLabels: {app: redis}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: redis}}}]\n    ports: [{port: 6379}]"))
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "db/redis" && $0["to"] as? String == "db/redis" && $0["port"] as? String == "6379/TCP" && $0["change"] as? String == "newly-allowed" }, "\(changes)")
    }

    @Test func everyCopyOfADuplicatedObjectIsCompared() throws {
        let body = "  podSelector: {matchLabels: {app: pg}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: db}}}]\n    ports: [{port: 5432}]"
        let dir = try repository([("ns.yaml", Manifests.namespaces("web", "db") + Manifests.workload("fe", "web", "app: fe") + Manifests.workload("pg", "db", "app: pg")),
                                  ("prod/np.yaml", Manifests.networkPolicy("pg-in", "db", body)), ("staging/np.yaml", Manifests.networkPolicy("pg-in", "db", body))])
        try write(dir, "staging/np.yaml", Manifests.networkPolicy("pg-in", "db", body.replacingOccurrences(of: "metadata.name: db", with: "metadata.name: web")))
        let (status, changes, objects) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "web/fe" && $0["to"] as? String == "db/pg" && $0["change"] as? String == "newly-allowed" }, "\(changes)")
        #expect(objects.contains { $0["change"] as? String == "changed" && $0["name"] as? String == "pg-in" })
    }

    @Test func policiesWithoutAFixedNameAreStillCompared() throws {
        let dir = try repository([("a.yaml", Manifests.namespaces("web", "db") + Manifests.workload("fe", "web", "app: fe") + Manifests.workload("pg", "db", "app: pg")
            + Manifests.networkPolicy("\"${cluster}-pg-in\"", "db", "  podSelector: {matchLabels: {app: pg}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]\n    ports: [{port: 80}]"))])
        try write(dir, "a.yaml", try String(contentsOfFile: dir + "/a.yaml", encoding: .utf8).replacingOccurrences(of: "port: 80}", with: "port: 5432}"))
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["port"] as? String == "5432/TCP" && $0["change"] as? String == "newly-allowed" }, "\(changes)")
    }

    @Test func workloadsOfOneNameAndTwoKindsStayApart() throws {
        let dir = try repository([("a.yaml", Manifests.namespaces("db") + Manifests.workload("cache", "db", "app: cache-proxy", kind: "Deployment")
            + Manifests.workload("cache", "db", "app: cache-store", kind: "StatefulSet") + Manifests.workload("client", "db", "app: client"))])
        try write(dir, "np.yaml", Manifests.networkPolicy("store-in", "db", "  podSelector: {matchLabels: {app: cache-store}}\n  policyTypes: [Ingress]"))
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "db/client" && $0["to"] as? String == "db/cache (StatefulSet)" && $0["change"] as? String == "newly-denied" }, "\(changes)")
        #expect(!changes.contains { ($0["to"] as? String)?.contains("Deployment") == true })
    }

    @Test func aWorkloadMovedToTheHostNetworkIsTheHost() throws {
        let dir = try repository([("a.yaml", Manifests.namespaces("web", "db") + Manifests.workload("fe", "web", "app: fe") + Manifests.workload("agent", "db", "app: agent")
            + Manifests.networkPolicy("fe-in", "web", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: agent}}}]\n    ports: [{port: 80}]"))])
        try write(dir, "a.yaml", try String(contentsOfFile: dir + "/a.yaml", encoding: .utf8)
            .replacingOccurrences(of: "metadata: {labels: {app: agent}}\n", with: "metadata: {labels: {app: agent}}\n    spec: {hostNetwork: true}\n"))
        let (status, changes, objects) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "db/agent" && $0["to"] as? String == "web/fe" && $0["port"] as? String == "80/TCP" && $0["change"] as? String == "newly-denied" }, "\(changes)")
        #expect(objects.contains { ($0["fields"] as? [[String: Any]])?.contains { $0["path"] as? String == "spec.template.spec.hostNetwork" } == true })
    }

    @Test func theChangedPolicysOwnPortsAreAlwaysAsked() throws {
        let many = (9000..<9060).map { "{port: \($0)}" }.joined(separator: ", ")
        let dir = try repository([("a.yaml", Manifests.namespaces("a") + Manifests.workload("x", "a", "app: x") + Manifests.workload("y", "a", "app: y")
            + Manifests.networkPolicy("x-in", "a", "  podSelector: {matchLabels: {app: x}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: y}}}]\n    ports: [\(many)]"))])
        try write(dir, "dns.yaml", Manifests.networkPolicy("x-dns", "a", "  podSelector: {matchLabels: {app: x}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: y}}}]\n    ports: [{port: 53, protocol: UDP}]"))
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        #expect(changes.contains { $0["from"] as? String == "a/y" && $0["to"] as? String == "a/x" && $0["port"] as? String == "53/UDP" }, "\(changes)")
    }

    @Test func addressesNamesAndEntitiesOfChangedRulesAreAsked() throws {
        let cnp = { (cidr: String, fqdn: String, entities: String) in """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: app-out, namespace: a}
            spec:
              endpointSelector: {matchLabels: {app: x}}
              egress:
              - toCIDR: [\(cidr)]
                toPorts: [{ports: [{port: "443", protocol: TCP}]}]
              - toFQDNs: [{matchName: \(fqdn)}]
                toPorts: [{ports: [{port: "443", protocol: TCP}]}]
              - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
              ingress:
              - fromEntities: [\(entities)]
                toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
            """ }
        let dir = try repository([("a.yaml", Manifests.namespaces("a") + Manifests.workload("x", "a", "app: x")), ("cnp.yaml", cnp("10.0.0.0/8", "api.github.com", "host"))])
        try write(dir, "cnp.yaml", cnp("192.168.0.0/16", "evil.example.com", "host, remote-node"))
        let (status, changes, _) = try changes(dir)
        #expect(status == 1)
        let seen = Set(changes.map { "\($0["from"]!) \($0["to"]!) \($0["change"]!)" })
        // 10.0.0.0/8 is no longer allowed outright; it may still be an address of a name the toFQDNs rule allows.
        for expected in ["a/x 192.168.0.0/16 newly-allowed", "a/x 10.0.0.0/8 now-conditional", "a/x evil.example.com newly-allowed",
                         "a/x api.github.com newly-denied", "remote-node a/x newly-allowed"] {
            #expect(seen.contains(expected), "\(expected) in \(seen.sorted())")
        }
    }

    @Test func aNamespacePairIsOneGroupInTheReport() throws {
        let dir = try repository([("a.yaml", Manifests.namespaces("a") + Manifests.workload("x", "a", "app: x") + Manifests.workload("y", "a", "app: y"))])
        try write(dir, "np.yaml", Manifests.networkPolicy("deny-egress", "a", "  podSelector: {}\n  policyTypes: [Egress]"))
        let r = try run(["diff", "--base", "HEAD"], in: dir)
        #expect(r.status == 1)
        let headers = r.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") && $0.contains("→") }
        #expect(headers.count == Set(headers).count, "\(headers)")
    }

    @Test func temporaryFoldersAreRemovedOnErrorsToo() throws {
        let dir = try repository()
        let tmp = TestSupport.temporaryDirectory()
        let r = try TestSupport.runCLI(["diff", "--base", "HEAD", "-o", "/proc/none/x.txt"], in: dir, environment: ["TMPDIR": tmp])
        #expect(r.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        let ok = try TestSupport.runCLI(["diff", "--base", "HEAD"], in: dir, environment: ["TMPDIR": tmp])
        #expect(ok.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
    }

    @Test func withHeadAPathMustExistInARevision() throws {
        let dir = try repository()
        let r = try run(["diff", "--base", "HEAD", "--head", "HEAD", "policies/nope"], in: dir)
        #expect(r.status == 2 && r.stderr.contains("exists in neither revision"), "\(r.stderr)")
        #expect(try run(["diff", "--base", "HEAD", "--head", "HEAD", "policies"], in: dir).status == 0)
    }

    /// A partial clone would fetch a missing blob from its promisor remote, running the transport command its
    /// configuration names; nothing is fetched, so nothing runs.
    @Test func aPartialCloneFetchesNothing() throws {
        let server = try repository()
        try git(["config", "uploadpack.allowFilter", "true"], in: server)
        try write(server, "policies/db.yaml", "# changed\n" + (try String(contentsOfFile: server + "/policies/db.yaml", encoding: .utf8)))
        try git(["commit", "-qam", "second"], in: server)
        let parent = TestSupport.temporaryDirectory()
        try git(["-c", "protocol.file.allow=always", "clone", "-q", "--filter=blob:none", "file://" + server, parent + "/clone"], in: parent)
        let clone = parent + "/clone"
        let marker = parent + "/fetched"
        try git(["config", "remote.origin.uploadpack", "touch \(marker); git-upload-pack"], in: clone)
        let r = try run(["diff", "--base", "HEAD~1"], in: clone)
        #expect(!FileManager.default.fileExists(atPath: marker), "the clone's uploadpack command ran")
        #expect(r.status == 0 || r.status == 2, "\(r.stderr)")
    }

    /// The job-summary markdown parses as CommonMark + tables (markdown-it-py): counts first, every table with its
    /// header's column count, folded details balanced, hostile names escaped.
    @Test func markdownParsesWithMarkdownIt() throws {
        guard let python = ExternalTools.require(ExternalTools.python(module: "markdown_it"),
                                                 for: "DiffTests.markdownParsesWithMarkdownIt", needs: "python3 with markdown-it-py",
                                                 install: ExternalTools.installCommand)
        else { return }
        let dir = try repository()
        try write(dir, "policies/db.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: "pg|in<script>", namespace: db}
            spec:
              podSelector: {matchLabels: {app: postgres}}
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {team: web}}
                ports: [{port: 5432}, {port: 9187}]
            """)
        let r = try run(["diff", "--base", "HEAD", "--format", "md"], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n").dropFirst(2).first?.contains("newly allowed") == true, "counts first")
        let result = ExternalTools.run(python, ["-c", AuditRenderTests.parser], stdin: r.stdout, timeout: 60)
        try #require(result.status == 0, "markdown-it-py failed: \(result.stderr)")
        let parsed = try JSONDecoder().decode(AuditRenderTests.Parsed.self, from: Data(result.stdout.utf8))
        #expect(parsed.tables.count >= 3)
        for t in parsed.tables {
            let width = t.rows.first?.count ?? 0
            #expect(t.rows.allSatisfy { $0.count == width } && t.raw.allSatisfy { $0 == width }, "table at line \(t.line)")
        }
        #expect(parsed.detailsOpened == parsed.detailsClosed && parsed.detailsNested)
        #expect(!parsed.html.contains("<script"))
    }
}
