// A strict RFC 8259 JSON parser over raw bytes (no Foundation). It reads untrusted input (Hubble flow files), so
// every byte access is bounds-checked by hand, nesting is limited, and every malformed input is an error with the
// byte offset where parsing stopped, never a crash.
//
// Choices the RFC leaves to implementations: numbers without fraction or exponent that fit `Int` become `.int`,
// all others `.double` (a number beyond the range of `Double` is refused); invalid UTF-8 is refused; a `\u` escape
// naming a lone surrogate decodes to U+FFFD; a repeated object key is kept (objects keep every pair, in order), and
// `subscript(key)` answers the last one, as JavaScript and Go do; a byte order mark is not skipped.

/// Why a JSON text was refused, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// 0-based byte offset into the input where parsing stopped.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `unexpected end of input at byte 12`.
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSON {
    /// Parses one JSON text (RFC 8259): a single value, optionally surrounded by whitespace, and nothing else.
    /// Containers nested deeper than `maxDepth` are refused (the parser recurses once per level).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        var parser = JSONByteParser(s: bytes, maxDepth: maxDepth)
        return try parser.document()
    }

    /// Parses UTF-8 bytes; see `parse(_:maxDepth:)`.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        let result: Result<JSON, JSONParseError> = bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) {
                return .success(try parse(raw, maxDepth: maxDepth))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses a string's UTF-8 form; see `parse(_:maxDepth:)`.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        var text = text
        let result: Result<JSON, JSONParseError> = text.withUTF8 { utf8 in
            do throws(JSONParseError) {
                return .success(try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth))
            } catch { return .failure(error) }
        }
        return try result.get()
    }
}

// MARK: - Accessors

extension JSON {
    /// The value of `key` in an object (the last one when the key repeats); nil for a missing key or a non-object.
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.last(where: { $0.0 == key })?.1
    }

    /// The element at `index` of an array; nil out of bounds or for a non-array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer, also when written as a decimal string (protojson prints 64-bit integers as strings, `"57"`) or
    /// as a number with an integral value that fits `Int` (`133.0`).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d == d.rounded(), d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
                return nil
            }
            return Int(d)
        case .string(let s):
            // Only plain decimal integers: Int("+5") accepts a sign JSON writers never print.
            let digits = s.utf8.first == UInt8(ascii: "-") ? s.utf8.dropFirst() : s.utf8[...]
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(s)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// An object's pairs, in document order.
    public var objectValue: [(String, JSON)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }
}

// MARK: - Parser

private enum Byte {
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+"), dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
}

private struct JSONByteParser {
    let s: UnsafeRawBufferPointer
    let maxDepth: Int
    var pos = 0
    var depth = 0
    /// Reused to assemble strings with escapes.
    var scratch: [UInt8] = []

    init(s: UnsafeRawBufferPointer, maxDepth: Int) {
        self.s = s
        self.maxDepth = maxDepth
    }

    func fail(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(message: message, offset: offset ?? pos)
    }

    /// The byte at `pos` for a message: `'x'` when printable ASCII, else `byte 0xNN`, or `end of input`.
    func found() -> String {
        guard pos < s.count else { return "end of input" }
        let b = s[pos]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" : "") + hex
    }

    func unexpected(_ expecting: String) -> JSONParseError {
        fail("expected \(expecting), found \(found())")
    }

    mutating func skipWhitespace() {
        while pos < s.count {
            let b = s[pos]
            guard b == Byte.space || b == Byte.lf || b == Byte.cr || b == Byte.tab else { return }
            pos += 1
        }
    }

    mutating func document() throws(JSONParseError) -> JSON {
        skipWhitespace()
        let v = try value()
        skipWhitespace()
        if pos < s.count { throw fail("unexpected \(found()) after the JSON value") }
        return v
    }

    mutating func value() throws(JSONParseError) -> JSON {
        guard pos < s.count else { throw unexpected("a value") }
        switch s[pos] {
        case Byte.openBrace: return try object()
        case Byte.openBracket: return try array()
        case Byte.quote: return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case Byte.minus, Byte.zero...Byte.nine: return try number()
        default: throw unexpected("a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let start = pos
        let n = word.utf8CodeUnitCount
        var i = 0
        while i < n {
            guard pos < s.count, s[pos] == word.utf8Start[i] else {
                throw fail("invalid literal (expected '\(word)')", at: start)
            }
            pos += 1
            i += 1
        }
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    mutating func object() throws(JSONParseError) -> JSON {
        try enter()
        defer { depth -= 1 }
        pos += 1
        var pairs: [(String, JSON)] = []
        skipWhitespace()
        if pos < s.count && s[pos] == Byte.closeBrace {
            pos += 1
            return .object(pairs)
        }
        while true {
            skipWhitespace()
            guard pos < s.count, s[pos] == Byte.quote else { throw unexpected("a string key") }
            let key = try string()
            skipWhitespace()
            guard pos < s.count, s[pos] == Byte.colon else { throw unexpected("':'") }
            pos += 1
            skipWhitespace()
            let v = try value()
            pairs.append((key, v))
            skipWhitespace()
            guard pos < s.count else { throw unexpected("',' or '}'") }
            if s[pos] == Byte.comma { pos += 1; continue }
            if s[pos] == Byte.closeBrace { pos += 1; return .object(pairs) }
            throw unexpected("',' or '}'")
        }
    }

    mutating func array() throws(JSONParseError) -> JSON {
        try enter()
        defer { depth -= 1 }
        pos += 1
        var items: [JSON] = []
        skipWhitespace()
        if pos < s.count && s[pos] == Byte.closeBracket {
            pos += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            guard pos < s.count else { throw unexpected("',' or ']'") }
            if s[pos] == Byte.comma { pos += 1; continue }
            if s[pos] == Byte.closeBracket { pos += 1; return .array(items) }
            throw unexpected("',' or ']'")
        }
    }

    // MARK: strings

    /// Parses a string starting at its opening quote.
    mutating func string() throws(JSONParseError) -> String {
        let open = pos
        pos += 1
        let start = pos
        // Fast path: no escapes, the text is the bytes themselves (validated as UTF-8).
        while pos < s.count {
            let b = s[pos]
            if b == Byte.quote {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: s[start..<pos]), as: UTF8.self)
                pos += 1
                return text
            }
            if b == Byte.backslash { break }
            if b < 0x20 { throw fail("control character in a string (must be escaped)") }
            if b < 0x80 { pos += 1 } else { pos += try utf8Sequence() }
        }
        guard pos < s.count else { throw fail("unterminated string", at: open) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[start..<pos]))
        while pos < s.count {
            let b = s[pos]
            if b == Byte.quote {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == Byte.backslash {
                try escape()
            } else if b < 0x20 {
                throw fail("control character in a string (must be escaped)")
            } else if b < 0x80 {
                scratch.append(b)
                pos += 1
            } else {
                let n = try utf8Sequence()
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[pos..<pos + n]))
                pos += n
            }
        }
        throw fail("unterminated string", at: open)
    }

    /// Decodes the escape at `pos` (a backslash) into `scratch`.
    mutating func escape() throws(JSONParseError) {
        let start = pos
        pos += 1
        guard pos < s.count else { throw fail("unterminated string") }
        let c = s[pos]
        pos += 1
        switch c {
        case Byte.quote, Byte.backslash, Byte.slash: scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4(at: pos)
            pos += 4
            if code >= 0xD800 && code <= 0xDBFF {
                // A high surrogate pairs with an immediately following `\u` low surrogate; alone it is U+FFFD.
                if pos + 1 < s.count, s[pos] == Byte.backslash, s[pos + 1] == UInt8(ascii: "u") {
                    let low = try hex4(at: pos + 2)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        pos += 6
                    } else {
                        code = 0xFFFD
                    }
                } else {
                    code = 0xFFFD
                }
            } else if code >= 0xDC00 && code <= 0xDFFF {
                code = 0xFFFD
            }
            appendScalar(code)
        default:
            throw fail("invalid escape sequence", at: start)
        }
    }

    func hex4(at offset: Int) throws(JSONParseError) -> UInt32 {
        var code: UInt32 = 0
        for i in offset..<offset + 4 {
            guard i < s.count else { throw fail("unterminated \\u escape", at: i) }
            let b = s[i]
            let digit: UInt8
            switch b {
            case Byte.zero...Byte.nine: digit = b - Byte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw fail("invalid hexadecimal digit in a \\u escape", at: i)
            }
            code = code << 4 | UInt32(digit)
        }
        return code
    }

    /// Appends a scalar value (never a surrogate) as UTF-8.
    mutating func appendScalar(_ code: UInt32) { TextEncoding.append(code, to: &scratch) }

    /// The length of the well-formed UTF-8 sequence of two to four bytes at `pos` (Unicode Table 3-7).
    func utf8Sequence() throws(JSONParseError) -> Int {
        let lead = s[pos]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // bounds of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8")
        }
        for i in 1..<length {
            guard pos + i < s.count else { throw fail("invalid UTF-8 (truncated sequence)") }
            let b = s[pos + i]
            let ok = i == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF)
            if !ok { throw fail("invalid UTF-8") }
        }
        return length
    }

    // MARK: numbers

    func isDigit(_ i: Int) -> Bool { i < s.count && s[i] >= Byte.zero && s[i] <= Byte.nine }

    mutating func number() throws(JSONParseError) -> JSON {
        let start = pos
        let negative = s[pos] == Byte.minus
        if negative { pos += 1 }
        guard isDigit(pos) else { throw unexpected("a digit") }
        if s[pos] == Byte.zero {
            pos += 1
        } else {
            while isDigit(pos) { pos += 1 }
        }
        let integerEnd = pos
        var integral = true
        if pos < s.count && s[pos] == Byte.dot {
            integral = false
            pos += 1
            guard isDigit(pos) else { throw unexpected("a digit after '.'") }
            while isDigit(pos) { pos += 1 }
        }
        if pos < s.count && (s[pos] == UInt8(ascii: "e") || s[pos] == UInt8(ascii: "E")) {
            integral = false
            pos += 1
            if pos < s.count && (s[pos] == Byte.plus || s[pos] == Byte.minus) { pos += 1 }
            guard isDigit(pos) else { throw unexpected("a digit in the exponent") }
            while isDigit(pos) { pos += 1 }
        }
        if integral {
            // Accumulate towards the sign so that Int.min fits; fall back to Double on overflow.
            var value = 0
            var overflow = false
            for i in (negative ? start + 1 : start)..<integerEnd where !overflow {
                let digit = Int(s[i] - Byte.zero)
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = negative ? times10.subtractingReportingOverflow(digit)
                                          : times10.addingReportingOverflow(digit)
                overflow = o1 || o2
                value = next
            }
            if !overflow { return .int(value) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: s[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number out of range", at: start) }
        return .double(d)
    }
}
