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
        switch read(checking: path, limit: limit) {
        case .bytes(let b): .bytes(b)
        case .tooLarge(let n): .tooLarge(n)
        case .notRegular(let kind): .failed("it is \(kind), not a regular file")
        case .failed(let reason): .failed(reason)
        }
    }

    /// What `read(checking:limit:)` found.
    enum Checked {
        case bytes([UInt8])
        case tooLarge(Int)
        /// A FIFO, socket or device (its kind, "a FIFO (named pipe)"): never read, since reading one can block
        /// forever or never end.
        case notRegular(String)
        case failed(String)

        /// The bytes it holds in memory.
        var size: Int {
            if case .bytes(let b) = self { return b.count }
            return 0
        }
    }

    /// Opens without blocking (`O_NONBLOCK`: opening a FIFO that has no writer returns at once) and reads only a
    /// regular file, refusing it when its size is over `limit` before reading a byte. The file is opened `at` its name
    /// in a folder the walk holds open, when given, else by `path`.
    static func read(checking path: String, at: OpenAt? = nil, limit: Int) -> Checked {
        var fd: Int32
        let folder = at?.folder ?? AT_FDCWD, name = at?.name ?? path
        repeat { fd = openat(folder, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failed(String(cString: strerror(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failed("is a directory")
        case let other: return .notRegular(kind(other))
        }
        let size = Int(st.st_size)
        if size > limit { return .tooLarge(size) }
        // The announced size is read straight into the array (no zero-filling, no doubling).
        var failure: String?
        // An empty file gets a plain empty array: initialising one of capacity 0 would write the shared empty
        // storage (a data race between workers that ThreadSanitizer reports).
        var out: [UInt8] = size == 0 ? [] : [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            var got = 0
            while got < size {
                let n = Glibc.read(fd, buf.baseAddress! + got, size - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if let failure { return .failed(failure) }
        // A file is taken at the size fstat gave (one still being written is read as it was then): asking for more
        // would cost every file one more read(2) that returns 0. Only a file whose size says 0 (a /proc file, or an
        // empty one) is read on to its end, within the limit.
        if size > 0 { return .bytes(out) }
        let more: String? = withUnsafeTemporaryAllocation(byteCount: 65536, alignment: 1) { chunk in
            while true {
                let n = Glibc.read(fd, chunk.baseAddress!, chunk.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                if n == 0 { return nil }
                if out.count + n > limit { return "" }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            }
        }
        if let more { return more.isEmpty ? .tooLarge(out.count + 1) : .failed(more) }
        return .bytes(out)
    }

    /// The diagnostic for a file that is not read because it is not a regular file.
    static func notRegularMessage(_ kind: String) -> String {
        "it is \(kind), not a regular file; not read (to lint a stream, pipe it to --stdin --stdin-filename NAME)"
    }

    /// What a file that is not regular is, for a message: "a FIFO (named pipe)".
    static func kind(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symlink"
        default: "a special file"
        }
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
