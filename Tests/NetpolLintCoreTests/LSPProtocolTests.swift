import Foundation
@testable import NetpolLintCore
import Testing

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
