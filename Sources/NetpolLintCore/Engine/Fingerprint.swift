/// The identity of a finding across runs and edits: what accepted-findings files and SARIF `partialFingerprints`
/// key on.
///
/// It is built from the rule, the file's repository-relative path, the object the finding is about (kind, namespace,
/// name), the text of the line it points at (whitespace collapsed, a trailing `# comment` dropped), the finding's
/// column counted from the line's first character, and — for findings that agree on all of these — their order.
/// It leaves out line numbers (lines above may move) and the message, whose text may vary with other files (a count
/// of namespaces, a did-you-mean): deleting or editing an unrelated file never changes a fingerprint.
public enum Fingerprints {
    /// Fills `fingerprint` of every finding. `source(file)` gives a file's bytes (nil when it cannot be read any
    /// more: its line then counts as empty).
    /// With `jobs` above 1 the files are read on that many threads (they are read again: the run does not keep them).
    public static func assign(_ findings: inout [Finding], files: [SourceFile], objects: [ObjectSummary?], jobs: Int = 1,
                              source: @Sendable (Int) -> [UInt8]?) {
        var wanted: [Int] = []
        var slot = [Int](repeating: -1, count: files.count)
        for f in findings where slot[Int(f.span.file)] < 0 {
            slot[Int(f.span.file)] = wanted.count
            wanted.append(Int(f.span.file))
        }
        let lines = Parallel.map(wanted.count, jobs: jobs) { [wanted] in LineIndex(source(wanted[$0]) ?? []) }
        var seen: [String: Int] = [:]
        for i in findings.indices {
            let f = findings[i]
            let file = Int(f.span.file)
            let (text, offset) = lines[slot[file]].key(line: Int(f.span.line), column: Int(f.span.column))
            let object = f.object.flatMap { objects[$0]?.fingerprintName } ?? ""
            let base = fingerprint([f.ruleID, files[file].uri, object, text, String(offset)])
            let n = seen[base, default: 0]
            seen[base] = n + 1
            findings[i].fingerprint = n == 0 ? base : fingerprint([base, String(n)])
        }
    }

    /// The lines of one file, found once.
    struct LineIndex: Sendable {
        let bytes: [UInt8]
        var starts: [Int] = [0]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            let newline: [UInt8] = [UInt8(ascii: "\n")]
            bytes.withUnsafeBytes { raw in
                var from = 0
                while let at = ByteSearch.find(newline, in: raw, from: from) {
                    starts.append(at + 1)
                    from = at + 1
                }
            }
        }

        /// The normalised text of `line` (1-based) and `column` counted from its first non-blank character.
        func key(line: Int, column: Int) -> (text: String, offset: Int) {
            guard line >= 1, line <= starts.count else { return ("", max(0, column - 1)) }
            let start = starts[line - 1]
            var end = line < starts.count ? starts[line] - 1 : bytes.count
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let scalars = Array(String(decoding: bytes[start..<max(start, end)], as: UTF8.self).unicodeScalars)
            let indent = scalars.prefix { $0 == " " || $0 == "\t" }.count
            return (Self.normalise(scalars[indent...]), max(0, column - 1 - indent))
        }

        /// Whitespace runs become one space; a `#` comment (after a blank, outside quotes) and trailing blanks go.
        static func normalise(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            var quote: Unicode.Scalar?
            var blank = false
            for s in scalars {
                if let q = quote {
                    if s == q { quote = nil }
                } else if s == "'" || s == "\"" {
                    quote = s
                } else if s == "#", blank || out.isEmpty {
                    break
                }
                if s == " " || s == "\t" {
                    blank = true
                    continue
                }
                if blank, !out.isEmpty { out.append(" ") }
                blank = false
                out.append(s)
            }
            return String(out)
        }
    }
}
