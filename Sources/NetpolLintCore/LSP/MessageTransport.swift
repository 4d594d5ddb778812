#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The base protocol of the Language Server Protocol: each message is a header — ASCII `Name: value` lines ended by
/// `\r\n`, then an empty line — and a body of exactly `Content-Length` bytes of UTF-8 JSON. `Content-Type` may be
/// given and is not needed (the body is always UTF-8 JSON).
/// Source: the LSP 3.17 specification, "Base Protocol"
/// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#baseProtocol).
///
/// Reads from a file descriptor. Input never makes it crash or wait for ever on a partial buffer: a header that
/// cannot be understood is reported and skipped (reading resumes at the next `Content-Length`), a body longer than
/// `maxBody` is refused before any of it is buffered, and the end of input ends the stream.
struct MessageReader {
    enum Event: Equatable {
        case message([UInt8])
        /// A header that cannot be understood; the reader skips to the next `Content-Length`.
        case malformed(String)
        /// A declared body over the limit (its size in bytes); nothing after it can be trusted.
        case tooLarge(Int)
        /// End of input (or an error reading it).
        case end
    }

    /// Longest header accepted: real headers are two short lines.
    static let maxHeader = 8 * 1024
    static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)
    static let contentLength = "content-length"

    let fd: Int32
    let maxBody: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// After a bad header: bytes are dropped up to the next `Content-Length`.
    private var resyncing = false

    init(fd: Int32, maxBody: Int) {
        self.fd = fd
        self.maxBody = maxBody
    }

    /// Bytes buffered but not yet returned (a whole message may be among them).
    var hasBufferedInput: Bool { start < buffer.count }

    mutating func next() -> Event {
        while true {
            if resyncing {
                if let at = findHeaderStart() {
                    start = at
                    resyncing = false
                } else {
                    // Keep a tail that may be the beginning of the name.
                    start = max(start, buffer.count - Self.contentLength.utf8.count)
                    if !fill() { return .end }
                    continue
                }
            }
            if let end = find(Self.headerEnd, from: start) {
                let header = buffer[start..<end]
                let headerStart = start
                start = end + Self.headerEnd.count
                switch Self.contentLength(of: header) {
                case .failure(let problem):
                    // Bytes before a header on its first line (the rest of a body longer than declared): read on
                    // from that Content-Length.
                    if let at = findHeaderStart(from: headerStart + 1), at < end,
                       !buffer[headerStart..<at].contains(UInt8(ascii: "\n")) {
                        start = at
                    } else {
                        resyncing = true
                    }
                    return .malformed(problem.message)
                case .success(let length):
                    if length > maxBody { return .tooLarge(length) }
                    while buffer.count - start < length {
                        if !fill() { return .end }
                    }
                    let body = Array(buffer[start..<(start + length)])
                    start += length
                    compact()
                    return .message(body)
                }
            }
            if buffer.count - start > Self.maxHeader {
                start = buffer.count
                resyncing = true
                return .malformed("no end of header within \(Self.maxHeader) bytes")
            }
            if !fill() { return .end }
        }
    }

    /// The body length a header declares, or what is wrong with the header.
    static func contentLength(of header: ArraySlice<UInt8>) -> Result<Int, HeaderProblem> {
        var length: Int?
        for line in header.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var line = line
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                return .failure(HeaderProblem("header is not printable ASCII"))
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else {
                return .failure(HeaderProblem("header line '\(text.prefix(80))' has no ':'"))
            }
            let name = text[..<colon].trimmingSpaces().lowercased()
            let value = text[text.index(after: colon)...].trimmingSpaces()
            guard name == contentLength else { continue }
            guard !value.isEmpty, value.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(value) else {
                return .failure(HeaderProblem("Content-Length '\(value.prefix(40))' is not a byte count"))
            }
            if let length, length != n { return .failure(HeaderProblem("two different Content-Length headers")) }
            length = n
        }
        guard let length else { return .failure(HeaderProblem("header has no Content-Length")) }
        return .success(length)
    }

    struct HeaderProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Where the next `Content-Length` (any case) begins: a message's header follows the previous body directly.
    private func findHeaderStart(from: Int? = nil) -> Int? {
        let name = Array(Self.contentLength.utf8)
        var i = from ?? start
        while i + name.count <= buffer.count {
            var match = true
            for (k, c) in name.enumerated() where buffer[i + k] | 0x20 != c { match = false; break }
            if match { return i }
            i += 1
        }
        return nil
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= buffer.count {
            if buffer[i] == needle[0] {
                var k = 1
                while k < needle.count, buffer[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Reads more input; false at the end of input or on a read error.
    private mutating func fill() -> Bool {
        compact()
        let chunk = 64 * 1024
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + old, chunk) }
            if n < 0 && errno == EINTR { continue }
            buffer.removeSubrange((old + max(n, 0))...)
            return n > 0
        }
    }

    /// Drops what was consumed, once it is a good part of the buffer.
    private mutating func compact() {
        if start > 0 && (start == buffer.count || start >= 64 * 1024) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Whether input is waiting to be read without blocking.
    func inputReady() -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }
}

/// Writes framed messages to a file descriptor. A failed write (the client is gone: EPIPE, with SIGPIPE ignored)
/// is reported, never retried.
struct MessageWriter {
    let fd: Int32

    /// Sends one message; false when it could not be written entirely.
    func send(_ message: JSON) -> Bool {
        let body = message.serialized(pretty: false)
        let bytes = Array("Content-Length: \(body.utf8.count)\r\n\r\n".utf8) + Array(body.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return false }
            written += n
        }
        return true
    }
}
