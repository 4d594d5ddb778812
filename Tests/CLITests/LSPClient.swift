import Foundation
import NetpolLintTestSupport
import Testing

/// A scripted Language Server client: runs `netpol-lint lsp`, writes framed JSON-RPC messages to its standard input
/// and collects what it writes back. Every wait is bounded (a hung server is a test failure, never a hung test), and
/// the server is killed when the client is dropped.
final class LSPClient: @unchecked Sendable {
    typealias Message = [String: Any]

    let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let condition = NSCondition()
    private var buffer = Data()
    private var queue: [Message] = []
    private var ended = false
    private var stderrData = Data()
    private var nextID = 100
    static let timeout: TimeInterval = 30

    /// Runs `executable` (default: the built `netpol-lint`) with `arguments` in `directory`.
    init(executable: String? = nil, arguments: [String] = ["lsp", "--stdio"], directory: String) throws {
        // Writing to a server that has exited must fail, not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        guard let exe = executable ?? TestSupport.executable else { throw CocoaError(.fileNoSuchFile) }
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading, err = errors.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = out.availableData
                condition.lock()
                if chunk.isEmpty { ended = true } else { buffer.append(chunk); parse() }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { break }
            }
        }
        Thread.detachNewThread { [self] in
            while true {
                let chunk = err.availableData
                if chunk.isEmpty { break }
                condition.lock()
                stderrData.append(chunk)
                condition.unlock()
            }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Splits complete messages off the buffer (lock held).
    private func parse() {
        let separator = Data("\r\n\r\n".utf8)
        while let end = buffer.range(of: separator) {
            let header = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
            guard let line = header.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                  let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) else {
                Issue.record("server sent a header without Content-Length: \(header)")
                buffer.removeAll()
                return
            }
            let bodyStart = end.upperBound
            guard buffer.distance(from: bodyStart, to: buffer.endIndex) >= length else { return }
            let body = buffer[bodyStart..<buffer.index(bodyStart, offsetBy: length)]
            if let m = (try? JSONSerialization.jsonObject(with: body)) as? Message {
                queue.append(m)
            } else {
                Issue.record("server sent a body that is not a JSON object: \(String(decoding: body, as: UTF8.self))")
            }
            buffer = Data(buffer[buffer.index(bodyStart, offsetBy: length)...])
        }
    }

    var stderr: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: stderrData, as: UTF8.self)
    }

    // MARK: Sending

    /// Writes raw bytes; false when the server no longer reads.
    @discardableResult
    func sendRaw(_ data: Data) -> Bool {
        do { try input.fileHandleForWriting.write(contentsOf: data) } catch { return false }
        return true
    }

    @discardableResult
    func send(_ message: Message) -> Bool {
        let body = try! JSONSerialization.data(withJSONObject: message, options: [.withoutEscapingSlashes])
        return sendRaw(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    func notify(_ method: String, _ params: Any? = nil) {
        var m: Message = ["jsonrpc": "2.0", "method": method]
        if let params { m["params"] = params }
        send(m)
    }

    /// Sends a request and returns its id.
    @discardableResult
    func requestAsync(_ method: String, _ params: Any? = nil, id: Any? = nil) -> Any {
        let id = id ?? { nextID += 1; return nextID }()
        var m: Message = ["jsonrpc": "2.0", "id": id, "method": method]
        if let params { m["params"] = params }
        send(m)
        return id
    }

    /// Sends a request and waits for its response; also returns what came before it (the server answers in order,
    /// and publishes pending diagnostics before answering a request about a document).
    func request(_ method: String, _ params: Any? = nil, id: Any? = nil) -> (response: Message?, before: [Message]) {
        let id = requestAsync(method, params, id: id)
        let messages = drain { Self.isResponse($0, to: id) }
        guard let response = messages.last, Self.isResponse(response, to: id) else { return (nil, messages) }
        return (response, messages.dropLast())
    }

    static func isResponse(_ m: Message, to id: Any) -> Bool {
        guard m["method"] == nil, let got = m["id"] else { return false }
        return "\(got)" == "\(id)"
    }

    // MARK: Receiving

    /// Removes and returns the first message (in arrival order) that `match` accepts; the others stay for later
    /// waits. Nil after the timeout or when the server closed its output.
    func wait(timeout: TimeInterval = LSPClient.timeout, _ match: (Message) -> Bool) -> Message? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let i = queue.firstIndex(where: match) { return queue.remove(at: i) }
            if ended { return nil }
            if !condition.wait(until: deadline) { return nil }
        }
    }

    /// Removes and returns every message up to and including the first that `match` accepts (all of them, without
    /// a match, after the timeout).
    func drain(timeout: TimeInterval = LSPClient.timeout, until match: (Message) -> Bool) -> [Message] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let i = queue.firstIndex(where: match) {
                defer { queue.removeFirst(i + 1) }
                return Array(queue[...i])
            }
            if ended || !condition.wait(until: deadline) {
                defer { queue.removeAll() }
                return queue
            }
        }
    }

    /// The next diagnostics published for `uri` (with `version`, when given).
    func diagnostics(_ uri: String, version: Int? = nil) -> [[String: Any]]? {
        let m = wait { m in
            guard m["method"] as? String == "textDocument/publishDiagnostics", let p = m["params"] as? Message,
                  p["uri"] as? String == uri else { return false }
            return version == nil || p["version"] as? Int == version
        }
        return (m?["params"] as? Message)?["diagnostics"] as? [[String: Any]]
    }

    func closeInput() { try? input.fileHandleForWriting.close() }

    /// The exit status, or nil when the server outlived the timeout (it is then killed).
    func exitStatus(timeout: TimeInterval = LSPClient.timeout) -> (status: Int32, signaled: Bool)? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }
}

/// LSP values for tests.
enum LSP {
    static func uri(_ path: String) -> String {
        "file://" + path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
    }

    static func position(_ line: Int, _ character: Int) -> [String: Any] { ["line": line, "character": character] }

    static func range(_ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int) -> [String: Any] {
        ["start": position(l1, c1), "end": position(l2, c2)]
    }

    static func document(_ uri: String) -> [String: Any] { ["textDocument": ["uri": uri]] }

    /// (line, character, end line, end character) of a JSON range.
    static func tuple(_ range: Any?) -> [Int] {
        guard let r = range as? [String: Any], let s = r["start"] as? [String: Any], let e = r["end"] as? [String: Any] else { return [] }
        return [s["line"], s["character"], e["line"], e["character"]].compactMap { $0 as? Int }
    }

    /// The UTF-16 offset of the first `needle` on a 0-based line of `text`.
    static func character(of needle: String, line: Int, in text: String) -> Int? {
        let l = text.components(separatedBy: "\n")[line]
        guard let r = l.range(of: needle) else { return nil }
        return l.utf16.distance(from: l.startIndex, to: r.lowerBound)
    }

    /// Applies one text edit (UTF-16 positions) to `text`.
    static func apply(_ edit: [String: Any], to text: String) -> String {
        let r = tuple(edit["range"]), newText = edit["newText"] as? String ?? ""
        let lines = text.components(separatedBy: "\n")
        func offset(_ line: Int, _ character: Int) -> Int {
            lines[..<line].reduce(0) { $0 + $1.utf16.count + 1 } + character
        }
        let utf16 = Array(text.utf16)
        let a = offset(r[0], r[1]), b = offset(r[2], r[3])
        return String(decoding: utf16[..<a], as: UTF16.self) + newText + String(decoding: utf16[b...], as: UTF16.self)
    }
}
