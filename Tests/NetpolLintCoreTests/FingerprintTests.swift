@testable import NetpolLintCore
import Testing

/// What a fingerprint keys on: the line's text without indentation, blanks or comments, and the column within it.
@Suite struct FingerprintTests {
    func key(_ text: String, line: Int = 1, column: Int) -> (String, Int) {
        Fingerprints.LineIndex(Array(text.utf8)).key(line: line, column: column)
    }

    @Test func indentationBlanksAndCommentsDoNotCount() {
        #expect(key("    - toCIDR: [10.0.0.1/32]\n", column: 19) == ("- toCIDR: [10.0.0.1/32]", 14))
        #expect(key("  - toCIDR:   [10.0.0.1/32]   # netpol-lint: disable-line NP204 -- why\n", column: 17)
                == ("- toCIDR: [10.0.0.1/32]", 14))
        #expect(key("a: 1\r\nb: 2 # note\r\n", line: 2, column: 1) == ("b: 2", 0))
    }

    @Test func aHashInsideQuotesOrAWordIsText() {
        #expect(key("name: 'a # b'  # comment", column: 1).0 == "name: 'a # b'")
        #expect(key("url: http://x/#frag", column: 1).0 == "url: http://x/#frag")
    }

    @Test func aLinePastTheEndIsEmpty() {
        #expect(key("a: 1\n", line: 7, column: 3) == ("", 2))
        #expect(key("", line: 1, column: 1) == ("", 0))
    }

    @Test func findingsThatAgreeOnEverythingAreNumbered() {
        let files = [SourceFile(path: "a.yaml", uri: "a.yaml", directives: Directives(), isTarget: true)]
        var findings = [Finding("one", at: Span(file: 0, line: 1, column: 1)), Finding("two", at: Span(file: 0, line: 1, column: 1)),
                        Finding("other column", at: Span(file: 0, line: 1, column: 4))]
        for i in findings.indices { findings[i].ruleID = "NP204" }
        Fingerprints.assign(&findings, files: files, objects: []) { _ in Array("a: [1, 2]\n".utf8) }
        #expect(Set(findings.map(\.fingerprint)).count == 3)
        #expect(findings.allSatisfy { $0.fingerprint.utf8.count == 16 })
        var again = findings.map { f in var f = f; f.message = "changed"; return f }
        Fingerprints.assign(&again, files: files, objects: []) { _ in Array("\n\n  a: [1, 2]  # moved\n".utf8) }
        #expect(again.map(\.fingerprint) != findings.map(\.fingerprint), "different line numbers: the spans did not move with the text")
        var moved = findings.map { f in var f = f; f.span.line = 3; f.span.column += 2; f.message = "changed"; return f }
        Fingerprints.assign(&moved, files: files, objects: []) { _ in Array("\n\n  a: [1, 2]  # moved\n".utf8) }
        #expect(moved.map(\.fingerprint) == findings.map(\.fingerprint))
    }
}
