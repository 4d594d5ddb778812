/// A YAML value reduced to what the git-vs-live comparison needs (`LiveDrift`): scalars by their text, lists by
/// position, mappings by key. Built from a `YAMLDocument` node for both sides, so the repository and the export
/// are read by the same loader and compared by the same rules.
indirect enum DriftValue: Sendable, Equatable {
    /// `quoted` remembers how the scalar was written, only to render it (`"8080"` beside `8080`); it never takes
    /// part in comparison: Kubernetes decodes both to the same value where the field is a string or an
    /// int-or-string.
    case scalar(String, quoted: Bool)
    case list([DriftValue])
    case map([String: DriftValue])

    static func == (a: DriftValue, b: DriftValue) -> Bool {
        switch (a, b) {
        case (.scalar(let x, _), .scalar(let y, _)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.map(let x), .map(let y)): x == y
        default: false
        }
    }

    var map: [String: DriftValue]? {
        if case .map(let m) = self { return m }
        return nil
    }

    var list: [DriftValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    var text: String? {
        if case .scalar(let s, _) = self { return s }
        return nil
    }

    subscript(_ key: String) -> DriftValue? { map?[key] }

    /// Whether the value is an empty mapping or list.
    var isEmptyCollection: Bool {
        switch self {
        case .scalar: false
        case .list(let l): l.isEmpty
        case .map(let m): m.isEmpty
        }
    }

    /// Every scalar (and mapping key) passed through `transform`.
    func mapScalars(_ transform: (String) -> String) -> DriftValue {
        switch self {
        case .scalar(let s, let q): .scalar(transform(s), quoted: q)
        case .list(let l): .list(l.map { $0.mapScalars(transform) })
        case .map(let m):
            .map(Dictionary(m.map { (transform($0.key), $0.value.mapScalars(transform)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    // MARK: Building

    /// Why a tree could not be built.
    struct BuildError: Error {
        var message: String
        var line: Int
        var column: Int
    }

    /// The tree of node `n`; nil for a YAML null. Aliases are expanded (the parser has already bounded how much
    /// they expand to) and `<<` merge keys honoured, as Kubernetes' decoder does. Nesting, counted through aliases,
    /// is bounded by `maxDepth`, so no input can exhaust the stack.
    static func build(_ doc: YAMLDocument, _ n: Int32, maxDepth: Int, depth: Int = 0) throws(BuildError) -> DriftValue? {
        let node = doc[n]
        guard depth <= maxDepth else {
            throw BuildError(message: "nesting (through aliases) deeper than \(maxDepth) levels; refusing to read further",
                             line: Int(node.line), column: Int(node.column))
        }
        switch node.kind {
        case .scalar:
            if doc.isNull(n) { return nil }
            let text = doc.string(n)
            let quoted = node.style != .plain
            return .scalar(quoted ? text : canonicalPlain(text), quoted: quoted)
        case .sequence:
            var out: [DriftValue] = []
            for item in doc.items(n) {
                // A null item stays in place: lists compare by position.
                out.append(try build(doc, item, maxDepth: maxDepth, depth: depth + 1) ?? .scalar("null", quoted: false))
            }
            return .list(out)
        case .mapping:
            var out: [String: DriftValue] = [:]
            for (k, v) in doc.entries(n) {
                let key: String
                if doc.kind(k) == .scalar {
                    key = doc.string(k)
                } else {
                    key = (try build(doc, k, maxDepth: maxDepth, depth: depth + 1)).map { $0.flow(limit: 200) } ?? "null"
                }
                // The first of repeated keys wins, as `YAMLDocument.value(_:forKey:)` reads it.
                if out[key] != nil { continue }
                if let value = try build(doc, v, maxDepth: maxDepth, depth: depth + 1) { out[key] = value }
            }
            return .map(out)
        }
    }

    /// Plain YAML 1.1 booleans (which Kubernetes' YAML-to-JSON step reads as booleans) in one spelling, so that
    /// `True` in git equals `true` printed by kubectl.
    static func canonicalPlain(_ s: String) -> String {
        switch s {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y": "true"
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N": "false"
        default: s
        }
    }

    // MARK: Rendering

    /// Short YAML flow text: `8080`, `"8081"`, `[Ingress, Egress]`, `{app: x}`; cut with `…` past `limit`
    /// characters.
    func flow(limit: Int = 120) -> String {
        var out = ""
        render(into: &out, limit: limit)
        if out.count > limit { out = String(out.prefix(limit - 1)) + "…" }
        return out
    }

    private func render(into out: inout String, limit: Int) {
        if out.count > limit { return }
        switch self {
        case .scalar(let s, let quoted):
            out += Self.scalarText(s, quoted: quoted)
        case .list(let l):
            out += "["
            for (i, v) in l.enumerated() {
                if i > 0 { out += ", " }
                v.render(into: &out, limit: limit)
                if out.count > limit { return }
            }
            out += "]"
        case .map(let m):
            out += "{"
            for (i, key) in m.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                out += Self.scalarText(key, quoted: false) + ": "
                m[key]!.render(into: &out, limit: limit)
                if out.count > limit { return }
            }
            out += "}"
        }
    }

    /// A scalar as YAML writes it: plain when that reads back as the same text (and, for a quoted scalar, as a
    /// string), else double-quoted.
    static func scalarText(_ s: String, quoted: Bool) -> String {
        if isPlainSafe(s), !(quoted && looksTyped(s)) { return s }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Text a plain scalar would read back as something other than a string: a number, boolean or null.
    static func looksTyped(_ s: String) -> Bool {
        if canonicalPlain(s) != s || s == "true" || s == "false" { return true }
        if s == "null" || s == "~" || s == "Null" || s == "NULL" { return true }
        var digits = 0
        for (i, u) in s.utf8.enumerated() {
            if u >= 0x30 && u <= 0x39 { digits += 1; continue }
            if i == 0 && (u == UInt8(ascii: "-") || u == UInt8(ascii: "+")) { continue }
            if u == UInt8(ascii: ".") || u == UInt8(ascii: "e") || u == UInt8(ascii: "E") || u == UInt8(ascii: "_") { continue }
            return false
        }
        return digits > 0
    }

    /// Text that reads back unchanged as a plain scalar inside flow collections.
    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if first == " " || last == " " || "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) {
            // `-x`, `:x` and `?x` would be plain too, but a leading indicator is rare enough to quote.
            return false
        }
        var previous: Unicode.Scalar = " "
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F || ",[]{}".unicodeScalars.contains(u) { return false }
            if u == "#" && previous == " " { return false }
            if previous == ":" && u == " " { return false }
            previous = u
        }
        return last != ":"
    }
}
