import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// `netpol-lint lsp` driven by a scripted client over its real standard input and output (LSP 3.17 base protocol and
/// lifecycle; docs/editors.md): diagnostics on open, change and save, republishing of other open documents, hover,
/// code actions, watched files, configuration, and every kind of bad input.
@Suite(.serialized) struct LanguageServerTests {
    typealias Message = [String: Any]

    // MARK: Fixtures

    /// A CNP whose ingress line holds non-ASCII text (one character outside the BMP: two UTF-16 units) before a
    /// lower-case protocol (NP102), and whose egress the database never admits (NP210).
    static let api = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: api
          namespace: shop
        spec:
          description: the API talks to PostgreSQL
          endpointSelector: {matchLabels: {app: api}}
          ingress:
            - {fromEndpoints: [{matchLabels: {team: "é😀"}}], toPorts: [{ports: [{port: "8080", protocol: tcp}]}]}
          egress:
            - toEndpoints:
                - matchLabels: {io.kubernetes.pod.namespace: database, app: postgres}
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]

        """
    static let protocolLine = 9, egressLine = 11

    static func database(admitting namespace: String, name: String = "database-default") -> String {
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: \(name)
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

    /// A repository (a `.git` folder marks its root) with the API and the database policies.
    static func repository(_ extra: [(String, String)] = []) -> String {
        let dir = TestSupport.writeTree([("apps/api.yaml", api), ("platform/database.yaml", database(admitting: "billing"))] + extra)
        try? FileManager.default.createDirectory(atPath: dir + "/.git", withIntermediateDirectories: true)
        return dir
    }

    static func initialize(_ client: LSPClient, rootUri: Any = NSNull(), folders: [String]? = nil,
                           capabilities: Message = [:]) -> Message? {
        var params: Message = ["processId": NSNull(), "rootUri": rootUri, "capabilities": capabilities]
        if let folders { params["workspaceFolders"] = folders.map { ["uri": LSP.uri($0), "name": FilePath.basename($0)] } }
        let response = client.request("initialize", params, id: 1).response
        client.notify("initialized", [String: Any]())
        return response
    }

    static func open(_ client: LSPClient, _ path: String, text: String? = nil, version: Int = 1) {
        let text = text ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        client.notify("textDocument/didOpen", ["textDocument": ["uri": LSP.uri(path), "languageId": "yaml", "version": version, "text": text]])
    }

    static func change(_ client: LSPClient, _ path: String, _ text: String, version: Int) {
        client.notify("textDocument/didChange", ["textDocument": ["uri": LSP.uri(path), "version": version],
                                                 "contentChanges": [["text": text]]])
    }

    /// A request whose answer comes after every diagnostic the messages before it caused: what was published then.
    static func barrier(_ client: LSPClient) -> [Message] {
        let (response, before) = client.request("netpol-lint/unknown")
        #expect(response != nil, "the server answered the barrier request")
        return before
    }

    /// The last diagnostics published for `uri` among `messages`, or nil when there were none.
    static func published(_ messages: [Message], _ path: String) -> [[String: Any]]? {
        messages.last { m in
            m["method"] as? String == "textDocument/publishDiagnostics" && (m["params"] as? Message)?["uri"] as? String == LSP.uri(path)
        }.flatMap { (($0["params"] as? Message)?["diagnostics"]) as? [[String: Any]] }
    }

    static func codes(_ diagnostics: [[String: Any]]?) -> [String] { (diagnostics ?? []).compactMap { $0["code"] as? String } }

    static func shutDown(_ client: LSPClient) {
        let (response, _) = client.request("shutdown", id: 99)
        #expect(response.map { $0.keys.contains("result") && $0["result"] is NSNull } == true, "shutdown answers null: \(String(describing: response))")
        client.notify("exit")
        let exit = client.exitStatus()
        #expect(exit?.status == 0 && exit?.signaled == false, "exit after shutdown is status 0: \(String(describing: exit)); stderr: \(client.stderr)")
    }

    // MARK: A session

    @Test func session() throws {
        let dir = Self.repository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml", database = dir + "/platform/database.yaml"
        let client = try LSPClient(directory: dir)

        // initialize: the capabilities the server has, in UTF-16 positions.
        let initialized = Self.initialize(client, rootUri: LSP.uri(dir), capabilities: [
            "workspace": ["didChangeWatchedFiles": ["dynamicRegistration": true]],
            "textDocument": ["hover": ["contentFormat": ["markdown", "plaintext"]]],
        ])
        let result = try #require(initialized?["result"] as? Message)
        let capabilities = try #require(result["capabilities"] as? Message)
        #expect(capabilities["positionEncoding"] as? String == "utf-16")
        let sync = capabilities["textDocumentSync"] as? Message
        #expect(sync?["openClose"] as? Bool == true && sync?["change"] as? Int == 1)
        #expect((sync?["save"] as? Message)?["includeText"] as? Bool == false)
        #expect(capabilities["hoverProvider"] as? Bool == true)
        #expect((capabilities["codeActionProvider"] as? Message)?["codeActionKinds"] as? [String] == ["quickfix"])
        #expect((result["serverInfo"] as? Message)?["name"] as? String == "netpol-lint")
        #expect((result["serverInfo"] as? Message)?["version"] as? String == NetpolLint.version)

        // The client supports dynamic registration: the server asks to watch the YAML files.
        let registration = try #require(client.wait { $0["method"] as? String == "client/registerCapability" })
        let registrations = (registration["params"] as? Message)?["registrations"] as? [Message]
        #expect(registrations?.first?["method"] as? String == "workspace/didChangeWatchedFiles")
        let watchers = ((registrations?.first?["registerOptions"] as? Message)?["watchers"] as? [Message])?.compactMap { $0["globPattern"] as? String }
        #expect(watchers?.contains("**/*.{yaml,yml}") == true)
        client.send(["jsonrpc": "2.0", "id": registration["id"]!, "result": NSNull()])

        // didOpen: the findings, with the rest of the repository as context.
        Self.open(client, api)
        let first = try #require(client.diagnostics(LSP.uri(api), version: 1))
        let np102 = try #require(first.first { $0["code"] as? String == "NP102" })
        let tcp = try #require(LSP.character(of: "tcp", line: Self.protocolLine, in: Self.api))
        // The code-point column counts 😀 once, the UTF-16 position twice.
        #expect(LSP.tuple(np102["range"]) == [Self.protocolLine, tcp, Self.protocolLine, tcp + 3])
        #expect(np102["severity"] as? Int == 1)
        #expect(np102["source"] as? String == "netpol-lint")
        #expect(np102["message"] as? String == "protocol 'tcp' must be upper case: 'TCP'")
        // The rule's page, when the project publishes one (the same link SARIF's helpUri gives), else nothing.
        #expect((np102["codeDescription"] as? Message)?["href"] as? String == InvalidValueRule.description.helpURI)
        let np210 = try #require(first.first { $0["code"] as? String == "NP210" })
        #expect(np210["severity"] as? Int == 2)
        #expect(LSP.tuple(np210["range"]).first == Self.egressLine)
        let related = try #require(np210["relatedInformation"] as? [Message])
        let location = try #require(related.first?["location"] as? Message)
        #expect(location["uri"] as? String == LSP.uri(database))
        #expect(LSP.tuple(location["range"]).first == 3, "the database policy's name: \(related)")

        // Hover on the diagnostic: the rule's explain text.
        let hover = client.request("textDocument/hover", LSP.document(LSP.uri(api)).merging(
            ["position": LSP.position(Self.protocolLine, tcp + 1)]) { a, _ in a }).response
        let contents = (hover?["result"] as? Message)?["contents"] as? Message
        #expect(contents?["kind"] as? String == "markdown")
        #expect(contents?["value"] as? String == RuleDocumentation.page(InvalidValueRule.description))
        #expect(LSP.tuple((hover?["result"] as? Message)?["range"]) == LSP.tuple(np102["range"]))
        let nothing = client.request("textDocument/hover", LSP.document(LSP.uri(api)).merging(
            ["position": LSP.position(0, 3)]) { a, _ in a }).response
        #expect(nothing?["result"] is NSNull)

        // Code actions on the NP102 diagnostic: the fix, then a suppression.
        let actions = try #require(client.request("textDocument/codeAction", LSP.document(LSP.uri(api)).merging([
            "range": np102["range"]!, "context": ["diagnostics": [np102]],
        ]) { a, _ in a }).response?["result"] as? [Message])
        let fix = try #require(actions.first { $0["title"] as? String == "Replace 'tcp' with 'TCP'" })
        #expect(fix["kind"] as? String == "quickfix" && fix["isPreferred"] as? Bool == true)
        let fixEdits = try #require(((fix["edit"] as? Message)?["changes"] as? Message)?[LSP.uri(api)] as? [Message])
        #expect(fixEdits.count == 1 && fixEdits[0]["newText"] as? String == "TCP")
        let suppress = try #require(actions.first { $0["title"] as? String == "Suppress NP102 on this line" })
        let suppressEdits = try #require(((suppress["edit"] as? Message)?["changes"] as? Message)?[LSP.uri(api)] as? [Message])
        #expect(suppressEdits.first?["newText"] as? String
                == "    # netpol-lint: disable-next-line NP102 -- \(LanguageServer.reasonPlaceholder)\n")
        #expect(LSP.tuple(suppressEdits.first?["range"]) == [Self.protocolLine, 0, Self.protocolLine, 0])
        // Only quick fixes are offered: a client asking for refactorings gets none.
        let refactors = client.request("textDocument/codeAction", LSP.document(LSP.uri(api)).merging([
            "range": np102["range"]!, "context": ["diagnostics": [np102], "only": ["refactor"]],
        ]) { a, _ in a }).response
        #expect((refactors?["result"] as? [Any])?.isEmpty == true)

        // didChange with the fix applied: NP102 is gone.
        let fixed = LSP.apply(fixEdits[0], to: Self.api)
        #expect(fixed.contains("protocol: TCP}"))
        Self.change(client, api, fixed, version: 2)
        let afterFix = try #require(client.diagnostics(LSP.uri(api), version: 2))
        #expect(!Self.codes(afterFix).contains("NP102"))

        // The suppression instead: a valid directive (no NP108), used (no NP109), and the finding is hidden.
        let suppressed = LSP.apply(suppressEdits[0], to: Self.api)
        Self.change(client, api, suppressed, version: 3)
        let afterSuppression = Self.codes(client.diagnostics(LSP.uri(api), version: 3))
        #expect(!afterSuppression.contains("NP102") && !afterSuppression.contains("NP108") && !afterSuppression.contains("NP109"),
                "\(afterSuppression)")
        #expect(afterSuppression.contains("NP210"))
        // Hover on the rule named in the directive explains it.
        let onDirective = client.request("textDocument/hover", LSP.document(LSP.uri(api)).merging(
            ["position": LSP.position(Self.protocolLine, 40)]) { a, _ in a }).response
        #expect(((onDirective?["result"] as? Message)?["contents"] as? Message)?["value"] as? String
                == RuleDocumentation.page(InvalidValueRule.description))

        // Another open document changes this one's findings: both are published.
        Self.open(client, database)
        #expect(client.diagnostics(LSP.uri(database), version: 1) != nil)
        Self.change(client, database, Self.database(admitting: "shop"), version: 2)
        var seen = Self.barrier(client)
        #expect(Self.published(seen, database) != nil)
        #expect(Self.published(seen, api).map { !Self.codes($0).contains("NP210") } == true, "api republished without NP210: \(seen)")

        // didSave republishes the saved document.
        client.notify("textDocument/didSave", LSP.document(LSP.uri(api)))
        seen = Self.barrier(client)
        #expect(Self.published(seen, api) != nil)

        // didClose clears the closed document; its file on disk (which refuses shop) is context again.
        client.notify("textDocument/didClose", LSP.document(LSP.uri(database)))
        seen = Self.barrier(client)
        #expect(Self.published(seen, database)?.isEmpty == true)
        #expect(Self.published(seen, api).map { Self.codes($0).contains("NP210") } == true, "NP210 is back: \(seen)")

        // Files changed outside the editor.
        try Self.database(admitting: "shop").write(toFile: database, atomically: false, encoding: .utf8)
        client.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": LSP.uri(database), "type": 2]]])
        seen = Self.barrier(client)
        #expect(Self.published(seen, api).map { !Self.codes($0).contains("NP210") } == true, "changed on disk: \(seen)")
        try FileManager.default.removeItem(atPath: database)
        let other = dir + "/platform/other.yaml"
        try Self.database(admitting: "billing", name: "other").write(toFile: other, atomically: false, encoding: .utf8)
        client.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": LSP.uri(database), "type": 3],
                                                                     ["uri": LSP.uri(other), "type": 1]]])
        seen = Self.barrier(client)
        let relatedNow = (Self.published(seen, api)?.first { $0["code"] as? String == "NP210" }?["relatedInformation"] as? [Message])?
            .compactMap { ($0["location"] as? Message)?["uri"] as? String }
        #expect(relatedNow?.contains(LSP.uri(other)) == true, "created on disk: \(seen)")

        Self.shutDown(client)
    }

    // MARK: Repositories and configuration

    /// Without a workspace folder a document is linted with its repository as `check --stdin` finds it; the
    /// configuration applies, and is read again when it changes.
    @Test func configurationWithoutWorkspaceFolder() throws {
        let dir = Self.repository([(".netpol-lint.yaml", "rules: {NP210: off}\n"), ("charts/bad.yaml", Self.api)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml", config = dir + "/.netpol-lint.yaml"
        let client = try LSPClient(directory: "/")
        _ = Self.initialize(client)
        Self.open(client, api)
        var codes = Self.codes(client.diagnostics(LSP.uri(api), version: 1))
        #expect(codes.contains("NP102") && !codes.contains("NP210"), "\(codes)")

        // The configuration changes on disk: NP210 runs again; charts/ is excluded.
        try "exclude: [\"charts/**\"]\n".write(toFile: config, atomically: false, encoding: .utf8)
        client.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": LSP.uri(config), "type": 2]]])
        var seen = Self.barrier(client)
        codes = Self.codes(Self.published(seen, api))
        #expect(codes.contains("NP102") && codes.contains("NP210"), "\(codes)")
        Self.open(client, dir + "/charts/bad.yaml")
        #expect(client.diagnostics(LSP.uri(dir + "/charts/bad.yaml"), version: 1)?.isEmpty == true, "excluded: not linted")

        // A configuration with a problem: said once, nothing linted, the problem shown on the open configuration.
        try "rules:\n  NP999: off\n".write(toFile: config, atomically: false, encoding: .utf8)
        Self.open(client, config)
        client.notify("textDocument/didSave", LSP.document(LSP.uri(config)))
        seen = Self.barrier(client)
        let message = seen.first { $0["method"] as? String == "window/showMessage" }?["params"] as? Message
        #expect(message?["type"] as? Int == 1)
        #expect((message?["message"] as? String)?.contains("unknown rule 'NP999'") == true, "\(String(describing: message))")
        #expect(Self.published(seen, api)?.isEmpty == true)
        let problem = Self.published(seen, config)?.first
        #expect((problem?["message"] as? String)?.contains("unknown rule 'NP999'") == true)
        #expect(LSP.tuple(problem?["range"]).first == 1)

        Self.shutDown(client)
    }

    /// Several workspace folders, none a repository: each document is linted with its own folder as context.
    @Test func workspaceFolders() throws {
        let a = TestSupport.writeTree([("api.yaml", Self.api), ("database.yaml", Self.database(admitting: "billing"))])
        let b = TestSupport.writeTree([("api.yaml", Self.api)])
        defer {
            try? FileManager.default.removeItem(atPath: a)
            try? FileManager.default.removeItem(atPath: b)
        }
        let client = try LSPClient(directory: "/")
        _ = Self.initialize(client, folders: [a, b])
        Self.open(client, a + "/api.yaml")
        Self.open(client, b + "/api.yaml")
        let inA = try #require(client.diagnostics(LSP.uri(a + "/api.yaml"), version: 1))
        #expect(Self.codes(inA).contains("NP210"))
        let inB = try #require(client.diagnostics(LSP.uri(b + "/api.yaml"), version: 1))
        #expect(Self.codes(inB).contains("NP102") && !Self.codes(inB).contains("NP210"), "\(inB)")
        Self.shutDown(client)
    }

    // MARK: Bad input and the end of a session

    func error(_ response: Message?) -> (code: Int?, id: String) {
        ((response?["error"] as? Message)?["code"] as? Int, "\(response?["id"] ?? "missing")")
    }

    func nextError(_ client: LSPClient) -> Message? {
        client.wait { $0["error"] != nil }
    }

    @Test func badInputIsAnsweredAndSurvived() throws {
        let dir = Self.repository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml"
        let client = try LSPClient(directory: dir)

        // Before initialize: requests are refused with -32002, notifications dropped.
        Self.open(client, api)
        #expect(error(client.request("textDocument/hover", LSP.document(LSP.uri(api)), id: "early").response) == (-32002, "early"))
        // initialize with params of the wrong shape: -32602, and the server still waits for a good one.
        #expect(error(client.request("initialize", ["rootUri": 5, "capabilities": [String: Any]()], id: 2).response).code == -32602)
        #expect(error(client.request("initialize", [1, 2], id: 3).response).code == -32602)
        let ok = Self.initialize(client, rootUri: LSP.uri(dir))
        #expect(ok?["result"] != nil)
        #expect(error(client.request("initialize", ["capabilities": [String: Any]()], id: 4).response).code == -32600)
        // The didOpen sent before initialize was dropped: nothing was published for it.
        #expect(Self.published(Self.barrier(client), api) == nil)

        // Unknown requests (-32601, id echoed as sent), unknown notifications ignored.
        #expect(error(client.request("textDocument/definition", LSP.document(LSP.uri(api)), id: "abc").response) == (-32601, "abc"))
        #expect(error(client.request("$/unknownRequest", id: 5).response).code == -32601)
        client.notify("$/cancelRequest", ["id": 5])
        client.notify("$/setTrace", ["value": "off"])
        client.notify("workspace/somethingNew", ["x": 1])
        client.notify("textDocument/didOpen", ["textDocument": 42])
        client.notify("textDocument/didChange", ["textDocument": ["uri": LSP.uri(api)], "contentChanges": "all"])
        #expect(Self.barrier(client).allSatisfy { $0["error"] == nil }, "notifications are never answered")

        // Params of the wrong shape: -32602.
        #expect(error(client.request("textDocument/hover", LSP.document(LSP.uri(api)), id: 6).response).code == -32602)
        #expect(error(client.request("textDocument/hover", ["position": LSP.position(0, 0)], id: 7).response).code == -32602)
        #expect(error(client.request("textDocument/codeAction", LSP.document(LSP.uri(api)).merging(
            ["range": LSP.range(3, 0, 1, 0)]) { a, _ in a }, id: 8).response).code == -32602)
        #expect(error(client.request("textDocument/hover", "not params", id: 9).response).code == -32602)

        // Broken messages: invalid JSON (-32700), not an object or without jsonrpc 2.0 (-32600), a bad header (-32700).
        client.sendRaw(Data("Content-Length: 9\r\n\r\n{\"a\": tru".utf8))
        #expect(error(nextError(client)) == (-32700, "<null>"))
        client.sendRaw(Data("Content-Length: 9\r\n\r\n[1, 2, 3]".utf8))
        #expect(error(nextError(client)).code == -32600)
        client.send(["id": 10, "method": "shutdown"])
        #expect(error(nextError(client)) == (-32600, "10"))
        client.send(["jsonrpc": "2.0", "id": ["x": 1], "method": "shutdown"])
        #expect(error(nextError(client)) == (-32600, "<null>"))
        client.sendRaw(Data("Content-Length: twelve\r\n\r\n{\"junk\": 1}".utf8))
        #expect(error(nextError(client)).code == -32700)
        // A body longer than declared: the rest is refused as a header, and the message after it is read.
        client.sendRaw(Data("Content-Length: 3\r\n\r\n".utf8) + Data([0xFF, 0xFE, 0x78]))  // not UTF-8
        #expect(error(nextError(client)).code == -32700)
        client.sendRaw(Data("Content-Length: 2\r\n\r\n{}}}".utf8))
        // Documents that are not YAML files get empty diagnostics (and a URI naming `/` does not make it walk the disk).
        for uri in ["file:///", "untitled:Untitled-1", "file:///etc/hostname"] {
            client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "yaml", "version": 1, "text": "kind: x\n"]])
            let m = client.wait { ($0["params"] as? Message)?["uri"] as? String == uri }
            #expect(((m?["params"] as? Message)?["diagnostics"] as? [Any])?.isEmpty == true, "\(uri): \(String(describing: m))")
        }
        // Still serving: a document opened now is linted.
        Self.open(client, api)
        #expect(error(nextError(client)).code == -32600)  // {} has no jsonrpc
        #expect(error(nextError(client)).code == -32700)  // }} before the next header, which is read
        #expect(Self.codes(client.diagnostics(LSP.uri(api), version: 1)).contains("NP102"))

        // After shutdown, requests are refused; exit then ends with status 0.
        #expect(client.request("shutdown", id: 11).response?["result"] is NSNull)
        #expect(error(client.request("textDocument/hover", LSP.document(LSP.uri(api)), id: 12).response).code == -32600)
        client.notify("exit")
        let exit = client.exitStatus()
        #expect(exit?.status == 0 && exit?.signaled == false)
    }

    @Test func exitWithoutShutdownIsStatusOne() throws {
        let client = try LSPClient(directory: "/")
        _ = Self.initialize(client)
        client.notify("exit")
        let exit = client.exitStatus()
        #expect(exit?.status == 1 && exit?.signaled == false)
    }

    /// The client goes away: the end of input ends the server.
    @Test func endOfInputExits() throws {
        let client = try LSPClient(directory: "/")
        _ = Self.initialize(client)
        client.sendRaw(Data("Content-Length: 50\r\n\r\n{\"jsonrpc\"".utf8))  // cut short
        client.closeInput()
        let exit = client.exitStatus()
        #expect(exit?.status == 1 && exit?.signaled == false, "\(String(describing: exit))")
    }

    /// Nobody reads the server's output (here a shell pipes it into `true`, which exits at once): its first write
    /// fails with EPIPE, and it exits with status 1 instead of dying of SIGPIPE (which bash would report as 141).
    /// The test runner ignores SIGPIPE, and children inherit that: `env --default-signal=PIPE` gives the server
    /// the default action back, as an editor starts it.
    @Test func vanishedReaderDoesNotKillTheServer() throws {
        let server = try #require(TestSupport.executable)
        let script = "env --default-signal=PIPE \"$0\" lsp | true; echo \"server status ${PIPESTATUS[0]}\" >&2"
        let client = try LSPClient(executable: "/bin/bash", arguments: ["-c", script, server], directory: "/")
        usleep(200_000)  // `true` is gone
        client.send(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["capabilities": [String: Any]()]])
        let exit = client.exitStatus()
        #expect(exit?.status == 0)
        for _ in 0..<100 where !client.stderr.contains("server status") { usleep(20_000) }  // the last of stderr
        #expect(client.stderr.contains("server status 1\n"), "\(client.stderr)")
    }

    /// A declared body over the 64 MB limit is refused before it is read, and the server exits.
    @Test func hugeContentLengthIsRefused() throws {
        let client = try LSPClient(directory: "/")
        _ = Self.initialize(client)
        client.sendRaw(Data("Content-Length: \(LanguageServer.maxMessageSize + 1)\r\n\r\n{".utf8))
        let refusal = nextError(client)
        #expect(error(refusal).code == -32700)
        #expect(((refusal?["error"] as? Message)?["message"] as? String)?.contains("64 MB") == true)
        let exit = client.exitStatus()
        #expect(exit?.status == 1 && exit?.signaled == false)
    }

    /// `hover.contentFormat` without markdown: the same text as plain text.
    @Test func plainTextHover() throws {
        let dir = Self.repository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = dir + "/apps/api.yaml"
        let client = try LSPClient(directory: dir)
        _ = Self.initialize(client, rootUri: LSP.uri(dir), capabilities: ["textDocument": ["hover": ["contentFormat": ["plaintext"]]]])
        Self.open(client, api)
        #expect(client.diagnostics(LSP.uri(api), version: 1) != nil)
        let tcp = LSP.character(of: "tcp", line: Self.protocolLine, in: Self.api)!
        let hover = client.request("textDocument/hover", LSP.document(LSP.uri(api)).merging(
            ["position": LSP.position(Self.protocolLine, tcp)]) { a, _ in a }).response
        #expect(((hover?["result"] as? Message)?["contents"] as? Message)?["kind"] as? String == "plaintext")
        Self.shutDown(client)
    }
}
