#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to standard streams and files without Foundation.
public enum FileOutput {
    public static func standardOutput(_ s: String) { writeAll(1, s) }

    public static func standardError(_ s: String) { writeAll(2, s) }

    /// Whether standard output is a terminal (colour is for people, never for pipes and files).
    public static var standardOutputIsTerminal: Bool { isatty(1) == 1 }

    /// The process environment's value for `key`.
    public static func environment(_ key: String) -> String? { getenv(key).map { String(cString: $0) } }

    static func writeAll(_ fd: Int32, _ s: String) {
        var text = s
        text.withUTF8 { buf in
            var done = 0
            while done < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return }
                done += n
            }
        }
    }

    /// Writes a file, creating its parent folders.
    @discardableResult
    public static func write(_ s: String, to path: String) -> Bool {
        makeDirectories(FilePath.dirname(path))
        guard let f = fopen(path, "w") else { return false }
        defer { fclose(f) }
        return fputs(s, f) >= 0
    }

    public static func makeDirectories(_ path: String) {
        if path == "." || path == "/" || path.isEmpty || FilePath.exists(path) { return }
        makeDirectories(FilePath.dirname(path))
        mkdir(path, 0o755)
    }
}
