import Foundation
import Testing

/// Runs a program as a child process and reports how it ended and the most memory it used (`wait4`'s rusage), so
/// that tests can assert budgets as outcomes: the exit status, the diagnostics, the peak resident set.
///
/// A guard kills the child (SIGKILL) if it outlives `guardSeconds`; that is a safety net against a hang, which then
/// shows as `signal == SIGKILL` and fails the test through its exit-status expectation, not a timing assertion.
public enum MeasuredRun {
    public struct Result: Sendable {
        /// The exit status, or nil when a signal ended the child.
        public var status: Int32?
        public var signal: Int32?
        public var stdout: String
        public var stderr: String
        /// Peak resident set size in bytes.
        public var maxRSS: Int
        public var maxRSSMB: Int { maxRSS >> 20 }
        /// `exit N` or `signal N`, for messages.
        public var ending: String { status.map { "exit \($0)" } ?? "signal \(signal ?? 0)" }
    }

    /// Runs `executable` with `arguments` in `directory`, standard input from /dev/null.
    public static func run(_ executable: String, _ arguments: [String], in directory: String,
                           guardSeconds: Int = 600) -> Result {
        let out = directory + "/.measured-stdout-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let err = out + "-err"
        defer {
            unlink(out)
            unlink(err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // The shell changes directory and then becomes the program (`exec`): same process, so `wait4` reports the
        // program's own peak memory.
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard spawned == 0 else {
            return Result(status: nil, signal: nil, stdout: "", stderr: "cannot run \(executable): \(String(cString: strerror(spawned)))", maxRSS: 0)
        }
        var status: Int32 = 0
        var usage = rusage()
        let deadline = Date().addingTimeInterval(TimeInterval(guardSeconds))
        var killed = false
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if !killed && Date() > deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(20_000)
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        // WIFEXITED / WTERMSIG, spelled out (the C macros are not imported).
        let exited = status & 0x7F == 0
        return Result(status: exited ? (status >> 8) & 0xFF : nil, signal: exited ? nil : status & 0x7F,
                      stdout: read(out), stderr: read(err), maxRSS: Int(usage.ru_maxrss) * 1024)
    }

    /// The built `netpol-lint` run as above (a recorded issue when it was not built).
    public static func netpolLint(_ arguments: [String], in directory: String, guardSeconds: Int = 600) -> Result? {
        guard let exe = TestSupport.executable else {
            Issue.record("the netpol-lint executable was not built")
            return nil
        }
        return run(exe, arguments, in: directory, guardSeconds: guardSeconds)
    }

    /// A memory budget in bytes, or nil under a sanitizer (`NETPOL_LINT_SANITIZER`, set by scripts/sanitizers.sh):
    /// AddressSanitizer's quarantine and shadow memory keep about a gigabyte resident whatever the input, so peak
    /// memory is asserted by the normal build's run of the suite.
    public static func budget(megabytes: Int) -> Int? {
        ProcessInfo.processInfo.environment["NETPOL_LINT_SANITIZER"] == nil ? megabytes << 20 : nil
    }
}
