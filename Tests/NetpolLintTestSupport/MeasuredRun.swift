import Foundation
import Testing

/// Runs a program as a child process and reports how it ended and the most memory it used, so that tests can assert
/// budgets as outcomes: the exit status, the diagnostics, the peak resident set.
///
/// The peak comes from GNU time (`/usr/bin/time -f %M`, its `wait4` rusage of the program): the program must be
/// forked by a small process, because a child of the (large) test process starts with the test process's pages
/// counted in its high-water mark. Without `/usr/bin/time` the peak is unknown (nil) and memory budgets are skipped
/// with a message, or fail when `NETPOL_LINT_REQUIRE_TOOLS` is set (scripts/install-test-tools.sh installs it).
///
/// A guard kills the child's process group (SIGKILL) if it outlives `guardSeconds`; that is a safety net against a
/// hang, which then shows as a non-verdict exit status and fails the test, not a timing assertion.
public enum MeasuredRun {
    public struct Result: Sendable {
        /// The exit status (128 + N when signal N ended the program), or nil when the run itself failed.
        public var status: Int32?
        public var stdout: String
        public var stderr: String
        /// Peak resident set size of the program in bytes, nil when it could not be measured.
        public var maxRSS: Int?
        public var maxRSSMB: Int { (maxRSS ?? 0) >> 20 }
        /// `exit N`, for messages.
        public var ending: String { status.map { "exit \($0)" } ?? "not run" }
    }

    static let time = "/usr/bin/time"

    /// Runs `executable` with `arguments` in `directory`, standard input from /dev/null.
    public static func run(_ executable: String, _ arguments: [String], in directory: String,
                           guardSeconds: Int = 600) -> Result {
        let out = directory + "/.measured-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let err = out + "-err", rss = out + "-rss"
        defer {
            unlink(out)
            unlink(err)
            unlink(rss)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own, so that the guard kills the program too, not only its parent.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The shell changes directory and becomes GNU time (`exec`), which forks the program and reports its peak.
        let measured = FileManager.default.isExecutableFile(atPath: time)
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory]
            + (measured ? [time, "-f", "%M", "-o", rss] : []) + [executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            return Result(status: nil, stdout: "", stderr: "cannot run \(executable): \(String(cString: strerror(spawned)))", maxRSS: nil)
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(TimeInterval(guardSeconds))
        var killed = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if !killed && Date() > deadline {
                kill(-pid, SIGKILL)
                killed = true
            }
            usleep(20_000)
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (the C macros are not imported).
        let code: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        // GNU time writes "Command exited with non-zero status N" or "Command terminated by signal N" before the
        // figure: the figure is the last line.
        let peak = read(rss).split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return Result(status: code, stdout: read(out), stderr: read(err), maxRSS: peak.map { $0 * 1024 })
    }

    /// The built `netpol-lint` run as above (a recorded issue when it was not built).
    public static func netpolLint(_ arguments: [String], in directory: String, guardSeconds: Int = 600) -> Result? {
        guard let exe = TestSupport.executable else {
            Issue.record("the netpol-lint executable was not built")
            return nil
        }
        return run(exe, arguments, in: directory, guardSeconds: guardSeconds)
    }

    /// Whether `result`'s peak memory is within `megabytes`: true when it is, false (with a recorded issue) when it
    /// is not. Not checked under a sanitizer (`NETPOL_LINT_SANITIZER`, set by scripts/sanitizers.sh), whose shadow
    /// memory and quarantine keep about a gigabyte resident whatever the input, nor without GNU time (skipped with a
    /// message, or a failure when `NETPOL_LINT_REQUIRE_TOOLS` is set).
    public static func expectPeak(_ result: Result, atMost megabytes: Int, _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        if ProcessInfo.processInfo.environment["NETPOL_LINT_SANITIZER"] != nil { return }
        guard let peak = result.maxRSS else {
            _ = ExternalTools.require(nil, for: "the peak memory of \(what)", needs: "GNU time (\(time))")
            return
        }
        #expect(peak <= megabytes << 20, "\(what): peak RSS \(peak >> 20) MB, budget \(megabytes) MB", sourceLocation: sourceLocation)
    }
}
