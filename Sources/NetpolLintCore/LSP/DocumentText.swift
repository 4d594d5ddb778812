/// A position as the Language Server Protocol counts it: 0-based line, 0-based `character` in UTF-16 code units
/// (the `utf-16` position encoding, the one every client supports).
struct LSPPosition: Equatable, Comparable {
    var line: Int
    var character: Int

    static func < (a: LSPPosition, b: LSPPosition) -> Bool { (a.line, a.character) < (b.line, b.character) }

    var json: JSON { .object([("line", .int(line)), ("character", .int(character))]) }

    init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    init?(_ json: JSON?) {
        guard let json, case .int(let line)? = json["line"], case .int(let character)? = json["character"],
              line >= 0, character >= 0 else { return nil }
        self.init(line: line, character: character)
    }
}

struct LSPRange: Equatable {
    var start: LSPPosition
    var end: LSPPosition

    var json: JSON { .object([("start", start.json), ("end", end.json)]) }

    init(start: LSPPosition, end: LSPPosition) {
        self.start = start
        self.end = end
    }

    init?(_ json: JSON?) {
        guard let json, let start = LSPPosition(json["start"]), let end = LSPPosition(json["end"]), start <= end else {
            return nil
        }
        self.init(start: start, end: end)
    }

    func contains(_ p: LSPPosition) -> Bool { start <= p && p <= end }
    func overlaps(_ r: LSPRange) -> Bool { start <= r.end && r.start <= end }
}

/// A document's text split into lines, to convert the engine's positions (1-based lines, 1-based columns counting
/// Unicode code points, as libyaml's marks and SARIF's `unicodeCodePoints` do) into LSP positions (UTF-16 code
/// units). Lines end at `\n`, `\r\n` or `\r`, as the LSP specification says.
struct DocumentText {
    let bytes: [UInt8]
    /// Byte offset of each line's first byte, and of the byte after its content (before the line break).
    private(set) var lineStarts: [Int] = []
    private(set) var lineEnds: [Int] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var i = 0
        var lineStart = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                lineStarts.append(lineStart)
                lineEnds.append(i)
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                lineStart = i + 1
            }
            i += 1
        }
        lineStarts.append(lineStart)
        lineEnds.append(bytes.count)
    }

    var lineCount: Int { lineStarts.count }

    /// The line break after 0-based `line` as written (`\n` when it has none: the last line).
    func lineBreak(after line: Int) -> String {
        guard line < lineCount else { return "\n" }
        let end = lineEnds[line]
        if end < bytes.count, bytes[end] == 0x0D { return end + 1 < bytes.count && bytes[end + 1] == 0x0A ? "\r\n" : "\r" }
        // The last line has no break: use the document's first one.
        if end >= bytes.count, lineCount > 1 { return lineBreak(after: 0) }
        return "\n"
    }

    /// The blanks a 0-based line starts with.
    func indentation(of line: Int) -> String {
        guard line < lineCount else { return "" }
        var i = lineStarts[line]
        while i < lineEnds[line], bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        return String(decoding: bytes[lineStarts[line]..<i], as: UTF8.self)
    }

    /// The LSP position of a 1-based line and 1-based code-point column, clamped to the document.
    func position(line: Int, column: Int) -> LSPPosition {
        let l = line - 1
        guard l >= 0 else { return LSPPosition(line: 0, character: 0) }
        guard l < lineCount else { return LSPPosition(line: lineCount - 1, character: utf16Length(lineCount - 1)) }
        var units = 0, scalars = 1
        var i = lineStarts[l]
        let end = lineEnds[l]
        while i < end, scalars < column {
            let b = bytes[i]
            units += b >= 0xF0 ? 2 : 1
            scalars += 1
            i += 1
            while i < end, bytes[i] & 0xC0 == 0x80 { i += 1 }
        }
        return LSPPosition(line: l, character: units)
    }

    /// The UTF-16 length of a 0-based line (without its break).
    func utf16Length(_ line: Int) -> Int {
        guard line < lineCount else { return 0 }
        var units = 0
        for b in bytes[lineStarts[line]..<lineEnds[line]] where b & 0xC0 != 0x80 { units += b >= 0xF0 ? 2 : 1 }
        return units
    }

    /// The range of a finding's span. A span of no width (a finding about a whole block) covers the rest of its line
    /// up to the last non-blank character, so that editors have something to underline and hover over.
    func range(of span: Span) -> LSPRange {
        let start = position(line: Int(span.line), column: Int(span.column))
        var end = position(line: Int(span.endLine), column: Int(span.endColumn))
        if end <= start {
            end = LSPPosition(line: start.line, character: max(start.character, trimmedUTF16Length(start.line)))
        }
        return LSPRange(start: start, end: end)
    }

    /// The UTF-16 length of a line without its trailing blanks.
    private func trimmedUTF16Length(_ line: Int) -> Int {
        guard line < lineCount else { return 0 }
        var end = lineEnds[line]
        while end > lineStarts[line], bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        var units = 0
        for b in bytes[lineStarts[line]..<end] where b & 0xC0 != 0x80 { units += b >= 0xF0 ? 2 : 1 }
        return units
    }

    /// The word (letters, digits, `-`, `_`) at an LSP position, with its range.
    func word(at p: LSPPosition) -> (text: String, range: LSPRange)? {
        guard p.line < lineCount else { return nil }
        // UTF-16 offsets of each scalar of the line, to find the one under the cursor.
        var scalars: [(byte: Int, unit: Int, isWord: Bool)] = []
        var i = lineStarts[p.line], units = 0
        let end = lineEnds[p.line]
        while i < end {
            let b = bytes[i]
            let isWord = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            scalars.append((i, units, isWord))
            units += b >= 0xF0 ? 2 : 1
            i += 1
            while i < end, bytes[i] & 0xC0 == 0x80 { i += 1 }
        }
        guard var k = scalars.lastIndex(where: { $0.unit <= p.character }) else { return nil }
        if !scalars[k].isWord, k > 0, scalars[k].unit == p.character, scalars[k - 1].isWord { k -= 1 }
        guard scalars[k].isWord else { return nil }
        var a = k, b = k
        while a > 0, scalars[a - 1].isWord { a -= 1 }
        while b + 1 < scalars.count, scalars[b + 1].isWord { b += 1 }
        let text = String(decoding: bytes[scalars[a].byte...scalars[b].byte], as: UTF8.self)
        return (text, LSPRange(start: LSPPosition(line: p.line, character: scalars[a].unit),
                               end: LSPPosition(line: p.line, character: scalars[b].unit + 1)))
    }

    /// The text of a 0-based line.
    func line(_ l: Int) -> String {
        guard l < lineCount else { return "" }
        return String(decoding: bytes[lineStarts[l]..<lineEnds[l]], as: UTF8.self)
    }
}

/// `file://` URIs and paths (RFC 8089): the path is percent-encoded UTF-8; a `localhost` or empty authority names
/// this machine.
enum FileURI {
    /// The absolute path a `file:` URI names, or nil for another scheme or another host.
    static func path(_ uri: String) -> String? {
        guard uri.lowercased().hasPrefix("file://") else { return nil }
        var rest = Substring(uri.dropFirst(7))
        if !rest.hasPrefix("/") {
            guard let slash = rest.firstIndex(of: "/"), rest[..<slash].lowercased() == "localhost" else { return nil }
            rest = rest[slash...]
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        var bytes: [UInt8] = []
        var utf8 = Array(rest.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%"), utf8.count >= 2, let hi = hex(utf8[utf8.startIndex]), let lo = hex(utf8[utf8.startIndex + 1]) {
                bytes.append(hi << 4 | lo)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        guard !bytes.contains(0), let path = String(validating: bytes, as: UTF8.self) else { return nil }
        return FilePath.normalize(path)
    }

    static func uri(_ path: String) -> String { "file://" + SARIFReporter.percentEncode(path) }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
