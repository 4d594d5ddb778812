import Foundation
import Testing

/// Programs some tests hand their output to (a real CommonMark parser, a real browser), found on `PATH`.
///
/// A missing tool skips the test visibly (`SKIPPED: … needs … (install: …)`); when `NETPOL_LINT_REQUIRE_TOOLS` is
/// set (CI, after `scripts/install-test-tools.sh`), it is a failure instead. Runs are bounded by a timeout that kills
/// the program: a guard against a hung browser, not a timing assertion.
public enum ExternalTools {
    /// The command that installs every tool these tests use.
    public static let installCommand = "bash scripts/install-test-tools.sh"

    /// The first of `names` that is an executable on `PATH`.
    public static func find(_ names: String...) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in names {
            for dir in path.split(separator: ":") where !dir.isEmpty {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// `python3` when it can import `module`, else nil.
    public static func python(module: String) -> String? {
        guard let python = find("python3") else { return nil }
        let r = run(python, ["-c", "import \(module)"], timeout: 60)
        return r.status == 0 && !r.timedOut ? python : nil
    }

    /// Returns `tool` when present. Otherwise prints `SKIPPED: <what> needs <needs> (install: <install>)` and returns
    /// nil, or records a failure when `NETPOL_LINT_REQUIRE_TOOLS` is set.
    public static func require(_ tool: String?, for what: String, needs: String,
                               install: String = installCommand) -> String? {
        if let tool { return tool }
        let message = "\(what) needs \(needs) (install: \(install))"
        if ProcessInfo.processInfo.environment["NETPOL_LINT_REQUIRE_TOOLS"] != nil {
            Issue.record("\(message), and NETPOL_LINT_REQUIRE_TOOLS is set")
        } else {
            print("SKIPPED: \(message)")
        }
        return nil
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The program outlived the timeout and was killed.
        public var timedOut: Bool
    }

    /// Collects a pipe's bytes on a thread of its own.
    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, feeding `stdin`; kills it (SIGTERM, then SIGKILL) after `timeout` seconds.
    /// `environment` is added to this process's environment, or is the whole environment when `inheritEnvironment`
    /// is false; `directory` is the working directory (default: this process's).
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           environment: [String: String] = [:], timeout: TimeInterval = 60,
                           directory: String? = nil, inheritEnvironment: Bool = true) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        let finished = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in finished.signal() }
        do { try p.run() } catch {
            return Result(status: -1, stdout: "", stderr: "cannot run \(executable): \(error)", timedOut: false)
        }
        let readers = DispatchGroup()
        let collected = [Collector(), Collector()]
        for (handle, collector) in zip([out.fileHandleForReading, err.fileHandleForReading], collected) {
            readers.enter()
            Thread.detachNewThread {
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    collector.append(chunk)
                }
                readers.leave()
            }
        }
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            p.terminate()
            if finished.wait(timeout: .now() + 5) == .timedOut {
                kill(p.processIdentifier, SIGKILL)
                _ = finished.wait(timeout: .now() + 5)
            }
        }
        // Children of the program (a browser's helpers) may keep the pipes open: do not wait for them for long.
        _ = readers.wait(timeout: .now() + 10)
        return Result(status: p.isRunning ? -1 : p.terminationStatus, stdout: collected[0].text, stderr: collected[1].text,
                      timedOut: timedOut)
    }
}
