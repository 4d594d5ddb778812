#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum ReadOutcome: Sendable {
    case bytes([UInt8])
    case tooLarge(Int)
    case failed(String)
}

/// Reads whole files with POSIX calls, refusing files over a size limit before reading them.
public enum FileReader {
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        if case .bytes(let b) = readFile(path, limit: limit) { return b }
        return nil
    }

    public static func readFile(_ path: String, limit: Int) -> ReadOutcome {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failed(String(cString: strerror(errno))) }
        if (st.st_mode & S_IFMT) == S_IFDIR { return .failed("is a directory") }
        let size = Int(st.st_size)
        if size > limit { return .tooLarge(size) }
        var out = [UInt8](repeating: 0, count: size)
        var got = 0
        while true {
            if got == out.count {
                // The file may have grown (or be a pipe): read on, still within the limit.
                if out.count >= limit + 1 { return .tooLarge(out.count) }
                out.append(contentsOf: repeatElement(0, count: max(4096, min(out.count, limit + 1 - out.count))))
            }
            let n = out.withUnsafeMutableBytes { buf in Glibc.read(fd, buf.baseAddress! + got, buf.count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
        out.removeSubrange(got...)
        return .bytes(out)
    }

    /// Reads standard input to the end.
    public static func readStandardInput(limit: Int) -> ReadOutcome {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { return .tooLarge(out.count) }
        }
        return .bytes(out)
    }
}
