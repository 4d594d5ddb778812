#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the language server takes from the command line: the rules, and the two things `check` decides that the
/// server must decide the same way — which folder a file is linted with as context, and what is wrong with a
/// configuration.
public struct LanguageServerSetup {
    public var rules: [any Rule.Type]
    /// The folder read as context for a file (`check --stdin`'s rule), given its configuration.
    public var contextFolder: (_ file: String, _ configuration: Configuration) -> String
    /// Every problem of a configuration (its own, an unknown preset, unknown rules or parameters), as `check` reports
    /// them before refusing to run.
    public var configurationProblems: (Configuration) -> [ConfigurationError]
    /// Parallel workers for the first read of a repository.
    public var jobs = 2

    public init(rules: [any Rule.Type], contextFolder: @escaping (String, Configuration) -> String,
                configurationProblems: @escaping (Configuration) -> [ConfigurationError]) {
        self.rules = rules
        self.contextFolder = contextFolder
        self.configurationProblems = configurationProblems
    }
}

/// `netpol-lint lsp`: a Language Server (LSP 3.17) over standard input and output.
///
/// It publishes diagnostics for the open documents (on open, change, save; a closed document's are cleared), each
/// linted with the rest of its repository as context, kept in memory (`Workspace`); a change in one document
/// republishes every other open document whose findings it changes. Hover over a diagnostic explains its rule;
/// code actions offer the finding's fix, when it has one, and a suppression comment. One thread: messages are
/// handled in order, and the documents are linted again once no message is waiting, so a burst of edits is linted
/// once. What it supports and why: docs/editors.md.
public final class LanguageServer {
    /// Largest message accepted; a client that declares more is answered with an error and the server exits.
    public static let maxMessageSize = 64 * 1024 * 1024
    /// The reason written into a suppression comment by the code action, for the user to replace.
    public static let reasonPlaceholder = "<reason: why is this accepted?>"

    enum ErrorCode {
        static let parseError = -32700
        static let invalidRequest = -32600
        static let methodNotFound = -32601
        static let invalidParams = -32602
        static let serverNotInitialized = -32002
    }

    enum Phase { case waiting, running, shutDown }

    struct Diagnostic {
        var finding: Finding?
        var range: LSPRange
        var json: JSON
    }

    struct Document {
        var uri: String
        /// Nil for a URI that does not name a local file (`untitled:`): nothing is linted.
        var path: String?
        var version: Int?
        var text: DocumentText
        /// The folder of the repository it is linted in.
        var root: String?
        /// What was last published for it.
        var diagnostics: [Diagnostic] = []
        var publishedJSON: String?
    }

    enum Repository {
        case ready(Workspace)
        /// The configuration has problems: nothing is linted until they are fixed.
        case broken(configurationFile: String?, problems: [ConfigurationError])
    }

    let setup: LanguageServerSetup
    let linter: Linter
    var reader: MessageReader
    let writer: MessageWriter
    var phase = Phase.waiting
    var exitStatus: Int32?

    var folders: [String] = []
    var markdownHover = true
    var dynamicWatchers = false
    var repositories: [String: Repository] = [:]
    var documents: [String: Document] = [:]
    /// Repositories to lint again, and documents to publish even when their diagnostics did not change.
    var dirty = Set<String>()
    var forced = Set<String>()

    public init(setup: LanguageServerSetup, input: Int32 = 0, output: Int32 = 1) {
        self.setup = setup
        self.linter = Linter(rules: setup.rules)
        self.reader = MessageReader(fd: input, maxBody: Self.maxMessageSize)
        self.writer = MessageWriter(fd: output)
    }

    /// Serves until `exit` or the end of input; returns the exit status (0 after `shutdown`, else 1).
    public func run() -> Int32 {
        // A client that goes away must not kill the server with SIGPIPE: the failed write is noticed instead.
        signal(SIGPIPE, SIG_IGN)
        while exitStatus == nil {
            if !dirty.isEmpty || !forced.isEmpty, !reader.hasBufferedInput, !reader.inputReady() {
                flush()
                continue
            }
            switch reader.next() {
            case .message(let body):
                handle(body)
            case .malformed(let problem):
                log("bad message header: \(problem); skipped to the next Content-Length")
                respondError(.null, ErrorCode.parseError, "bad message header: \(problem)")
            case .tooLarge(let size):
                log("a message of \(size) bytes is over the \(Self.maxMessageSize / (1024 * 1024)) MB limit; exiting")
                respondError(.null, ErrorCode.parseError,
                             "message of \(size) bytes is over the \(Self.maxMessageSize / (1024 * 1024)) MB limit; the server exits")
                return 1
            case .end:
                return phase == .shutDown ? 0 : 1
            }
        }
        return exitStatus ?? 1
    }

    // MARK: - JSON-RPC

    func handle(_ body: [UInt8]) {
        let message: JSON
        do {
            message = try JSON.parse(body, maxDepth: 128)
        } catch {
            respondError(.null, ErrorCode.parseError, "invalid JSON: \(error)")
            return
        }
        guard case .object = message else {
            respondError(.null, ErrorCode.invalidRequest, "a message must be a JSON object (batches are not used by LSP)")
            return
        }
        let id = message["id"]
        if let id {
            switch id {
            case .int, .string, .null: break
            default:
                respondError(.null, ErrorCode.invalidRequest, "'id' must be a number or a string")
                return
            }
        }
        guard message["jsonrpc"]?.stringValue == "2.0" else {
            respondError(id ?? .null, ErrorCode.invalidRequest, "'jsonrpc' must be \"2.0\"")
            return
        }
        guard let methodValue = message["method"] else {
            if id != nil, message["result"] != nil || message["error"] != nil {
                // The client's answer to a request of ours (client/registerCapability).
                if let error = message["error"] { log("the client refused a request: \(error.serialized(pretty: false))") }
                return
            }
            respondError(id ?? .null, ErrorCode.invalidRequest, "a message needs a 'method'")
            return
        }
        guard let method = methodValue.stringValue else {
            respondError(id ?? .null, ErrorCode.invalidRequest, "'method' must be a string")
            return
        }
        let params = message["params"]
        if let id { request(method, id: id, params: params) } else { notification(method, params: params) }
    }

    func request(_ method: String, id: JSON, params: JSON?) {
        if phase == .waiting && method != "initialize" {
            respondError(id, ErrorCode.serverNotInitialized, "the server is not initialized: send 'initialize' first")
            return
        }
        if phase == .shutDown {
            respondError(id, ErrorCode.invalidRequest, "the server is shut down; only 'exit' is accepted")
            return
        }
        // Answers come after the diagnostics of the notifications before them.
        settle()
        switch method {
        case "initialize":
            guard phase == .waiting else {
                respondError(id, ErrorCode.invalidRequest, "'initialize' was already received")
                return
            }
            initialize(id: id, params: params)
        case "shutdown":
            phase = .shutDown
            respond(id, .null)
        case "textDocument/hover":
            hover(id: id, params: params)
        case "textDocument/codeAction":
            codeAction(id: id, params: params)
        default:
            respondError(id, ErrorCode.methodNotFound, "unknown method '\(method)'")
        }
    }

    func notification(_ method: String, params: JSON?) {
        if method == "exit" {
            exitStatus = phase == .shutDown ? 0 : 1
            return
        }
        // Before `initialize` and after `shutdown`, notifications are dropped (LSP 3.17, "initialize", "shutdown").
        guard phase == .running else { return }
        switch method {
        case "initialized": initialized()
        case "textDocument/didOpen": didOpen(params)
        case "textDocument/didChange": didChange(params)
        case "textDocument/didSave": didSave(params)
        case "textDocument/didClose": didClose(params)
        case "workspace/didChangeWatchedFiles": didChangeWatchedFiles(params)
        default: break  // $/cancelRequest, $/setTrace, and anything unknown: a notification needs no answer
        }
    }

    func respond(_ id: JSON, _ result: JSON) {
        send(.object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)]))
    }

    func respondError(_ id: JSON, _ code: Int, _ message: String) {
        send(.object([("jsonrpc", .string("2.0")), ("id", id),
                      ("error", .object([("code", .int(code)), ("message", .string(message))]))]))
    }

    func notify(_ method: String, _ params: JSON) {
        send(.object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", params)]))
    }

    func send(_ message: JSON) {
        guard exitStatus == nil else { return }
        if !writer.send(message) {
            // The client is gone (EPIPE): nothing more can be said.
            exitStatus = phase == .shutDown ? 0 : 1
        }
    }

    func log(_ message: String) {
        FileOutput.standardError("netpol-lint lsp: \(message)\n")
    }

    func invalidParams(_ id: JSON, _ method: String, _ expected: String) {
        respondError(id, ErrorCode.invalidParams, "\(method): params must be \(expected)")
    }

    // MARK: - Lifecycle

    func initialize(id: JSON, params: JSON?) {
        guard let params, case .object = params else {
            invalidParams(id, "initialize", "an object with 'capabilities'")
            return
        }
        let capabilities = params["capabilities"] ?? .object([])
        guard case .object = capabilities else {
            invalidParams(id, "initialize", "an object whose 'capabilities' is an object")
            return
        }
        var folders: [String] = []
        switch params["workspaceFolders"] {
        case nil, .null?:
            switch params["rootUri"] {
            case .string(let uri)?: if let p = FileURI.path(uri) { folders = [p] }
            case nil, .null?:
                if case .string(let p)? = params["rootPath"], p.hasPrefix("/") { folders = [FilePath.normalize(p)] }
            default:
                invalidParams(id, "initialize", "an object whose 'rootUri' is a string or null")
                return
            }
        case .array(let items)?:
            for item in items {
                guard case .string(let uri)? = item["uri"] else {
                    invalidParams(id, "initialize", "an object whose 'workspaceFolders' are objects with a 'uri'")
                    return
                }
                if let p = FileURI.path(uri), !folders.contains(p) { folders.append(p) }
            }
        default:
            invalidParams(id, "initialize", "an object whose 'workspaceFolders' is an array or null")
            return
        }
        self.folders = folders
        if case .array(let formats)? = capabilities["textDocument"]?["hover"]?["contentFormat"] {
            markdownHover = formats.contains(.string("markdown"))
        }
        dynamicWatchers = capabilities["workspace"]?["didChangeWatchedFiles"]?["dynamicRegistration"]?.boolValue ?? false
        phase = .running
        respond(id, .object([
            ("capabilities", .object([
                ("positionEncoding", .string("utf-16")),
                ("textDocumentSync", .object([
                    ("openClose", .bool(true)),
                    ("change", .int(1)),
                    ("save", .object([("includeText", .bool(false))])),
                ])),
                ("hoverProvider", .bool(true)),
                ("codeActionProvider", .object([("codeActionKinds", .array([.string("quickfix")]))])),
            ])),
            ("serverInfo", .object([("name", .string("netpol-lint")), ("version", .string(NetpolLint.version))])),
        ]))
    }

    func initialized() {
        if dynamicWatchers {
            // Files changed outside the editor (a git checkout, another tool) are reported by the client.
            send(.object([
                ("jsonrpc", .string("2.0")), ("id", .string("netpol-lint/register-watchers")),
                ("method", .string("client/registerCapability")),
                ("params", .object([("registrations", .array([.object([
                    ("id", .string("netpol-lint/watched-files")),
                    ("method", .string("workspace/didChangeWatchedFiles")),
                    ("registerOptions", .object([("watchers", .array([
                        .object([("globPattern", .string("**/*.{yaml,yml}"))]),
                        .object([("globPattern", .string("**/.netpol-lint.{yaml,yml}"))]),
                    ]))])),
                ])]))])),
            ]))
        }
        // Read the workspace folders now, so that the first document opened is linted at once.
        for folder in folders { _ = repository(root(forFolder: folder)) }
    }

    // MARK: - Repositories

    /// The folder a file is linted in, as `check --stdin` decides it; a file in no repository (no git root, no
    /// configuration) that lies in a workspace folder is linted with that folder rather than its own folder alone.
    func root(for path: String) -> String {
        let folder = FilePath.dirname(path)
        let configuration = Configuration.read(discoveredFrom: folder)
        if configuration.file == nil, FilePath.findUpward(".git", from: folder) == nil,
           let workspace = folders.filter({ FilePath.isInside(path, $0) }).max(by: { $0.count < $1.count }) {
            return workspace
        }
        return FilePath.normalize(FilePath.absolute(setup.contextFolder(path, configuration)))
    }

    /// The folder the files directly in a workspace folder are linted in.
    func root(forFolder folder: String) -> String {
        root(for: FilePath.join(folder, "netpol-lint-workspace-folder.yaml"))
    }

    /// The repository read from `root`, loaded on first use.
    func repository(_ root: String) -> Repository {
        if let r = repositories[root] { return r }
        let configuration = Configuration.read(discoveredFrom: root)
        let problems = setup.configurationProblems(configuration).flatMap(\.all)
        let repositoryRoot = FilePath.findUpward(".git", from: root)
            ?? configuration.file.map { FilePath.dirname(FilePath.absolute($0)) } ?? root
        var r: Repository
        if problems.isEmpty {
            do {
                r = .ready(try Workspace(root: root, repositoryRoot: repositoryRoot, configuration: configuration,
                                         linter: linter, jobs: setup.jobs))
            } catch {
                r = .broken(configurationFile: configuration.file,
                            problems: [ConfigurationError(file: configuration.file ?? root, line: nil, message: "\(error)")])
            }
        } else {
            r = .broken(configurationFile: configuration.file, problems: problems)
        }
        if case .broken(_, let problems) = r {
            notify("window/showMessage", .object([
                ("type", .int(1)),
                ("message", .string("netpol-lint: nothing under \(root) is linted until the configuration is fixed: "
                                    + problems.map(\.description).joined(separator: "; "))),
            ]))
        }
        repositories[root] = r
        return r
    }

    /// Reads every configuration again: after a configuration file changed, was created or deleted. Every
    /// repository is read again and every open document published.
    func reconfigure() {
        repositories = [:]
        for folder in folders { _ = repository(root(forFolder: folder)) }
        for uri in documents.keys.sorted() { attach(uri) }
    }

    /// Puts an open document into its repository and marks it to be linted and published.
    func attach(_ uri: String) {
        guard var doc = documents[uri] else { return }
        forced.insert(uri)
        // Only what can be linted is given a repository (a URI naming `/` must not make the server walk the disk).
        guard let path = doc.path, Discovery.isYAMLName(FilePath.basename(path)) || Configuration.isConfigurationFile(path),
              !FilePath.isDirectory(path) else { return }
        let root = root(for: path)
        doc.root = root
        documents[uri] = doc
        dirty.insert(root)
        if case .ready(let workspace) = repository(root) { workspace.setDocument(path, text: doc.text.bytes) }
    }

    // MARK: - Document sync

    /// `params.textDocument.uri`, or nil (logged) when the params do not have that shape.
    func documentURI(_ params: JSON?, _ method: String) -> String? {
        guard let uri = params?["textDocument"]?["uri"]?.stringValue else {
            log("\(method): ignored, params have no textDocument.uri")
            return nil
        }
        return uri
    }

    func didOpen(_ params: JSON?) {
        guard let item = params?["textDocument"], case .string(let uri)? = item["uri"], case .string(let text)? = item["text"] else {
            log("textDocument/didOpen: ignored, params need textDocument.uri and textDocument.text")
            return
        }
        documents[uri] = Document(uri: uri, path: FileURI.path(uri), version: item["version"].flatMap(Self.version),
                                  text: DocumentText(Array(text.utf8)))
        attach(uri)
    }

    func didChange(_ params: JSON?) {
        guard let uri = documentURI(params, "textDocument/didChange") else { return }
        guard case .array(let changes)? = params?["contentChanges"], let last = changes.last,
              case .string(let text)? = last["text"], last["range"] == nil else {
            log("textDocument/didChange: ignored, contentChanges must hold the whole text (the server asked for full sync)")
            return
        }
        guard var doc = documents[uri] else {
            log("textDocument/didChange: ignored, \(uri) is not open")
            return
        }
        doc.text = DocumentText(Array(text.utf8))
        if let v = params?["textDocument"]?["version"].flatMap(Self.version) { doc.version = v }
        documents[uri] = doc
        update(uri)
    }

    func didSave(_ params: JSON?) {
        guard let uri = documentURI(params, "textDocument/didSave"), var doc = documents[uri] else { return }
        if case .string(let text)? = params?["text"] {
            doc.text = DocumentText(Array(text.utf8))
            documents[uri] = doc
        }
        if let path = doc.path, Configuration.isConfigurationFile(path) {
            reconfigure()
            return
        }
        update(uri)
    }

    /// The document's new text goes to its repository, which is linted again.
    func update(_ uri: String) {
        guard let doc = documents[uri] else { return }
        forced.insert(uri)
        guard let path = doc.path, let root = doc.root else { return }
        dirty.insert(root)
        if case .ready(let workspace)? = repositories[root] { workspace.setDocument(path, text: doc.text.bytes) }
    }

    func didClose(_ params: JSON?) {
        guard let uri = documentURI(params, "textDocument/didClose"), let doc = documents.removeValue(forKey: uri) else { return }
        forced.remove(uri)
        // Diagnostics are published for open documents only: a closed one's are cleared.
        notify("textDocument/publishDiagnostics", .object([("uri", .string(uri)), ("diagnostics", .array([]))]))
        guard let path = doc.path, let root = doc.root else { return }
        dirty.insert(root)
        if case .ready(let workspace)? = repositories[root] { workspace.closeDocument(path) }
    }

    func didChangeWatchedFiles(_ params: JSON?) {
        guard case .array(let changes)? = params?["changes"] else {
            log("workspace/didChangeWatchedFiles: ignored, params have no changes")
            return
        }
        var configurationChanged = false
        var byRoot: [String: [(path: String, deleted: Bool)]] = [:]
        for change in changes {
            guard case .string(let uri)? = change["uri"], let path = FileURI.path(uri),
                  case .int(let type)? = change["type"], (1...3).contains(type) else { continue }
            if Configuration.isConfigurationFile(path) {
                configurationChanged = true
                continue
            }
            for (root, repository) in repositories where FilePath.isInside(path, root) {
                if case .ready = repository { byRoot[root, default: []].append((path, type == 3)) }
            }
        }
        if configurationChanged {
            reconfigure()
            return
        }
        for (root, changes) in byRoot {
            guard case .ready(let workspace)? = repositories[root] else { continue }
            workspace.filesChanged(changes)
            dirty.insert(root)
        }
    }

    static func version(_ json: JSON) -> Int? {
        if case .int(let v) = json { return v }
        return nil
    }

    // MARK: - Diagnostics

    /// Lints the repositories that changed and publishes the diagnostics of their open documents that changed (and
    /// of the documents that asked for it).
    func flush() {
        var results: [String: WorkspaceLint] = [:]
        for root in dirty.sorted() {
            if case .ready(let workspace)? = repositories[root] { results[root] = workspace.lint() }
        }
        let roots = dirty
        dirty = []
        let force = forced
        forced = []
        var texts = TextCache(documents: documents)
        for uri in documents.keys.sorted() {
            guard var doc = documents[uri], force.contains(uri) || doc.root.map(roots.contains) == true else { continue }
            var diagnostics: [Diagnostic] = []
            if let path = doc.path, let root = doc.root {
                switch repositories[root] {
                case .ready?:
                    if let lint = results[root] {
                        diagnostics = lint.findings(in: path).map { diagnostic($0, doc: doc, lint: lint, texts: &texts) }
                    } else {
                        diagnostics = doc.diagnostics
                    }
                case .broken(let file, let problems)?:
                    if let file, FilePath.absolute(file) == path { diagnostics = configurationDiagnostics(problems, doc: doc) }
                case nil:
                    break
                }
            }
            let array = JSON.array(diagnostics.map(\.json))
            let serialized = array.serialized(pretty: false)
            doc.diagnostics = diagnostics
            let changed = serialized != doc.publishedJSON
            doc.publishedJSON = serialized
            documents[uri] = doc
            guard changed || force.contains(uri) else { continue }
            var params: [(String, JSON)] = [("uri", .string(uri))]
            if let v = doc.version { params.append(("version", .int(v))) }
            params.append(("diagnostics", array))
            notify("textDocument/publishDiagnostics", .object(params))
        }
    }

    /// Flushes before answering a request about a document, so that the answer is about its current text.
    func settle() {
        if !dirty.isEmpty || !forced.isEmpty { flush() }
    }

    func diagnostic(_ f: Finding, doc: Document, lint: WorkspaceLint, texts: inout TextCache) -> Diagnostic {
        let range = doc.text.range(of: f.span)
        var pairs: [(String, JSON)] = [
            ("range", range.json),
            ("severity", .int(Self.severity(f.severity))),
            ("code", .string(f.ruleID)),
        ]
        if let href = linter.lookup(f.ruleID)?.description.helpURI {
            pairs.append(("codeDescription", .object([("href", .string(href))])))
        }
        pairs.append(("source", .string("netpol-lint")))
        pairs.append(("message", .string(f.message)))
        if !f.related.isEmpty {
            pairs.append(("relatedInformation", .array(f.related.map { r in
                let path = lint.path(of: r.span)
                let range = texts.text(path).map { $0.range(of: r.span) } ?? Self.plainRange(r.span)
                return .object([
                    ("location", .object([("uri", .string(texts.uri(path))), ("range", range.json)])),
                    ("message", .string(r.message)),
                ])
            })))
        }
        return Diagnostic(finding: f, range: range, json: .object(pairs))
    }

    /// A configuration's problems as diagnostics on its file: each on its line, or the first line.
    func configurationDiagnostics(_ problems: [ConfigurationError], doc: Document) -> [Diagnostic] {
        problems.filter { FilePath.absolute($0.file) == doc.path || $0.line == nil }.map { p in
            let line = max(0, (p.line ?? 1) - 1)
            let range = LSPRange(start: LSPPosition(line: line, character: 0),
                                 end: LSPPosition(line: line, character: doc.text.utf16Length(line)))
            return Diagnostic(finding: nil, range: range, json: .object([
                ("range", range.json), ("severity", .int(1)), ("source", .string("netpol-lint")),
                ("message", .string(p.message)),
            ]))
        }
    }

    static func severity(_ s: Severity) -> Int {
        switch s {
        case .error: 1
        case .warning: 2
        case .note: 3
        }
    }

    /// A span as LSP positions when its file cannot be read: code points taken for UTF-16 units.
    static func plainRange(_ s: Span) -> LSPRange {
        LSPRange(start: LSPPosition(line: max(0, Int(s.line) - 1), character: max(0, Int(s.column) - 1)),
                 end: LSPPosition(line: max(0, Int(s.endLine) - 1), character: max(0, Int(s.endColumn) - 1)))
    }

    /// The text of files that related locations point into: the open document's, else the file on disk, read once.
    struct TextCache {
        var open: [String: (uri: String, text: DocumentText)] = [:]
        var disk: [String: DocumentText?] = [:]

        init(documents: [String: Document]) {
            for doc in documents.values { if let p = doc.path { open[p] = (doc.uri, doc.text) } }
        }

        mutating func text(_ path: String) -> DocumentText? {
            if let o = open[path] { return o.text }
            if let t = disk[path] { return t }
            let t = FileReader.read(path, limit: 16 * 1024 * 1024).map(DocumentText.init)
            disk[path] = t
            return t
        }

        func uri(_ path: String) -> String { open[path]?.uri ?? FileURI.uri(path) }
    }

    // MARK: - Hover and code actions

    /// `params.textDocument.uri`, or nil after answering with an error.
    func target(_ id: JSON, _ params: JSON?, _ method: String, needs: String) -> String? {
        guard let params, case .object = params, case .string(let uri)? = params["textDocument"]?["uri"] else {
            invalidParams(id, method, "an object with textDocument.uri and \(needs)")
            return nil
        }
        return uri
    }

    func hover(id: JSON, params: JSON?) {
        guard let uri = target(id, params, "textDocument/hover", needs: "position") else { return }
        guard let position = LSPPosition(params?["position"]) else {
            invalidParams(id, "textDocument/hover", "an object with textDocument.uri and position {line, character}")
            return
        }
        settle()
        guard let doc = documents[uri] else {
            respond(id, .null)
            return
        }
        var rules: [RuleDescription] = []
        var range: LSPRange?
        for d in doc.diagnostics where d.range.contains(position) {
            guard let f = d.finding, let r = linter.lookup(f.ruleID)?.description else { continue }
            if !rules.contains(where: { $0.id == r.id }) { rules.append(r) }
            range = range ?? d.range
        }
        // A rule named in a suppression comment or annotation (`disable-next-line NP205`, `ignore-check...`).
        if rules.isEmpty, let word = doc.text.word(at: position), doc.text.line(position.line).contains("netpol-lint"),
           let r = linter.lookup(word.text)?.description {
            rules = [r]
            range = word.range
        }
        guard let range, !rules.isEmpty else {
            respond(id, .null)
            return
        }
        let text = rules.map { RuleDocumentation.page($0) }.joined(separator: "\n---\n\n")
        respond(id, .object([
            ("contents", .object([("kind", .string(markdownHover ? "markdown" : "plaintext")), ("value", .string(text))])),
            ("range", range.json),
        ]))
    }

    func codeAction(id: JSON, params: JSON?) {
        guard let uri = target(id, params, "textDocument/codeAction", needs: "range") else { return }
        guard let range = LSPRange(params?["range"]) else {
            invalidParams(id, "textDocument/codeAction", "an object with textDocument.uri, range {start, end} and context")
            return
        }
        if case .array(let only)? = params?["context"]?["only"],
           !only.contains(where: { k in k.stringValue.map { $0.isEmpty || $0 == "quickfix" || "quickfix".hasPrefix($0 + ".") } ?? false }) {
            respond(id, .array([]))
            return
        }
        settle()
        guard let doc = documents[uri] else {
            respond(id, .array([]))
            return
        }
        var fixes: [JSON] = []
        var suppressions: [JSON] = []
        var suppressed = Set<[Int]>()
        func action(_ title: String, _ d: Diagnostic, _ edit: LSPRange, _ text: String, preferred: Bool) -> JSON {
            var pairs: [(String, JSON)] = [("title", .string(title)), ("kind", .string("quickfix")),
                                           ("diagnostics", .array([d.json]))]
            if preferred { pairs.append(("isPreferred", .bool(true))) }
            pairs.append(("edit", .object([("changes", .object([(uri, .array([.object([
                ("range", edit.json), ("newText", .string(text)),
            ])]))]))])))
            return .object(pairs)
        }
        for d in doc.diagnostics where d.range.overlaps(range) {
            guard let f = d.finding else { continue }
            if let fix = f.fix, fix.span.file == f.span.file {
                let edit = LSPRange(start: doc.text.position(line: Int(fix.span.line), column: Int(fix.span.column)),
                                    end: doc.text.position(line: Int(fix.span.endLine), column: Int(fix.span.endColumn)))
                fixes.append(action(fix.title, d, edit, fix.replacement, preferred: true))
            }
            let line = max(0, Int(f.span.line) - 1)
            let rule = f.ruleID
            guard let ruleIndex = linter.rules.firstIndex(where: { $0.description.id == rule }),
                  suppressed.insert([line, ruleIndex]).inserted else { continue }
            let comment = doc.text.indentation(of: line) + "# netpol-lint: disable-next-line \(rule) -- \(Self.reasonPlaceholder)"
                + doc.text.lineBreak(after: line)
            let at = LSPPosition(line: line, character: 0)
            suppressions.append(action("Suppress \(rule) on this line", d, LSPRange(start: at, end: at), comment, preferred: false))
        }
        respond(id, .array(fixes + suppressions))
    }
}
