import CYAML
#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be composed. Positions are 1-based.
public struct YAMLError: Error, Sendable, Equatable {
    public var message: String
    public var line: Int
    public var column: Int
}

public struct YAMLLimits: Sendable {
    /// Deepest nesting of collections accepted.
    public var maxDepth: Int = 512
    /// How many nodes aliases may add to a file when expanded ("billion laughs" guard).
    public var maxAliasExpansion: Int = 100_000
    /// How many bytes of scalar text the values that aliases stand for may add up to in a file: one big scalar
    /// aliased many times is as costly for whoever reads the values as many nodes.
    public var maxAliasBytes: Int = 8 << 20
    /// The longest tag (after `%TAG` prefixes are applied) accepted.
    public var maxTagLength: Int = 4096
    /// How many distinct tags one document may use.
    public var maxDistinctTags: Int = 1024
    public init() {}
}

public struct YAMLParseResult: Sendable {
    /// Documents composed before any error; a syntax error in document 3 keeps documents 1 and 2.
    public var documents: [YAMLDocument]
    public var error: YAMLError?
}

/// What a streaming parse (`parse(_:each:)`) saw: how many documents it handed over, and the error that ended it.
public struct YAMLStreamResult: Sendable {
    public var documents: Int
    public var error: YAMLError?
}

/// Composes libyaml events into `YAMLDocument`s. One instance per thread; its work buffers (`RawBuffer`) are reused
/// between documents and files, so a file of many small (or empty) documents costs the memory of one.
///
/// Budgets (`YAMLLimits`), each ending the parse with an error at the offending node: nesting depth, the nodes and
/// the scalar bytes that aliases stand for (per file), the length of a tag and the number of distinct tags.
public struct YAMLParser {
    /// An open collection. The counts of the innermost one are kept in `openExpanded` / `openBytes` (updated for
    /// every child, without touching the array); a frame keeps its parent's while it is open.
    private struct Frame {
        var node: Int32
        var workStart: Int
        var parentExpanded: Int
        var parentBytes: Int
        var anchor: String?
    }

    public var limits: YAMLLimits
    /// The children of the open collections, innermost last.
    private let work = RawBuffer<Int32>()
    private var frames: [Frame] = []
    /// The nodes and scalar bytes the innermost open collection stands for so far (itself included).
    private var openExpanded = 0
    private var openBytes = 0
    /// The document being composed (its tags, duplicate keys and root).
    private var doc = YAMLDocument()
    /// Its nodes, children and scalar bytes, kept in buffers that keep their capacity from one document to the next,
    /// and copied into its arrays once, when it ends: appending to an array costs a uniqueness and a capacity check
    /// each time, and the corpus has 1.5 million nodes (appending each scalar's bytes cost about 90 instructions).
    private let nodes = RawBuffer<YAMLDocument.Node>()
    private let children = RawBuffer<Int32>()
    private let text = RawBuffer<UInt8>()
    /// The current document's tags by text (interned: one lookup per tagged node, whatever the number of tags).
    private var tagIndices: [String: UInt16] = [:]
    /// Anchors of the current document: the node, and the nodes and scalar bytes an alias to it stands for.
    private var anchors: [String: (node: Int32, expanded: Int, bytes: Int)] = [:]

    public init(limits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
        frames.reserveCapacity(64)
    }

    /// Every document of the input, each stored at its exact size.
    public mutating func parse(_ input: UnsafeRawBufferPointer) -> YAMLParseResult {
        var documents: [YAMLDocument] = []
        let result = parse(input) { documents.append($0.compacted()) }
        return YAMLParseResult(documents: documents, error: result.error)
    }

    /// Composes the documents one at a time and hands each to `body` as soon as it is complete. Each document has
    /// arrays of its own (keeping one is allowed); the composer's work space is that of the largest document, not of
    /// the file.
    public mutating func parse(_ input: UnsafeRawBufferPointer, each body: (YAMLDocument) -> Void) -> YAMLStreamResult {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return YAMLStreamResult(documents: 0, error: YAMLError(message: "cannot initialise the YAML parser", line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer<UInt8>(bitPattern: 1)!
        yaml_parser_set_input_string(&parser, base, input.count)

        var count = 0
        // Budgets for the whole file: a document cannot alias another's anchors, but many documents can each use
        // their share.
        var aliasExpansion = 0
        var aliasBytes = 0
        // The same buffers as the properties, held in locals for the whole parse (no reference counting around each
        // use).
        let nodes = self.nodes, children = self.children, text = self.text, work = self.work
        work.removeAll()
        frames.removeAll(keepingCapacity: true)
        doc.reset()
        var event = yaml_event_t()
        var offsets = MarkOffsets(input)
        // Where the last node closed past its last line (libyaml's end index) and the last non-blank character before
        // it: nested collections closing at one dedent share it.
        var closing: (index: Int, last: (line: Int, column: Int)?) = (-1, nil)

        func fail(_ message: String, _ mark: yaml_mark_t) -> YAMLStreamResult {
            YAMLStreamResult(documents: count,
                             error: YAMLError(message: message, line: Int(mark.line) + 1, column: Int(mark.column) + 1))
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                return YAMLStreamResult(documents: count, error: Self.error(of: parser, input: input))
            }
            defer { yaml_event_delete(&event) }
            let start = event.start_mark, end = event.end_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return YAMLStreamResult(documents: count, error: nil)
            case YAML_DOCUMENT_START_EVENT:
                doc.reset()
                nodes.removeAll()
                children.removeAll()
                text.removeAll()
                doc.line = UInt32(start.line) + 1
                doc.column = UInt32(start.column) + 1
                anchors.removeAll(keepingCapacity: true)
                tagIndices.removeAll(keepingCapacity: true)
            case YAML_DOCUMENT_END_EVENT:
                count += 1
                doc.nodes = nodes.array()
                doc.children = children.array()
                doc.bytes = text.array()
                body(doc)
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let style: YAMLDocument.Style
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                var tag: UInt16 = 0
                if let t = s.tag {
                    let interned = internTag(t)
                    if let problem = interned.problem { return fail(problem, start) }
                    tag = interned.index
                }
                let byteStart = UInt32(truncatingIfNeeded: text.count)
                if s.length > 0, let v = s.value { text.append(v, s.length) }
                let index = Int32(truncatingIfNeeded: nodes.count)
                let last = Self.end(startLine: start.line, end, in: input, offsets: &offsets, closing: &closing)
                nodes.append(.init(kind: .scalar, style: style, tag: tag,
                                   line: UInt32(start.line) + 1, column: UInt32(start.column) + 1,
                                   endLine: last.line, endColumn: last.column,
                                   start: byteStart, count: UInt32(truncatingIfNeeded: s.length)))
                if let a = s.anchor { anchors[String(cString: a)] = (index, 1, s.length) }
                attach(index, expanded: 1, bytes: s.length)
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let target = anchors[name] else {
                    return fail("alias '*\(YAMLDocument.excerpt(name))' refers to an undefined or enclosing anchor", start)
                }
                aliasExpansion += target.expanded
                if aliasExpansion > limits.maxAliasExpansion {
                    return fail("aliases expand to more than \(limits.maxAliasExpansion) nodes (a \"billion laughs\" document); refusing to expand", start)
                }
                aliasBytes += target.bytes
                if aliasBytes > limits.maxAliasBytes {
                    return fail("aliases expand to more than \(ByteSize.describe(limits.maxAliasBytes)) of text (one large value aliased many times); refusing to expand", start)
                }
                attach(target.node, expanded: target.expanded, bytes: target.bytes)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if frames.count >= limits.maxDepth {
                    return fail("nesting deeper than \(limits.maxDepth) levels; refusing to parse further", start)
                }
                let isMap = event.type == YAML_MAPPING_START_EVENT
                let flow = isMap ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                var tag: UInt16 = 0
                if let t = isMap ? event.data.mapping_start.tag : event.data.sequence_start.tag {
                    let interned = internTag(t)
                    if let problem = interned.problem { return fail(problem, start) }
                    tag = interned.index
                }
                let anchor = isMap ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                let index = Int32(truncatingIfNeeded: nodes.count)
                nodes.append(.init(kind: isMap ? .mapping : .sequence, style: flow ? .flow : .block,
                                   tag: tag,
                                   line: UInt32(start.line) + 1, column: UInt32(start.column) + 1,
                                   endLine: 0, endColumn: 0, start: 0, count: 0))
                frames.append(Frame(node: index, workStart: work.count, parentExpanded: openExpanded, parentBytes: openBytes,
                                    anchor: anchor.map { String(cString: $0) }))
                openExpanded = 1
                openBytes = 0
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = frames.removeLast()
                let childStart = UInt32(truncatingIfNeeded: children.count)
                let n = work.count - frame.workStart
                children.append(work.base + frame.workStart, n)
                work.removeAll(from: frame.workStart)
                let node = nodes.base + Int(frame.node)
                node.pointee.start = childStart
                node.pointee.count = UInt32(event.type == YAML_MAPPING_END_EVENT ? n / 2 : n)
                let last = Self.end(startLine: Int(node.pointee.line) - 1, end, in: input, offsets: &offsets, closing: &closing)
                node.pointee.endLine = last.line
                node.pointee.endColumn = last.column
                if event.type == YAML_MAPPING_END_EVENT {
                    Self.findDuplicateKeys(frame.node, nodes: nodes.buffer, children: children.buffer, text: text.buffer,
                                           into: &doc.duplicateKeys)
                }
                let expanded = openExpanded, bytes = openBytes
                openExpanded = frame.parentExpanded
                openBytes = frame.parentBytes
                if let a = frame.anchor { anchors[a] = (frame.node, expanded, bytes) }
                attach(frame.node, expanded: expanded, bytes: bytes)
            default:
                break
            }
        }
    }

    /// Adds a completed node to the open collection, or makes it the document root.
    @inline(__always)
    private mutating func attach(_ node: Int32, expanded: Int, bytes: Int) {
        if frames.isEmpty {
            doc.root = node
        } else {
            work.append(node)
            openExpanded &+= expanded
            openBytes &+= bytes
        }
    }

    /// The tag's index in the current document (1 and up), or why it is refused.
    private mutating func internTag(_ tag: UnsafeMutablePointer<yaml_char_t>) -> (index: UInt16, problem: String?) {
        let length = tag.withMemoryRebound(to: CChar.self, capacity: limits.maxTagLength + 1) { strnlen($0, limits.maxTagLength + 1) }
        if length > limits.maxTagLength {
            return (0, "a tag longer than \(limits.maxTagLength) bytes (a long %TAG prefix?); refusing to parse further")
        }
        let s = String(decoding: UnsafeBufferPointer(start: tag, count: length), as: UTF8.self)
        if let i = tagIndices[s] { return (i, nil) }
        guard doc.tags.count < min(limits.maxDistinctTags, Int(UInt16.max) - 1) else {
            return (0, "more than \(min(limits.maxDistinctTags, Int(UInt16.max) - 1)) distinct tags in one document; refusing to parse further")
        }
        doc.tags.append(s)
        let index = UInt16(doc.tags.count)
        tagIndices[s] = index
        return (index, nil)
    }

    /// Records the duplicate keys of mapping `map` (each with the first key of the same text) in `found`, reading the
    /// document as composed so far.
    private static func findDuplicateKeys(_ map: Int32, nodes: UnsafeBufferPointer<YAMLDocument.Node>,
                                          children: UnsafeBufferPointer<Int32>, text buf: UnsafeBufferPointer<UInt8>,
                                          into found: inout [(duplicate: Int32, first: Int32)]) {
        let n = nodes[Int(map)]
        guard n.count > 1 else { return }
        let start = Int(n.start), count = Int(n.count)
        if count <= 16 {
            // Small mappings (nearly all): compare bytes pairwise, no hashing or allocation.
            for a in 1..<count {
                let ka = children[start + 2 * a]
                let na = nodes[Int(ka)]
                guard na.kind == .scalar else { continue }
                for b in 0..<a {
                    let kb = children[start + 2 * b]
                    if kb == ka {
                        // The same node twice (an aliased key): equal without comparing its bytes.
                        found.append((ka, kb))
                        break
                    }
                    let nb = nodes[Int(kb)]
                    guard nb.kind == .scalar, nb.count == na.count else { continue }
                    if na.count == 0 || (buf[Int(na.start)] == buf[Int(nb.start)]
                        && memcmp(buf.baseAddress! + Int(na.start), buf.baseAddress! + Int(nb.start), Int(na.count)) == 0) {
                        found.append((ka, kb))
                        break
                    }
                }
            }
            return
        }
        var seen: [Int: [Int32]] = [:]
        // Key nodes already seen: an aliased key repeats a node, found without hashing its bytes again.
        var seenNodes: [Int32: Int32] = [:]
        for k in 0..<count {
            let key = children[start + 2 * k]
            let kn = nodes[Int(key)]
            guard kn.kind == .scalar else { continue }
            if let first = seenNodes[key] {
                found.append((key, first))
                continue
            }
            seenNodes[key] = key
            let slice = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[Int(kn.start)..<Int(kn.start + kn.count)])
            var h = Hasher()
            h.combine(bytes: slice)
            let hash = h.finalize()
            if let candidates = seen[hash] {
                if let first = candidates.first(where: { c in
                    let cn = nodes[Int(c)]
                    return cn.count == kn.count
                        && UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[Int(cn.start)..<Int(cn.start + cn.count)]).elementsEqual(slice)
                }) {
                    found.append((key, first))
                    continue
                }
            }
            seen[hash, default: []].append(key)
        }
    }

    private static func error(of parser: yaml_parser_t, input: UnsafeRawBufferPointer) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            let (line, column) = position(ofOffset: parser.problem_offset, in: input)
            let message: String
            if problem.contains("UTF-8") || problem.contains("UTF-16") {
                message = "invalid UTF-8 at byte \(parser.problem_offset): \(problem)"
            } else if problem.contains("control characters") {
                message = "binary or control characters at byte \(parser.problem_offset): \(problem)"
            } else {
                message = problem
            }
            return YAMLError(message: message, line: line, column: column)
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) (\(context) that starts at line \(parser.context_mark.line + 1))"
        }
        if parser.error == YAML_MEMORY_ERROR { message = "out of memory while parsing" }
        return YAMLError(message: message, line: Int(parser.problem_mark.line) + 1,
                         column: Int(parser.problem_mark.column) + 1)
    }

    /// Where a node that starts on (0-based) `startLine` ends, 1-based, one past its last character. libyaml ends a
    /// block scalar, mapping or sequence at the start of the line after it (column 0), which may lie past the file's
    /// last line; the end of its last non-blank character is reported instead, so that every span lies inside its
    /// file. `closing` keeps that character for the next node that ends at the same place.
    @inline(__always)
    static func end(startLine: Int, _ end: yaml_mark_t, in input: UnsafeRawBufferPointer, offsets: inout MarkOffsets,
                    closing: inout (index: Int, last: (line: Int, column: Int)?)) -> (line: UInt32, column: UInt32) {
        let asIs = (line: UInt32(end.line) + 1, column: UInt32(end.column) + 1)
        // Nearly every node ends inside its last line: no need to look at the bytes.
        guard end.column == 0, end.line > startLine else { return asIs }
        if closing.index != end.index {
            let byte = offsets.byteOffset(ofCharacter: Int(end.index), in: input)
            closing = (end.index, lastNonBlank(before: byte, onLine: Int(end.line), in: input, textStart: offsets.textStart))
        }
        guard let found = closing.last, found.line >= startLine else { return asIs }
        return (UInt32(found.line) + 1, UInt32(found.column))
    }

    /// The 0-based line and the 1-based column just past the last non-blank character before byte `end`, which lies
    /// on (0-based) line `line`; nil when there is none. It depends on `end` alone: collections that close together
    /// (nested ones, at a dedent) share it. Lines break as libyaml breaks them (LF, CR LF, a lone CR, NEL, LS, PS);
    /// columns count code points from `textStart` (past a byte order mark) on the first line.
    static func lastNonBlank(before end: Int, onLine line: Int, in input: UnsafeRawBufferPointer,
                             textStart: Int) -> (line: Int, column: Int)? {
        guard end > textStart, end <= input.count else { return nil }
        var i = end - 1
        var line = line
        while i >= textStart {
            let b = input[i]
            if b == 0x0A || b == 0x0D {
                if lineBreakLength(at: i, in: input) > 0 { line -= 1 }
            } else if b == 0x85 || b == 0xA8 || b == 0xA9 {
                // The last byte of NEL, LS or PS: a line break, skipped whole; else a character.
                let length = multiByteBreakLength(endingAt: i, in: input, textStart: textStart)
                guard length > 0 else { break }
                i -= length - 1
                line -= 1
            } else if b != 0x20 && b != 0x09 {
                break
            }
            i -= 1
        }
        guard i >= textStart else { return nil }
        // Back to the start of the line, counting the bytes that continue a character on the way.
        var k = i
        var continuing = 0
        while k > textStart {
            // A line break ends just before k: LF, or CR (a lone one: input[k] is no LF, the walk came from it), or the
            // last byte of NEL (C2 85), LS or PS (E2 80 A8/A9) — see `lineBreakLength`. Other ASCII bytes go by fast.
            let b = input[k - 1]
            if b < 0x80 {
                if b == 0x0A || b == 0x0D { break }
            } else if b & 0xC0 == 0x80 {
                if multiByteBreakLength(endingAt: k - 1, in: input, textStart: textStart) > 0 { break }
                continuing += 1
            }
            k -= 1
        }
        if input[i] & 0xC0 == 0x80 { continuing += 1 }
        // One past the last character: the code points from the line's start to i, plus one.
        return (line, i - k + 1 - continuing + 1)
    }

    /// 1-based line and code-point column of a byte offset, counted as libyaml's marks are: LF, CR LF, a lone CR, NEL,
    /// LS and PS each end a line, and a UTF-8 byte order mark at the start takes no column.
    public static func position(ofOffset offset: Int, in input: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1, column = 1
        let end = min(offset, input.count)
        var i = MarkOffsets(input).textStart
        while i < end {
            let breakLength = lineBreakLength(at: i, in: input)
            if breakLength > 0 {
                line += 1
                column = 1
                i += breakLength
                continue
            }
            if input[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }

    /// The bytes of the NEL (C2 85), LS or PS (E2 80 A8/A9) line break whose last byte is `j`, 0 when none ends there
    /// (walking back over a line, see `lastNonBlank`).
    static func multiByteBreakLength(endingAt j: Int, in input: UnsafeRawBufferPointer, textStart: Int) -> Int {
        if j - 1 >= textStart && lineBreakLength(at: j - 1, in: input) == 2 { return 2 }
        if j - 2 >= textStart && lineBreakLength(at: j - 2, in: input) == 3 { return 3 }
        return 0
    }

    /// The bytes of the line break that starts at byte `i`, 0 when none does: libyaml's breaks are LF, CR (a CR LF is
    /// one break, counted at its LF: 0 at the CR), NEL (C2 85), LS (E2 80 A8) and PS (E2 80 A9).
    static func lineBreakLength(at i: Int, in input: UnsafeRawBufferPointer) -> Int {
        switch input[i] {
        case 0x0A: return 1
        case 0x0D: return i + 1 < input.count && input[i + 1] == 0x0A ? 0 : 1
        case 0xC2: return i + 1 < input.count && input[i + 1] == 0x85 ? 2 : 0
        case 0xE2: return i + 2 < input.count && input[i + 1] == 0x80 && (input[i + 2] == 0xA8 || input[i + 2] == 0xA9) ? 3 : 0
        default: return 0
        }
    }
}

/// Byte offsets of libyaml's marks, which count characters (code points, a CR LF as two, a UTF-8 byte order mark at
/// the start not at all), not bytes. Marks are asked for in the order of the stream, so each is found by walking on
/// from the last one, 32 ASCII bytes at a time: the whole file is walked at most once.
struct MarkOffsets {
    /// Where the text starts: past a UTF-8 byte order mark.
    let textStart: Int
    private var character = 0
    private var byte: Int

    init(_ input: UnsafeRawBufferPointer) {
        textStart = input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0
        byte = textStart
    }

    mutating func byteOffset(ofCharacter target: Int, in input: UnsafeRawBufferPointer) -> Int {
        if target < character { (character, byte) = (0, textStart) }
        guard let base = input.baseAddress else { return 0 }
        let count = input.count
        while character < target && byte < count {
            if target - character >= 32, byte + 32 <= count {
                let word = (base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
                    | base.loadUnaligned(fromByteOffset: byte + 8, as: UInt64.self)
                    | base.loadUnaligned(fromByteOffset: byte + 16, as: UInt64.self)
                    | base.loadUnaligned(fromByteOffset: byte + 24, as: UInt64.self))
                if word & 0x8080_8080_8080_8080 == 0 {
                    character += 32
                    byte += 32
                    continue
                }
            }
            let b = base.load(fromByteOffset: byte, as: UInt8.self)
            byte += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            character += 1
        }
        return min(byte, count)
    }
}

/// A growable buffer of plain values, appended to without the bookkeeping of an array (no uniqueness check, no
/// copy on write): the composer's work space (`YAMLParser`). Not shared between threads.
final class RawBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    @inline(__always)
    func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    func append(_ elements: UnsafePointer<Element>, _ n: Int) {
        if capacity - count < n { grow(to: count + n) }
        (base + count).initialize(from: elements, count: n)
        count += n
    }

    private func grow(to needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    func removeAll() { count = 0 }

    /// Keeps the first `count` elements.
    func removeAll(from count: Int) { self.count = min(count, self.count) }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// The elements as an array of exactly their number.
    func array() -> [Element] { count == 0 ? [] : Array(buffer) }
}
