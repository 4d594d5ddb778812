import Foundation
@testable import NetpolLintCore
import Testing

/// The budgets of the YAML layer, the reader and the matchers, unit by unit (docs/robustness.md); the CLI tests in
/// RobustnessTests run the same classes end to end.
@Suite struct BudgetTests {
    func parse(_ s: String, limits: YAMLLimits = YAMLLimits()) -> YAMLParseResult {
        var p = YAMLParser(limits: limits)
        return Array(s.utf8).withUnsafeBytes { p.parse($0) }
    }

    @Test func aliasBytesAreCountedPerFileAndNestedAnchorsCount() {
        var limits = YAMLLimits()
        limits.maxAliasBytes = 1000
        // 100 bytes aliased 9 times: 900 bytes, within the budget.
        let value = String(repeating: "v", count: 100)
        let under = "a: &a \(value)\nb: [" + Array(repeating: "*a", count: 9).joined(separator: ", ") + "]\n"
        #expect(parse(under, limits: limits).error == nil)
        // Two documents of 600 bytes each: the budget is the file's.
        let twice = "a: &a \(String(repeating: "w", count: 600))\nb: *a\n---\na: &a \(String(repeating: "w", count: 600))\nb: *a\n"
        let r = parse(twice, limits: limits)
        #expect(r.error?.message.contains("aliases expand to more than") == true && r.documents.count == 1)
        // A mapping anchored stands for its keys' and values' bytes.
        let nested = "m: &m {k: \(String(repeating: "z", count: 300)), l: \(String(repeating: "z", count: 300))}\nn: [*m, *m]\n"
        #expect(parse(nested, limits: limits).error?.line == 2)
    }

    @Test func tagsAreInternedAndBounded() {
        let few = (0..<3000).map { "- !t\($0 % 10) x" }.joined(separator: "\n")
        let d = parse(few).documents[0]
        #expect(d.tags.count == 10)
        #expect(d.tag(d.items(d.root).last!) == "!t9")
        var limits = YAMLLimits()
        limits.maxDistinctTags = 5
        #expect(parse((0..<6).map { "- !t\($0) x" }.joined(separator: "\n"), limits: limits).error?.line == 6)
        let long = "- !" + String(repeating: "t", count: 5000) + " x\n"
        #expect(parse(long).error?.message.contains("a tag longer than 4096 bytes") == true)
    }

    @Test func documentsAreStreamedOneAtATime() {
        var p = YAMLParser()
        let text = Array(String(repeating: "---\na: 1\n", count: 1000).utf8)
        var seen = 0, largest = 0
        let r = text.withUnsafeBytes { raw in
            p.parse(raw) { doc in
                seen += 1
                largest = max(largest, doc.nodes.count)
            }
        }
        #expect(r.documents == 1000 && seen == 1000 && largest == 3 && r.error == nil)
        // Kept documents are stored at their exact size.
        let kept = parse(String(repeating: "---\n", count: 100))
        #expect(kept.documents.count == 100 && kept.documents.allSatisfy { $0.nodes.capacity <= 4 })
    }

    @Test func excerptsAreShortAndOneLine() {
        let d = parse("k: \"a\\nb\\tc\\u2028\(String(repeating: "é", count: 500))\"\n").documents[0]
        let e = d.excerpt(d.value(d.root, forKey: "k")!)
        #expect(e.hasPrefix("a\\nb\\tc\\u{2028}éé") && e.hasSuffix("…") && e.unicodeScalars.count <= 90)
        #expect(OneLine.clean("x\ny") == "x\\ny")
        #expect(OneLine.clean(String(repeating: "m", count: 5000)).count == OneLine.maxMessageLength + 1)
    }

    @Test func sizesNeverOverflow() {
        #expect(ByteCount.text(Int.max).hasSuffix(" MB"))
        #expect(ByteCount.text(10 * 1024 * 1024 + 512 * 1024) == "10.5 MB")
        #expect(ByteCount.text(2048) == "2 KB")
        for text in ["9007199254740992KB", "8796093022208", "9223372036854775807MB", "99999999999999999999"] {
            guard case .failure = ByteSize.parse(text) else { Issue.record("\(text) accepted"); continue }
        }
    }

    @Test func specialFilesAreNotRead() {
        guard case .notRegular(let kind) = FileReader.read(checking: "/dev/zero", limit: 1 << 20) else {
            Issue.record("/dev/zero was read")
            return
        }
        #expect(kind == "a character device")
        let dir = NSTemporaryDirectory() + "netpol-fifo-\(getpid())"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let fifo = dir + "/p.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        guard case .notRegular(let fifoKind) = FileReader.read(checking: fifo, limit: 1 << 20) else {
            Issue.record("the FIFO was read")
            return
        }
        #expect(fifoKind == "a FIFO (named pipe)")
        guard case .failed(let reason) = FileReader.readFile(fifo, limit: 1 << 20) else {
            Issue.record("readFile read the FIFO")
            return
        }
        #expect(reason.contains("not a regular file"))
    }

    @Test func encodingsAreDetectedAndTranscoded() {
        func bytes(_ b: [UInt8]) -> Result<[UInt8], TextEncoding.Problem>? { b.withUnsafeBytes { TextEncoding.utf8(from: $0) } }
        #expect(bytes(Array("a: 1\n".utf8)) == nil)
        #expect(bytes([0xEF, 0xBB, 0xBF, 0x61]) == nil)
        #expect(bytes([0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00]) == .success(Array("a:".utf8)))
        #expect(bytes([0xFE, 0xFF, 0x00, 0x61, 0xD8, 0x3D, 0xDE, 0x00]) == .success(Array("a😀".utf8)))
        #expect(bytes([0x61, 0x00, 0x0A, 0x00]) == .success(Array("a\n".utf8)))
        #expect(bytes([0x00, 0x00, 0x00, 0x61]) == .success(Array("a".utf8)))
        guard case .failure(let p)? = bytes([0xFF, 0xFE, 0x0A, 0x00, 0x61, 0x00, 0x00, 0xDC]) else {
            Issue.record("a lone low surrogate was accepted")
            return
        }
        #expect(p.offset == 6 && p.line == 2 && p.column == 2)
        guard case .failure? = bytes([0xFF, 0xFE, 0x61]) else {
            Issue.record("an odd number of UTF-16 bytes was accepted")
            return
        }
    }

    /// The automaton agrees with a plain recursive matcher on every small pattern and path.
    @Test func globAutomatonAgreesWithBacktracking() {
        func reference(_ pat: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
            guard let first = pat.first else { return true }
            if first == "**" {
                var p = path
                while true {
                    if reference(pat.dropFirst(), p) { return true }
                    if p.isEmpty { return false }
                    p = p.dropFirst()
                }
            }
            guard let seg = path.first, Glob.segmentMatches(Array(seg.utf8), Array(first.utf8)) else { return false }
            return reference(pat.dropFirst(), path.dropFirst())
        }
        let parts: [Substring] = ["**", "a", "b", "*", "a*"]
        let names: [Substring] = ["a", "b", "ab"]
        var patterns: [[Substring]] = [[]]
        for _ in 0..<4 { patterns = patterns + patterns.flatMap { p in parts.map { p + [$0] } }.filter { $0.count <= 4 } }
        var paths: [[Substring]] = [[]]
        for _ in 0..<4 { paths = paths + paths.flatMap { p in names.map { p + [$0] } }.filter { $0.count <= 4 } }
        var checked = 0
        for p in Set(patterns.map { $0.joined(separator: "/") }) where p.contains("/") {
            let glob = Glob(p)
            for path in Set(paths.map { $0.joined(separator: "/") }) where !path.isEmpty {
                let expected = reference(ArraySlice(glob.segments), ArraySlice(path.split(separator: "/")))
                #expect(glob.matches(path) == expected, "\(p) on \(path)")
                checked += 1
            }
        }
        #expect(checked > 10_000)
    }
}
