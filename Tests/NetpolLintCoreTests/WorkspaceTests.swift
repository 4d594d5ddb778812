import Foundation
@testable import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// The language server's in-memory repository (`Workspace`): after every kind of change — an edited document, a file
/// changed, created or deleted on disk, a document closed — its findings for the open documents are those of a fresh
/// `check --stdin` of the same state, which reads everything again.
@Suite struct WorkspaceTests {
    static let api = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: api
          namespace: shop
        spec:
          description: the API talks to PostgreSQL
          endpointSelector: {matchLabels: {app: api}}
          egress:
            - toEndpoints:
                - matchLabels: {io.kubernetes.pod.namespace: database, app: postgres}
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]

        """

    static func database(admitting namespace: String) -> String {
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: database-default
          namespace: database
        spec:
          description: who may connect
          endpointSelector: {}
          ingress:
            - fromEndpoints:
                - matchLabels: {io.kubernetes.pod.namespace: \(namespace)}
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]

        """
    }

    /// A NetworkPolicy named `name` in `shop` (a second one with the same name is an NP103 duplicate).
    static func duplicate(_ description: String) -> String {
        Manifests.networkPolicy("web", "shop", "  podSelector: {}\n  policyTypes: [Ingress]  # \(description)")
    }

    /// What a finding is, without the file index (which differs between the two pipelines).
    struct Seen: Hashable, CustomStringConvertible {
        var rule: String, line: Int32, column: Int32, message: String, related: [String]
        var description: String { "\(rule) \(line):\(column) \(message) \(related)" }
    }

    static func seen(_ findings: [Finding], paths: (Span) -> String) -> [Seen] {
        findings.map { f in
            Seen(rule: f.ruleID, line: f.span.line, column: f.span.column, message: f.message,
                 related: f.related.map { "\(FilePath.basename(paths($0.span))):\($0.span.line):\($0.span.column) \($0.message)" })
        }
    }

    /// A fresh `check --stdin` of `target` with `text`, the folder as its context.
    static func fresh(_ dir: String, _ target: String, _ text: String, configuration: Configuration = Configuration()) throws -> [Seen] {
        var request = LintRequest(paths: [dir], configuration: configuration, repositoryRoot: dir,
                                  workingDirectory: FilePath.currentDirectory())
        request.stdin = (Array(text.utf8), target)
        request.maxFileSize = configuration.maxFileSize
        let report = try Linter(rules: builtInRules).run(request)
        return seen(report.findings) { FilePath.absolute(report.files[Int($0.file)].path) }
    }

    static func incremental(_ workspace: Workspace, _ target: String) -> [Seen] {
        let lint = workspace.lint()
        return seen(lint.findings(in: target)) { lint.path(of: $0) }
    }

    func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: FilePath.dirname(path), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func everyKindOfChangeAgreesWithAFreshLint() throws {
        let dir = TestSupport.writeTree([
            ("apps/api.yaml", Self.api),
            ("platform/database.yaml", Self.database(admitting: "billing")),
            ("a/web.yaml", Self.duplicate("first")),
            ("notes/readme.yaml", "title: not a manifest\n"),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml", database = dir + "/platform/database.yaml"
        let workspace = try Workspace(root: dir, repositoryRoot: dir, configuration: Configuration(),
                                      linter: Linter(rules: builtInRules))
        var text = Self.api
        workspace.setDocument(api, text: Array(text.utf8))
        func agree(_ step: String, _ target: String? = nil, _ expected: (([Seen]) -> Bool)? = nil) throws {
            let target = target ?? api
            let now = Self.incremental(workspace, target)
            let reference = try Self.fresh(dir, target, target == api ? text : String(contentsOfFile: target, encoding: .utf8))
            #expect(now == reference, "\(step): incremental \(now) vs fresh \(reference)")
            if let expected { #expect(expected(now), "\(step): \(now)") }
        }
        // The database admits only billing: the API's egress has no counterpart (NP210, related to the database).
        try agree("open") { $0.contains { $0.rule == "NP210" && $0.related.contains { $0.hasPrefix("database.yaml") } } }

        // An edit of the open document (a typo with a did-you-mean).
        text = Self.api.replacingOccurrences(of: "toPorts", with: "toPort")
        workspace.setDocument(api, text: Array(text.utf8))
        try agree("edit") { $0.contains { $0.rule == "NP101" } }

        // The counterpart written on disk by another tool: NP210 goes away.
        text = Self.api
        workspace.setDocument(api, text: Array(text.utf8))
        try write(database, Self.database(admitting: "shop"))
        workspace.filesChanged([(database, false)])
        try agree("changed on disk") { !$0.contains { $0.rule == "NP210" } }

        // The database policy deleted: nothing enforces ingress there any more.
        try FileManager.default.removeItem(atPath: database)
        workspace.filesChanged([(database, true)])
        try agree("deleted") { !$0.contains { $0.rule == "NP210" } }

        // Created again, refusing shop: NP210 is back.
        try write(database, Self.database(admitting: "billing"))
        workspace.filesChanged([(database, false)])
        try agree("created") { $0.contains { $0.rule == "NP210" } }

        // A whole folder created, then deleted.
        try write(dir + "/more/deeper/db.yaml", Self.database(admitting: "shop").replacingOccurrences(of: "database-default", with: "db2"))
        workspace.filesChanged([(dir + "/more", false)])
        try agree("folder created")
        try FileManager.default.removeItem(atPath: dir + "/more")
        workspace.filesChanged([(dir + "/more", true)])
        try agree("folder deleted")
    }

    /// The namespaces kustomize applies are kept between lints (an edit of a policy does not change them), and
    /// recomputed when a kustomization changes.
    @Test func aChangedKustomizationMovesItsPolicies() throws {
        let kustomization = { (ns: String) in
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: \(ns)\nresources: [database.yaml]\n"
        }
        let dir = TestSupport.writeTree([("apps/api.yaml", Self.api), ("platform/database.yaml", Self.database(admitting: "billing")),
                                         ("platform/kustomization.yaml", kustomization("database"))])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml"
        let workspace = try Workspace(root: dir, repositoryRoot: dir, configuration: Configuration(),
                                      linter: Linter(rules: builtInRules))
        workspace.setDocument(api, text: Array(Self.api.utf8))
        let before = Self.incremental(workspace, api)
        #expect(before.contains { $0.rule == "NP210" }, "\(before)")
        #expect(before == (try Self.fresh(dir, api, Self.api)))
        // An edit of the open policy alone: the kept namespaces still apply.
        let edited = Self.api.replacingOccurrences(of: "the API talks", with: "the API still talks")
        workspace.setDocument(api, text: Array(edited.utf8))
        #expect(Self.incremental(workspace, api) == (try Self.fresh(dir, api, edited)))
        // The kustomization moves the database policy to another namespace: nothing enforces ingress at 'database'.
        try write(dir + "/platform/kustomization.yaml", kustomization("elsewhere"))
        workspace.filesChanged([(dir + "/platform/kustomization.yaml", false)])
        let after = Self.incremental(workspace, api)
        #expect(!after.contains { $0.rule == "NP210" }, "\(after)")
        #expect(after == (try Self.fresh(dir, api, edited)))
    }

    /// Which of two definitions is "first" follows the walk's order, also when the first file is created after the
    /// second: the workspace keeps indices stable but assembles objects in the walk's order.
    @Test func firstDefinitionFollowsTheWalkAfterRecreation() throws {
        // NP103 compares policies of one folder.
        let dir = TestSupport.writeTree([("a/web.yaml", Self.duplicate("first")), ("a/web2.yaml", Self.duplicate("second"))])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = dir + "/a/web.yaml", second = dir + "/a/web2.yaml"
        let workspace = try Workspace(root: dir, repositoryRoot: dir, configuration: Configuration(),
                                      linter: Linter(rules: builtInRules))
        workspace.setDocument(second, text: Array(Self.duplicate("second").utf8))
        #expect(Self.incremental(workspace, second).contains { $0.rule == "NP103" })
        try FileManager.default.removeItem(atPath: first)
        workspace.filesChanged([(first, true)])
        #expect(!Self.incremental(workspace, second).contains { $0.rule == "NP103" })
        try write(first, Self.duplicate("first again"))
        workspace.filesChanged([(first, false)])
        let now = Self.incremental(workspace, second)
        #expect(now.contains { $0.rule == "NP103" })
        #expect(now == (try Self.fresh(dir, second, Self.duplicate("second"))))
    }

    /// A closed document is context again, read from disk; an unsaved new document (not on disk) disappears.
    @Test func closingADocument() throws {
        let dir = TestSupport.writeTree([("apps/api.yaml", Self.api), ("platform/database.yaml", Self.database(admitting: "billing"))])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml", database = dir + "/platform/database.yaml", draft = dir + "/platform/draft.yaml"
        let workspace = try Workspace(root: dir, repositoryRoot: dir, configuration: Configuration(),
                                      linter: Linter(rules: builtInRules))
        workspace.setDocument(api, text: Array(Self.api.utf8))
        // The database's buffer admits shop, unsaved: the API is fine while it is open.
        workspace.setDocument(database, text: Array(Self.database(admitting: "shop").utf8))
        #expect(!Self.incremental(workspace, api).contains { $0.rule == "NP210" })
        workspace.closeDocument(database)
        #expect(Self.incremental(workspace, api).contains { $0.rule == "NP210" })
        // A new buffer that was never written is linted while open, and forgotten when closed.
        workspace.setDocument(draft, text: Array(Self.database(admitting: "shop").replacingOccurrences(of: "database-default", with: "draft").utf8))
        #expect(!Self.incremental(workspace, api).contains { $0.rule == "NP210" })
        workspace.closeDocument(draft)
        #expect(Self.incremental(workspace, api).contains { $0.rule == "NP210" })
        #expect(workspace.fileCount == 2)
    }

    /// What the walk does not read is not linted when opened: excluded globs, skipped folders, other extensions, and
    /// the configuration file (whose repository-wide findings are reported when it is open).
    @Test func includesWhatTheWalkReads() throws {
        let dir = TestSupport.writeTree([
            (".netpol-lint.yaml", "preset: tiered-zero-trust\nexclude: [\"charts/**\"]\n"),
            ("apps/api.yaml", Self.api),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configuration = try Configuration.load(path: dir + "/.netpol-lint.yaml")
        let workspace = try Workspace(root: dir, repositoryRoot: dir, configuration: configuration,
                                      linter: Linter(rules: builtInRules))
        #expect(workspace.includes(dir + "/apps/api.yaml"))
        #expect(workspace.includes(dir + "/apps/new.yml"))
        #expect(!workspace.includes(dir + "/charts/x/values.yaml"))
        #expect(!workspace.includes(dir + "/node_modules/x/a.yaml"))
        #expect(!workspace.includes(dir + "/.build-x/a.yaml"))
        #expect(!workspace.includes(dir + "/apps/api.json"))
        #expect(!workspace.includes(dir + "/.netpol-lint.yaml"))
        #expect(!workspace.includes("/elsewhere/a.yaml"))
        // tiered-zero-trust requires a default-deny CCNP: NP202 lies on the configuration's preset line.
        let config = dir + "/.netpol-lint.yaml"
        #expect(workspace.lint().findings(in: config).isEmpty)
        workspace.setDocument(config, text: Array("preset: tiered-zero-trust\n".utf8))
        #expect(workspace.lint().findings(in: config).contains { $0.ruleID == "NP202" })
        workspace.closeDocument(config)
        #expect(workspace.lint().findings(in: config).isEmpty)
    }
}
