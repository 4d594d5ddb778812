#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few string helpers the project needs without Foundation, in one place.

extension String {
    func splitOn(_ sep: String) -> [String] {
        var out: [String] = []
        var rest = Substring(self)
        while let r = rest.range(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}

extension Substring {
    /// The first occurrence of `needle`, compared byte for byte in UTF-8 (a match starts where the needle's first
    /// byte does, which is never inside another character).
    func range(of needle: String) -> Range<Substring.Index>? {
        let text = utf8, pattern = needle.utf8
        guard let first = pattern.first else { return nil }
        // Native strings keep their UTF-8 in one piece: searched with memchr and memcmp (-1: not found).
        let found = text.withContiguousStorageIfAvailable { t in
            pattern.withContiguousStorageIfAvailable { p in
                ByteSearch.find(UnsafeRawBufferPointer(p), in: UnsafeRawBufferPointer(t), from: 0) ?? -1
            }
        }
        if let offset = found ?? nil {
            guard offset >= 0 else { return nil }
            let start = text.index(text.startIndex, offsetBy: offset)
            return start..<text.index(start, offsetBy: pattern.count)
        }
        var i = text.startIndex
        while let j = text[i...].firstIndex(of: first) {
            if text[j...].starts(with: pattern) { return j..<text.index(j, offsetBy: pattern.count) }
            i = text.index(after: j)
        }
        return nil
    }
}

extension String {
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}

extension String {
    /// `prefix` followed by `suffix`, built in one allocation from their UTF-8 bytes (a path from its folder's and its
    /// name: `+` and `String(_:)` cost thousands of instructions a path, and a walk makes one per file).
    static func joining(_ prefix: String, _ suffix: Substring) -> String {
        let joined = prefix.utf8.withContiguousStorageIfAvailable { p in
            suffix.utf8.withContiguousStorageIfAvailable { s in
                String(unsafeUninitializedCapacity: p.count + s.count) { buffer in
                    if let base = p.baseAddress { (buffer.baseAddress! as UnsafeMutablePointer<UInt8>).initialize(from: base, count: p.count) }
                    if let base = s.baseAddress { (buffer.baseAddress! + p.count).initialize(from: base, count: s.count) }
                    return p.count + s.count
                }
            }
        }
        return (joined ?? nil) ?? prefix + suffix
    }

    /// Whether the UTF-8 bytes end with `suffix`'s (a file name's extension: bytes, as the file system has them;
    /// `hasSuffix` compares characters, at many times the cost).
    func hasByteSuffix(_ suffix: StaticString) -> Bool {
        let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        let answer = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count >= tail.count && (tail.isEmpty || memcmp(bytes.baseAddress! + bytes.count - tail.count, tail.baseAddress!, tail.count) == 0)
        }
        return answer ?? utf8.reversed().starts(with: tail.reversed())
    }

    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

/// Keeps a diagnostic on one line: every diagnostic is `file:line:col: …` on a line of its own, whatever text from
/// the input it quotes.
public enum OneLine {
    /// The longest message kept whole; longer ones (which can only come from quoting a huge value) are cut.
    public static let maxMessageLength = 1000

    /// Line breaks and other control characters escaped (`\n`, `\u{2028}`); the message cut at
    /// `maxMessageLength` characters.
    public static func clean(_ message: String) -> String {
        var needs = message.utf8.count > maxMessageLength
        if !needs {
            for b in message.utf8 where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 {
                needs = true
                break
            }
        }
        guard needs else { return message }
        var out = ""
        var n = 0
        for scalar in message.unicodeScalars {
            if n == maxMessageLength { return out + "…" }
            append(scalar, to: &out)
            n += 1
        }
        return out
    }

    static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar.value {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
}

extension StringProtocol {
    /// Whether the text holds a Flux `${…}` substitution (`${`). A scan of the UTF-8 bytes: `contains(_:)` on strings
    /// goes through the generic string searcher, which showed in profiles of whole-repository runs.
    public var hasSubstitution: Bool {
        var dollar = false
        for b in utf8 {
            if dollar && b == UInt8(ascii: "{") { return true }
            dollar = b == UInt8(ascii: "$")
        }
        return false
    }
}
