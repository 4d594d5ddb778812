import CPCRE2

public struct RegexError: Error, Sendable {
    public var message: String
    public var offset: Int
}

/// A PCRE2 pattern compiled once (JIT where available) and matched with match and depth limits, so a pattern
/// from a configuration cannot hang the linter.
public struct Regex: Sendable, Hashable {
    final class Code: @unchecked Sendable {
        let code: OpaquePointer
        let context: OpaquePointer?
        init(code: OpaquePointer, context: OpaquePointer?) {
            self.code = code
            self.context = context
        }
        deinit {
            pcre2_code_free_8(code)
            if let context { pcre2_match_context_free_8(context) }
        }
    }

    public let pattern: String
    let compiled: Code
    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000

    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let code = pattern.withCString { p in
            pcre2_compile_8(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count,
                            UInt32(PCRE2_UTF), &errorCode, &errorOffset, nil)
        }
        guard let code else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix(max(0, Int(n))), as: UTF8.self)
            throw RegexError(message: "\(text) at offset \(errorOffset)", offset: errorOffset)
        }
        _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))  // falls back to the interpreter when JIT is unavailable
        let context = pcre2_match_context_create_8(nil)
        if let context {
            pcre2_set_match_limit_8(context, Self.matchLimit)
            pcre2_set_depth_limit_8(context, Self.depthLimit)
        }
        compiled = Code(code: code, context: context)
    }

    /// Whether the pattern matches anywhere in `text`. A match that hits a limit counts as no match.
    public func matches(_ text: String) -> Bool {
        guard let data = pcre2_match_data_create_from_pattern_8(compiled.code, nil) else { return false }
        defer { pcre2_match_data_free_8(data) }
        var t = text
        let rc = t.withUTF8 { buf in
            pcre2_match_8(compiled.code, buf.baseAddress ?? UnsafePointer(bitPattern: 1)!, buf.count, 0, 0, data, compiled.context)
        }
        return rc >= 0
    }

    public static func == (a: Regex, b: Regex) -> Bool { a.pattern == b.pattern }
    public func hash(into h: inout Hasher) { h.combine(pattern) }
}
