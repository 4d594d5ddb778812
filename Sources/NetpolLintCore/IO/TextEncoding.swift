/// The encodings a YAML stream may be in (YAML 1.2, 5.2 "Character Encodings"): UTF-8, UTF-16 or UTF-32, told
/// apart by a byte order mark or, without one, by where the NUL bytes of the first ASCII character fall.
/// UTF-16 and UTF-32 files are transcoded to UTF-8 before parsing, so that they are read like any other file
/// (lines and code-point columns are the same in every encoding).
public enum TextEncoding: Sendable, Equatable {
    case utf8
    case utf16(bigEndian: Bool, bom: Bool)
    case utf32(bigEndian: Bool, bom: Bool)

    public var name: String {
        switch self {
        case .utf8: "UTF-8"
        case .utf16(let be, _): be ? "UTF-16BE" : "UTF-16LE"
        case .utf32(let be, _): be ? "UTF-32BE" : "UTF-32LE"
        }
    }

    /// The encoding the first bytes announce.
    public static func detect(_ b: UnsafeRawBufferPointer) -> TextEncoding {
        let n = b.count
        if n >= 4 {
            if b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF { return .utf32(bigEndian: true, bom: true) }
            if b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 { return .utf32(bigEndian: false, bom: true) }
            if b[0] == 0, b[1] == 0, b[2] == 0, b[3] != 0 { return .utf32(bigEndian: true, bom: false) }
            if b[0] != 0, b[1] == 0, b[2] == 0, b[3] == 0 { return .utf32(bigEndian: false, bom: false) }
        }
        if n >= 2 {
            if b[0] == 0xFE, b[1] == 0xFF { return .utf16(bigEndian: true, bom: true) }
            if b[0] == 0xFF, b[1] == 0xFE { return .utf16(bigEndian: false, bom: true) }
            if b[0] == 0, b[1] != 0 { return .utf16(bigEndian: true, bom: false) }
            if b[0] != 0, b[1] == 0 { return .utf16(bigEndian: false, bom: false) }
        }
        return .utf8
    }

    public struct Problem: Error, Sendable, Equatable {
        /// Byte offset in the original input.
        public var offset: Int
        public var message: String
        /// 1-based line and code-point column of the offending character.
        public var line = 1
        public var column = 1
    }

    /// The input as UTF-8 (nil when it is UTF-8 already), or where it is not valid in its encoding.
    public static func utf8(from b: UnsafeRawBufferPointer) -> Result<[UInt8], Problem>? {
        let encoding = detect(b)
        var out: [UInt8] = []
        func fail(_ offset: Int, _ message: String) -> Result<[UInt8], Problem> {
            let (line, column) = out.withUnsafeBytes { YAMLParser.position(ofOffset: $0.count, in: $0) }
            return .failure(Problem(offset: offset, message: message, line: line, column: column))
        }
        switch encoding {
        case .utf8:
            return nil
        case .utf16(let be, let bom):
            out.reserveCapacity(b.count + b.count / 2)
            var i = bom ? 2 : 0
            func unit(_ at: Int) -> UInt32 {
                be ? UInt32(b[at]) << 8 | UInt32(b[at + 1]) : UInt32(b[at + 1]) << 8 | UInt32(b[at])
            }
            while i < b.count {
                guard i + 1 < b.count else {
                    return fail(i, "invalid \(encoding.name) at byte \(i): an odd number of bytes")
                }
                let u = unit(i)
                if u >= 0xD800 && u < 0xDC00 {
                    guard i + 3 < b.count else {
                        return fail(i, "invalid \(encoding.name) at byte \(i): a high surrogate at the end")
                    }
                    let low = unit(i + 2)
                    guard low >= 0xDC00 && low < 0xE000 else {
                        return fail(i, "invalid \(encoding.name) at byte \(i): a high surrogate without its low surrogate")
                    }
                    append(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), to: &out)
                    i += 4
                } else if u >= 0xDC00 && u < 0xE000 {
                    return fail(i, "invalid \(encoding.name) at byte \(i): a low surrogate without its high surrogate")
                } else {
                    append(u, to: &out)
                    i += 2
                }
            }
        case .utf32(let be, let bom):
            out.reserveCapacity(b.count / 2)
            var i = bom ? 4 : 0
            while i < b.count {
                guard i + 3 < b.count else {
                    return fail(i, "invalid \(encoding.name) at byte \(i): the byte count is not a multiple of 4")
                }
                let u = be ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                    : UInt32(b[i + 3]) << 24 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i])
                guard u < 0x110000, !(u >= 0xD800 && u < 0xE000) else {
                    return fail(i, "invalid \(encoding.name) at byte \(i): not a Unicode scalar")
                }
                append(u, to: &out)
                i += 4
            }
        }
        return .success(out)
    }

    /// The file's bytes as UTF-8: transcoded when it is UTF-16 or UTF-32 and valid, else unchanged.
    public static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        guard case .success(let utf8)? = bytes.withUnsafeBytes({ utf8(from: $0) }) else { return bytes }
        return utf8
    }

    /// Appends a Unicode scalar value (never a surrogate) as UTF-8: the one encoder the readers share.
    static func append(_ u: UInt32, to out: inout [UInt8]) {
        switch u {
        case 0..<0x80:
            out.append(UInt8(u))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | u >> 6))
            out.append(UInt8(0x80 | u & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | u >> 12))
            out.append(UInt8(0x80 | u >> 6 & 0x3F))
            out.append(UInt8(0x80 | u & 0x3F))
        default:
            out.append(UInt8(0xF0 | u >> 18))
            out.append(UInt8(0x80 | u >> 12 & 0x3F))
            out.append(UInt8(0x80 | u >> 6 & 0x3F))
            out.append(UInt8(0x80 | u & 0x3F))
        }
    }
}
