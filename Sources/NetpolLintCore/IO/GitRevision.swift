#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one revision of a git repository without touching its work tree or index, and without running anything the
/// repository controls: only `git rev-parse`, `git ls-tree` and `git cat-file --batch` are run (none of them reads
/// the index, so `core.fsmonitor` never runs; none of them applies filters or textconv, so no driver runs; no hook is
/// triggered by reading), with `core.fsmonitor`, `core.hooksPath` and the system configuration overridden anyway.
/// The revision's YAML files (and `.netpol-lint.yaml`) are written into a fresh folder that the linter then reads.
public enum GitRevision {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// At most this much blob content is written per revision.
    public static let maxBytes = 1 << 30

    /// `git` with the overrides that keep the repository's configuration from running programs.
    public static func git(_ root: String, _ args: [String], stdinFile: String? = nil) -> (status: Int32, out: [UInt8], err: String) {
        // protocol.allow=never: a partial clone would fetch a missing blob from its promisor remote, running the
        // transport commands its configuration names (uploadpack, sshCommand, a proxy); nothing is fetched.
        // git's own ownership check (safe.directory) stays on: another user's repository is refused.
        let base = ["git", "--no-pager", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
                    "-c", "core.untrackedCache=false", "-c", "protocol.allow=never", "-C", root]
        return run(base + args, stdinFile: stdinFile)
    }

    /// Runs a program found on PATH and collects its output (no shell).
    static func run(_ argv: [String], stdinFile: String?) -> (status: Int32, out: [UInt8], err: String) {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { return (-1, [], "cannot create a pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinFile {
            posix_spawn_file_actions_addopen(&actions, 0, stdinFile, O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[0])
        // The system configuration is not read; the terminal is never asked; no optional lock is taken.
        var env = ["GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "GIT_NO_LAZY_FETCH=1",
                   "GIT_PROTOCOL_FROM_USER=0", "LC_ALL=C"]
        for key in ["PATH", "HOME"] { if let v = getenv(key) { env.append("\(key)=\(String(cString: v))") } }
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            return (-1, [], "cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        // Read both pipes without blocking one on the other (stderr is small; poll both).
        var out: [UInt8] = [], err: [UInt8] = []
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while open > 0 {
            if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue }; break }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if i == 0 { out.append(contentsOf: buffer[0..<n]) } else if err.count < 1 << 16 { err.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (code, out, String(decoding: err, as: UTF8.self))
    }

    /// The commit a revision names, or a failure that says which revision is unknown.
    public static func resolve(_ ref: String, in root: String) -> Result<String, Failure> {
        guard !ref.hasPrefix("-") else { return .failure(Failure(message: "'\(ref)' is not a revision")) }
        let r = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
        guard r.status == 0 else {
            if r.status == -1 { return .failure(Failure(message: r.err)) }
            return .failure(Failure(message: "unknown revision '\(ref)' in \(root) (git rev-parse finds no commit of that name)"))
        }
        return .success(String(decoding: r.out, as: UTF8.self).filter { !$0.isWhitespace })
    }

    /// Writes the YAML files of `commit` under `pathspecs` (repository-relative; empty: everything) into `folder`.
    /// Symlinks and submodules are skipped (never followed). Returns how many files were written.
    public static func materialize(commit: String, root: String, pathspecs: [String], into folder: String) -> Result<Int, Failure> {
        let listing = git(root, ["ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--"] + pathspecs)
        guard listing.status == 0 else { return .failure(Failure(message: "git ls-tree \(commit) failed: \(listing.err)")) }
        var blobs: [(sha: String, path: String)] = []
        var listedBytes = 0
        for entry in listing.out.split(separator: 0) {
            // "<mode> <type> <sha> <size>\t<path>"
            guard let tab = entry.firstIndex(of: 9) else { continue }
            let meta = String(decoding: entry[entry.startIndex..<tab], as: UTF8.self).split(separator: " ")
            let path = String(decoding: entry[(tab + 1)...], as: UTF8.self)
            guard meta.count == 4, meta[1] == "blob", meta[0] == "100644" || meta[0] == "100755" else { continue }
            let lower = path.lowercased()
            guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || FilePath.basename(path) == Configuration.fileName else { continue }
            // A path git accepts but that would leave the folder is never written.
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { continue }
            // Sizes are known before anything is read: the whole revision must fit the budget.
            listedBytes += Int(meta[3]) ?? 0
            guard listedBytes <= maxBytes else { return .failure(Failure(message: "the revision's YAML files exceed \(maxBytes >> 20) MB")) }
            blobs.append((String(meta[2]), path))
        }
        guard !blobs.isEmpty else { return .success(0) }
        let list = folder + "/.netpol-lint-objects"
        guard FileOutput.write(blobs.map(\.sha).joined(separator: "\n") + "\n", to: list) else {
            return .failure(Failure(message: "cannot write into \(folder)"))
        }
        defer { unlink(list) }
        let cat = git(root, ["cat-file", "--batch"], stdinFile: list)
        guard cat.status == 0 else { return .failure(Failure(message: "git cat-file failed: \(cat.err)")) }
        // "<sha> blob <size>\n<content>\n", in request order.
        var offset = 0, written = 0, total = 0
        let out = cat.out
        for b in blobs {
            guard let nl = out[offset...].firstIndex(of: 10) else { break }
            let header = String(decoding: out[offset..<nl], as: UTF8.self).split(separator: " ")
            guard header.count == 3, let size = Int(header[2]), nl + 1 + size <= out.count else {
                return .failure(Failure(message: "git cat-file could not read \(b.path) at \(commit.prefix(7)) (\(header.joined(separator: " ")))"))
            }
            let content = out[(nl + 1)..<(nl + 1 + size)]
            offset = nl + 1 + size + 1
            total += size
            guard total <= maxBytes else { return .failure(Failure(message: "the revision's YAML files exceed \(maxBytes >> 20) MB")) }
            let target = FilePath.join(folder, b.path)
            FileOutput.makeDirectories(FilePath.dirname(target))
            // The bytes as committed (invalid UTF-8 and all: the linter reports what the file really holds).
            let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { return .failure(Failure(message: "cannot write \(target)")) }
            let ok = content.withUnsafeBytes { buf -> Bool in
                var done = 0
                while done < buf.count {
                    let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    done += n
                }
                return true
            }
            close(fd)
            guard ok else { return .failure(Failure(message: "cannot write \(target)")) }
            written += 1
        }
        return .success(written)
    }

    /// A fresh folder under the temporary directory, for one revision's files.
    public static func temporaryFolder() -> String? {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/netpol-lint-diff-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let p = mkdtemp(buf.baseAddress!) else { return nil }
            return String(cString: p)
        }
    }

    /// Removes a folder this run created; symlinks are removed, never followed.
    public static func removeTree(_ path: String) {
        guard let dir = opendir(path) else { unlink(path); return }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var st = stat()
            if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        closedir(dir)
        rmdir(path)
    }
}
