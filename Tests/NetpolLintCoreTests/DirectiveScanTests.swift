@testable import NetpolLintCore
import Testing

/// Where `Directives.scan` finds suppression comments: a `#`, blanks, then `netpol-lint:`, anywhere on a line.
@Suite struct DirectiveScanTests {
    static func entries(_ text: String) -> [(command: String, rules: [String], line: Int, column: Int)] {
        Array(text.utf8).withUnsafeBytes { Directives.scan($0) }.entries.map { ($0.command, $0.rules, $0.line, $0.column) }
    }

    @Test func commentFormsThatCount() {
        let text = """
        a: 1 # netpol-lint: disable-line NP205
        #netpol-lint: disable-next-line NP204
        b: 2
        ## netpol-lint: disable-next-line NP403
        c: "é" #\t netpol-lint: disable-line NP303
        # note #  # netpol-lint: disable-file
        """
        let found = Self.entries(text)
        #expect(found.map(\.command) == ["disable-line", "disable-next-line", "disable-next-line", "disable-line", "disable-file"])
        #expect(found.map(\.rules) == [["NP205"], ["NP204"], ["NP403"], ["NP303"], []])
        // The `#` right before the marker (after blanks) is where a directive is; columns count code points.
        #expect(found.map(\.line) == [1, 2, 4, 5, 6])
        #expect(found.map(\.column) == [6, 1, 2, 8, 11])
    }

    @Test func markersThatAreNotComments() {
        let text = """
        netpol-lint: disable-line NP205
        a: "netpol-lint: disable-line NP205"
        b: x # say netpol-lint: disable-line NP205
        # netpol-lint
        #
        """
        #expect(Self.entries(text).isEmpty)
        #expect(Self.entries("").isEmpty && Self.entries("#").isEmpty && Self.entries("#   ").isEmpty)
    }
}
