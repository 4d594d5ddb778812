/// A composed YAML document: a flat array of nodes whose children are 32-bit indices, with scalar bytes kept in
/// one buffer. Aliases are stored as references to the anchored node, never as copies.
///
/// Positions are 1-based; columns count Unicode code points (libyaml's marks), which is what SARIF calls
/// `unicodeCodePoints`.
public struct YAMLDocument: Sendable {
    public enum Kind: UInt8, Sendable, BitwiseCopyable { case scalar, sequence, mapping }
    public enum Style: UInt8, Sendable, BitwiseCopyable { case plain, singleQuoted, doubleQuoted, literal, folded, block, flow }

    /// One node. For a scalar, `start..<start+count` is its byte range in `bytes`; for a sequence it is the range
    /// of its items in `children`; for a mapping, `2*count` entries of `children` hold key, value pairs.
    public struct Node: Sendable, BitwiseCopyable {
        public var kind: Kind
        public var style: Style
        public var tag: UInt16          // 0 = no explicit tag, else index+1 into `tags`
        public var line: UInt32
        public var column: UInt32
        public var endLine: UInt32
        public var endColumn: UInt32
        public var start: UInt32
        public var count: UInt32
    }

    public internal(set) var nodes: [Node] = []
    public internal(set) var children: [Int32] = []
    public internal(set) var bytes: [UInt8] = []
    public internal(set) var tags: [String] = []
    /// Duplicate keys found while composing: (key node, first key node with the same text).
    public internal(set) var duplicateKeys: [(duplicate: Int32, first: Int32)] = []
    public internal(set) var root: Int32 = -1
    /// Position of the document start (`---` or first node).
    public internal(set) var line: UInt32 = 1
    public internal(set) var column: UInt32 = 1

    public init() {}

    /// Empties the document for the next one.
    mutating func reset() {
        // The parser gives each document arrays of its own (`RawBuffer.array`), which a document kept after parsing
        // shares: emptied in place, a shared array would be copied first.
        nodes = []
        children = []
        bytes = []
        tags.removeAll(keepingCapacity: true)
        duplicateKeys.removeAll(keepingCapacity: true)
        root = -1
        line = 1
        column = 1
    }

    /// A copy whose arrays are exactly as large as their contents (a document kept after parsing).
    func compacted() -> YAMLDocument {
        var d = YAMLDocument()
        // Arrays already of their size (the parser's) are shared, not copied.
        func exact<T>(_ a: [T]) -> [T] { a.capacity - a.count > 16 ? a.withUnsafeBufferPointer { Array($0) } : a }
        d.nodes = exact(nodes)
        d.children = exact(children)
        d.bytes = exact(bytes)
        d.tags = tags
        d.duplicateKeys = duplicateKeys
        d.root = root
        d.line = line
        d.column = column
        return d
    }

    /// A scalar's text for a message: control characters escaped, at most `limit` characters (then `…` and the
    /// length), so that a diagnostic stays one short line whatever the document holds.
    public func excerpt(_ index: Int32, limit: Int = 80) -> String {
        let n = nodes[Int(index)]
        guard n.kind == .scalar else { return "" }
        // Only the first bytes are decoded: a 10 MB scalar costs no more than a short one.
        let take = min(Int(n.count), limit * 4 + 4)
        let text = bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.start) + take]), as: UTF8.self)
        }
        return Self.excerpt(text, limit: limit)
    }

    /// `text` escaped and shortened for a message (see `excerpt(_:limit:)`).
    public static func excerpt(_ text: String, limit: Int = 80) -> String {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == limit { return out + "…" }
            OneLine.append(scalar, to: &out)
            shown += 1
        }
        return out
    }

    @inline(__always) public subscript(_ index: Int32) -> Node { nodes[Int(index)] }

    public func kind(_ index: Int32) -> Kind { nodes[Int(index)].kind }

    public func isNull(_ index: Int32) -> Bool {
        let n = nodes[Int(index)]
        guard n.kind == .scalar, n.style == .plain, n.tag == 0 else { return false }
        if n.count == 0 { return true }
        return scalarEquals(index, "null") || scalarEquals(index, "~") || scalarEquals(index, "Null")
            || scalarEquals(index, "NULL")
    }

    /// The scalar's text. Only call for values a rule reads.
    public func string(_ index: Int32) -> String {
        let n = nodes[Int(index)]
        guard n.kind == .scalar else { return "" }
        return bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.start + n.count)]), as: UTF8.self)
        }
    }

    /// Compares a scalar's bytes with ASCII/UTF-8 text without creating a String.
    public func scalarEquals(_ index: Int32, _ text: StaticString) -> Bool {
        scalarEquals(index, UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Scalar `index` is exactly one of these UTF-8 texts (asked of every document's `kind`: the texts are read in
    /// place, no closure holds the document).
    func scalarEqualsAny(_ index: Int32, _ texts: [[UInt8]]) -> Bool {
        for i in texts.indices where texts[i].withUnsafeBufferPointer({ scalarEquals(index, $0) }) { return true }
        return false
    }

    private func scalarEquals(_ index: Int32, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = nodes[Int(index)]
        guard n.kind == .scalar, Int(n.count) == p.count else { return false }
        return bytes.withUnsafeBufferPointer { buf in
            for i in 0..<p.count where buf[Int(n.start) + i] != p[i] { return false }
            return true
        }
    }

    /// Whether a scalar's bytes end with ASCII text.
    public func scalarEndsWith(_ index: Int32, _ text: StaticString) -> Bool {
        let n = nodes[Int(index)]
        let k = text.utf8CodeUnitCount
        guard n.kind == .scalar, Int(n.count) >= k else { return false }
        return bytes.withUnsafeBufferPointer { buf in
            let p = text.utf8Start
            let start = Int(n.start + n.count) - k
            for i in 0..<k where buf[start + i] != p[i] { return false }
            return true
        }
    }

    public func tag(_ index: Int32) -> String? {
        let t = nodes[Int(index)].tag
        return t == 0 ? nil : tags[Int(t) - 1]
    }

    /// Items of a sequence (empty for other kinds).
    public func items(_ index: Int32) -> ArraySlice<Int32> {
        let n = nodes[Int(index)]
        guard n.kind == .sequence else { return [] }
        return children[Int(n.start)..<Int(n.start + n.count)]
    }

    /// Key, value pairs of a mapping (empty for other kinds).
    public func pairs(_ index: Int32) -> PairSequence {
        let n = nodes[Int(index)]
        guard n.kind == .mapping else { return PairSequence(children: [], start: 0, count: 0) }
        return PairSequence(children: children, start: Int(n.start), count: Int(n.count))
    }

    /// The value of a mapping key given as ASCII text (the first one when keys repeat), merge keys honoured.
    public func value(_ index: Int32, forKey key: StaticString) -> Int32? {
        for (k, v) in pairs(index) where scalarEquals(k, key) { return v }
        for (k, v) in pairs(index) where isMergeKey(k) {
            let sources = kind(v) == .sequence ? Array(items(v)) : [v]
            for src in sources where kind(src) == .mapping {
                if let found = value(src, forKey: key) { return found }
            }
        }
        return nil
    }

    /// `<<` (YAML 1.1 merge key), which Kubernetes' YAML decoder honours.
    public func isMergeKey(_ k: Int32) -> Bool {
        nodes[Int(k)].style == .plain && scalarEquals(k, "<<")
    }

    /// Key, value pairs with `<<: *anchor` merges expanded: explicit keys win, then merged mappings in order.
    public func entries(_ index: Int32) -> [(key: Int32, value: Int32)] {
        var explicit: [(key: Int32, value: Int32)] = []
        var merges: [Int32] = []
        for (k, v) in pairs(index) {
            if isMergeKey(k) { merges.append(v) } else { explicit.append((k, v)) }
        }
        guard !merges.isEmpty else { return explicit }
        var out = explicit
        var seen = Set(explicit.map { string($0.key) })
        for m in merges {
            let sources = kind(m) == .sequence ? Array(items(m)) : [m]
            for src in sources where kind(src) == .mapping {
                for e in entries(src) where seen.insert(string(e.key)).inserted { out.append(e) }
            }
        }
        return out
    }

    public struct PairSequence: Sequence {
        let children: [Int32]
        let start: Int
        let count: Int
        public struct Iterator: IteratorProtocol {
            let children: [Int32]
            var i: Int
            let end: Int
            public mutating func next() -> (key: Int32, value: Int32)? {
                guard i < end else { return nil }
                defer { i += 2 }
                return (children[i], children[i + 1])
            }
        }
        public func makeIterator() -> Iterator { Iterator(children: children, i: start, end: start + 2 * count) }
        public var isEmpty: Bool { count == 0 }
    }
}
