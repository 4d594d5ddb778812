#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring search over raw bytes: memchr for the first byte (vectorised in libc), memcmp for the rest.
enum ByteSearch {
    static func find(_ needle: [UInt8], in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        needle.withUnsafeBytes { find($0, in: raw, from: start) }
    }

    static func find(_ needle: UnsafeRawBufferPointer, in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = raw.baseAddress, let pattern = needle.baseAddress, let first = needle.first else { return nil }
        var from = start
        let last = raw.count - needle.count
        while from <= last {
            guard let hit = memchr(base + from, Int32(first), last - from + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, pattern, needle.count) == 0 { return at }
            from = at + 1
        }
        return nil
    }
}
