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

/// Positions: the engine counts code points from 1, LSP counts UTF-16 code units from 0.
@Suite struct DocumentTextTests {
    @Test func codePointColumnsBecomeUTF16() {
        // é is 1 code point and 1 UTF-16 unit (2 bytes); 😀 is 1 code point and 2 UTF-16 units (4 bytes).
        let text = DocumentText(Array("a: é😀x\r\nb: 1\rc: 2\n".utf8))
        #expect(text.lineCount == 4)
        #expect(text.position(line: 1, column: 4) == LSPPosition(line: 0, character: 3))  // é
        #expect(text.position(line: 1, column: 5) == LSPPosition(line: 0, character: 4))  // 😀
        #expect(text.position(line: 1, column: 6) == LSPPosition(line: 0, character: 6))  // x, after the surrogate pair
        #expect(text.position(line: 1, column: 99) == LSPPosition(line: 0, character: 7))  // clamped to the line
        #expect(text.position(line: 2, column: 1) == LSPPosition(line: 1, character: 0))   // after \r\n
        #expect(text.position(line: 3, column: 4) == LSPPosition(line: 2, character: 3))   // after a lone \r
        #expect(text.position(line: 9, column: 1) == LSPPosition(line: 3, character: 0))
        #expect(text.lineBreak(after: 0) == "\r\n")
        #expect(text.lineBreak(after: 1) == "\r")
        // A span of no width covers the rest of its line, up to the last non-blank character.
        let block = DocumentText(Array("  - toPorts:   \n".utf8))
        #expect(block.range(of: Span(file: 0, line: 1, column: 5)) == LSPRange(start: LSPPosition(line: 0, character: 4),
                                                                                  end: LSPPosition(line: 0, character: 12)))
        #expect(block.indentation(of: 0) == "  ")
    }

    @Test func wordsUnderTheCursor() {
        let text = DocumentText(Array("# netpol-lint: disable-next-line NP205, any-port -- ünïcode\n".utf8))
        #expect(text.word(at: LSPPosition(line: 0, character: 35))?.text == "NP205")
        #expect(text.word(at: LSPPosition(line: 0, character: 38))?.text == "NP205")  // just after it
        #expect(text.word(at: LSPPosition(line: 0, character: 42))?.text == "any-port")
        #expect(text.word(at: LSPPosition(line: 0, character: 0)) == nil)
        #expect(text.word(at: LSPPosition(line: 5, character: 0)) == nil)
    }

    @Test func fileURIs() {
        #expect(FileURI.path("file:///home/dev/repo/k8s/np.yaml") == "/home/dev/repo/k8s/np.yaml")
        #expect(FileURI.path("file://localhost/tmp/a%20b/%C3%A9.yaml") == "/tmp/a b/é.yaml")
        #expect(FileURI.path("FILE:///tmp/x.yaml#frag") == "/tmp/x.yaml")
        #expect(FileURI.path("untitled:Untitled-1") == nil)
        #expect(FileURI.path("file://server/share/x.yaml") == nil)
        #expect(FileURI.path("file:///tmp/%00.yaml") == nil)
        #expect(FileURI.path("file:///tmp/%FF.yaml") == nil)
        #expect(FileURI.uri("/tmp/a b/é.yaml") == "file:///tmp/a%20b/%C3%A9.yaml")
        #expect(FileURI.path(FileURI.uri("/tmp/a b/é#%.yaml")) == "/tmp/a b/é#%.yaml")
    }
}

/// The base protocol's framing, read from a pipe.
@Suite struct MessageFramingTests {
    static func read(_ input: String, maxBody: Int = 1 << 20) -> [MessageReader.Event] {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return [] }
        let bytes = Array(input.utf8)
        // Small inputs fit the pipe's buffer: write all, close, then read.
        _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        var reader = MessageReader(fd: fds[0], maxBody: maxBody)
        var events: [MessageReader.Event] = []
        while true {
            let e = reader.next()
            events.append(e)
            if e == .end || events.count > 20 { break }
            if case .tooLarge = e { break }
        }
        close(fds[0])
        return events
    }

    static func message(_ body: String) -> MessageReader.Event { .message(Array(body.utf8)) }

    @Test func wellFormedMessages() {
        let body = #"{"jsonrpc":"2.0","method":"x","params":{"t":"é"}}"#
        #expect(Self.read("Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                          + "content-length:   2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}")
                == [Self.message(body), Self.message("{}"), .end])
    }

    @Test func badHeadersAreSkippedToTheNextMessage() {
        let events = Self.read("Content-Length: abc\r\n\r\n{\"junk\":1}Content-Length: 2\r\n\r\n{}"
                               + "X-Nothing\r\n\r\nContent-Length: 2\r\n\r\n[]"
                               + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}\nContent-Length: 2\r\n\r\n{}")
        #expect(events == [.malformed("Content-Length 'abc' is not a byte count"), Self.message("{}"),
                           .malformed("header line 'X-Nothing' has no ':'"), Self.message("[]"),
                           .malformed("two different Content-Length headers"), Self.message("{}"), .end])
    }

    @Test func bytesBeforeAHeader() {
        // The body was longer than its Content-Length said: the rest is refused, the next message read.
        #expect(Self.read("Content-Length: 2\r\n\r\n{}}}Content-Length: 2\r\n\r\n[]")
                == [Self.message("{}"), .malformed("header has no Content-Length"), Self.message("[]"), .end])
    }

    @Test func limitsAndTruncation() {
        #expect(Self.read("Content-Length: 99999999999\r\n\r\n{}", maxBody: 1000) == [.tooLarge(99_999_999_999)])
        #expect(Self.read("Content-Length: 99999999999999999999999\r\n\r\n")
                == [.malformed("Content-Length '99999999999999999999999' is not a byte count"), .end])
        // A body cut short by the end of input, and a header that never ends.
        #expect(Self.read("Content-Length: 10\r\n\r\n{}") == [.end])
        #expect(Self.read(String(repeating: "x", count: 10_000)) == [.malformed("no end of header within 8192 bytes"), .end])
        #expect(Self.read("") == [.end])
    }
}
