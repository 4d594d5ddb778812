#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A YAML file found by the walk.
public struct DiscoveredFile: Sendable, Hashable {
    /// The path as the user will see it (relative to the current directory when inside it).
    public var path: String
}

/// Where a file the walk has just found can be opened: by its name in the folder the walk holds open (`openat`), which
/// spares the kernel resolving the whole path again. Valid only while the walk's `found` runs; a file named explicitly
/// is opened by its path (`folder` is `AT_FDCWD`).
public struct OpenAt {
    public var folder: Int32
    public var name: String
}

/// Something the walk refused or could not read, reported by the engine under `rule`.
public struct DiscoveryIssue: Sendable, Hashable {
    public var path: String
    public var rule: String
    public var message: String
}

/// Walks files and folders: `*.yaml` / `*.yml`, skipping VCS, build and vendor folders and excluded globs.
/// Symlinks below a walked folder are never followed (a link that leaves the root is reported); loops are thus
/// impossible. A path given explicitly is read even if it is a symlink.
public struct Discovery {
    public static let skippedDirectories: Set<String> = [".git", ".hg", ".svn", "node_modules", "vendor", ".terraform"]

    public var excludes: [Glob]
    /// Paths are matched against excludes relative to this directory (the configuration's folder).
    public var excludeBase: String

    public init(excludes: [Glob] = [], excludeBase: String) {
        self.excludes = excludes
        self.excludeBase = excludeBase
    }

    public func walk(_ roots: [String]) -> (files: [DiscoveredFile], issues: [DiscoveryIssue]) {
        var files: [DiscoveredFile] = []
        let issues = walk(roots) { file, _ in files.append(file) }
        return (files, issues)
    }

    /// The walk, handing each file to `found` as soon as it is found (in the order `walk(_:)` returns them), with where
    /// to open it during the call, so that reading can start before the walk ends; returns what it refused.
    public func walk(_ roots: [String], found: (DiscoveredFile, OpenAt) -> Void) -> [DiscoveryIssue] {
        var issues: [DiscoveryIssue] = []
        // Overlapping roots (`check . apps`) must not read a file twice: with several roots, each file is handed over
        // once, at its first occurrence.
        var unique = Set<String>()
        let cwd = roots.count > 1 ? FilePath.currentDirectory() : ""
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? FilePath.normalize(p) : FilePath.normalize(FilePath.join(cwd, p)) }
        var seen = Set<String>()
        func hand(_ file: DiscoveredFile, _ at: OpenAt) {
            if roots.count > 1 && !unique.insert(absolute(file.path)).inserted { return }
            found(file, at)
        }
        for root in roots {
            var st = stat()
            guard stat(root, &st) == 0 else {
                issues.append(DiscoveryIssue(path: root, rule: "NP100", message: "cannot read '\(root)': \(Self.errnoText())"))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let rootReal = FilePath.realPath(root) ?? root
                walkDirectory(root, at: OpenAt(folder: AT_FDCWD, name: root), rootReal: rootReal, depth: 0, found: hand,
                              issues: &issues)
            } else if seen.insert(FilePath.normalize(root)).inserted {
                // An explicitly named file is linted whatever its extension.
                let path = FilePath.normalize(root)
                hand(DiscoveredFile(path: path), OpenAt(folder: AT_FDCWD, name: path))
            }
        }
        if roots.count > 1 {
            // Nor report a path twice: once per root that holds it, or once as a walked entry and once as a file
            // named explicitly (which is read, and reported then).
            var reported = Set<String>()
            issues = issues.filter { !unique.contains(absolute($0.path)) && reported.insert(absolute($0.path) + "\u{0}" + $0.message).inserted }
        }
        return issues
    }

    /// How many folders, one inside the other, the walk holds open at most; deeper ones are closed once listed and
    /// their files opened by path, so that a very deep tree cannot use up the process's descriptors.
    public static let openFolders = 64

    /// Walks folder `dir`, opened `at` (by name in its parent folder, when the walk holds that open).
    private func walkDirectory(_ dir: String, at: OpenAt, rootReal: String, depth: Int, found: (DiscoveredFile, OpenAt) -> Void,
                               issues: inout [DiscoveryIssue]) {
        var fd: Int32
        repeat { fd = openat(at.folder, at.name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0, let handle = fdopendir(fd) else {
            let problem = Self.errnoText()
            if fd >= 0 { close(fd) }
            issues.append(DiscoveryIssue(path: dir, rule: "NP100", message: "cannot open directory: \(problem)"))
            return
        }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            entries.append((name, entry.pointee.d_type))
        }
        // The folder stays open while its entries are handled (its files are opened by name in it): one descriptor per
        // level of the folders being walked, up to `openFolders`.
        let keepOpen = depth < Self.openFolders
        let folder = keepOpen ? dirfd(handle) : AT_FDCWD
        if !keepOpen { closedir(handle) }
        defer { if keepOpen { closedir(handle) } }
        entries.sort { $0.name < $1.name }
        for (name, dtype) in entries {
            let path = FilePath.join(dir, name)
            if isExcluded(path) { continue }
            // d_type spares an lstat per entry; file systems that do not fill it (DT_UNKNOWN) get one.
            var type: mode_t
            switch Int32(dtype) {
            case Int32(DT_REG): type = S_IFREG
            case Int32(DT_DIR): type = S_IFDIR
            case Int32(DT_LNK): type = S_IFLNK
            default:
                var st = stat()
                guard lstat(path, &st) == 0 else {
                    issues.append(DiscoveryIssue(path: path, rule: "NP100", message: "cannot read: \(Self.errnoText())"))
                    continue
                }
                type = st.st_mode & S_IFMT
            }
            if type == S_IFLNK {
                guard Self.isYAMLName(name) || isDirectoryTarget(path) else { continue }
                if let target = FilePath.realPath(path) {
                    if !FilePath.isInside(target, rootReal) {
                        issues.append(DiscoveryIssue(path: path, rule: "NP106",
                                                     message: "symlink points outside the linted tree ('\(target)'); not followed"))
                    }
                    // A link inside the tree is linted at its real path; following it would lint it twice.
                } else {
                    issues.append(DiscoveryIssue(path: path, rule: "NP100", message: "dangling symlink: \(Self.errnoText())"))
                }
                continue
            }
            if type == S_IFDIR {
                if Self.skippedDirectories.contains(name) || name.hasPrefix(".build") { continue }
                walkDirectory(path, at: OpenAt(folder: folder, name: keepOpen ? name : path), rootReal: rootReal,
                              depth: depth + 1, found: found, issues: &issues)
            } else if type == S_IFREG, Self.isYAMLName(name) {
                found(DiscoveredFile(path: path), OpenAt(folder: folder, name: keepOpen ? name : path))
            } else if Self.isYAMLName(name) {
                // A FIFO, socket or device named like a manifest: reading it could block forever, skipping it
                // silently would hide it.
                issues.append(DiscoveryIssue(path: path, rule: "NP106", message: FileReader.notRegularMessage(FileReader.kind(type))))
            }
        }
    }

    private func isDirectoryTarget(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isYAMLName(_ name: String) -> Bool { name.hasByteSuffix(".yaml") || name.hasByteSuffix(".yml") }

    func isExcluded(_ path: String) -> Bool {
        guard !excludes.isEmpty else { return false }
        let rel = FilePath.relative(FilePath.absolute(path), to: excludeBase)
        return excludes.contains { $0.matches(rel) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Path helpers over plain strings (no Foundation).
public enum FilePath {
    public static func join(_ a: String, _ b: String) -> String {
        if a == "." { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    public static func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    public static func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? normalize(p) : normalize(join(currentDirectory(), p))
    }

    /// Removes `.` segments, resolves `..` lexically and drops trailing slashes.
    public static func normalize(_ p: String) -> String {
        isNormal(p) ? p : resolvingSegments(p)
    }

    /// `normalize` the long way: drop empty and `.` segments, fold `..` into its parent (a leading `..` of a relative
    /// path stays; one of an absolute path is dropped). Works on the UTF-8 bytes, building the result once.
    static func resolvingSegments(_ p: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let bytes = Array(p.utf8)
        let absolute = bytes.first == slash
        func isDotDot(_ r: Range<Int>) -> Bool { r.count == 2 && bytes[r.lowerBound] == dot && bytes[r.lowerBound + 1] == dot }
        var parts: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count && bytes[i] == slash { i += 1 }
            let start = i
            while i < bytes.count && bytes[i] != slash { i += 1 }
            guard start < i else { break }
            let segment = start..<i
            if segment.count == 1 && bytes[start] == dot { continue }
            if isDotDot(segment) {
                if let last = parts.last, !isDotDot(last) { parts.removeLast(); continue }
                if absolute { continue }
            }
            parts.append(segment)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        if absolute { out.append(slash) }
        for (k, r) in parts.enumerated() {
            if k > 0 { out.append(slash) }
            out.append(contentsOf: bytes[r])
        }
        return out.isEmpty ? "." : String(decoding: out, as: UTF8.self)
    }

    /// Whether `normalize` would return `p` unchanged: no empty, `.` or `..` segment and no trailing `/` (one scan of
    /// the bytes; most paths the walk and kustomizations give are already normal).
    static func isNormal(_ p: String) -> Bool {
        // Over the contiguous bytes when the string has them (native strings do): iterating the UTF-8 view costs
        // tens of instructions a byte.
        if let answer = p.utf8.withContiguousStorageIfAvailable({ isNormal(bytes: $0, p) }) { return answer }
        return isNormal(bytes: p.utf8, p)
    }

    private static func isNormal<Bytes: Collection<UInt8>>(bytes: Bytes, _ p: String) -> Bool {
        var segmentLength = 0, dots = 0, index = 0
        for b in bytes {
            if b == UInt8(ascii: "/") {
                // An empty segment is only allowed as the root of an absolute path.
                if segmentLength == 0 && index != 0 { return false }
                if segmentLength > 0 && dots == segmentLength && dots <= 2 { return false }
                segmentLength = 0; dots = 0
            } else {
                segmentLength += 1
                if b == UInt8(ascii: ".") { dots += 1 }
            }
            index += 1
        }
        if index == 0 { return false }                  // "" becomes "."
        if segmentLength == 0 { return index == 1 }       // "/" is normal, "a/" is not
        if dots == segmentLength && dots <= 2 { return p == "." }
        return true
    }

    public static func isInside(_ path: String, _ dir: String) -> Bool {
        path == dir || path.hasPrefix(dir == "/" ? "/" : dir + "/")
    }

    /// How many folders two paths have in common from the start (`a/b/x.yaml` and `a/c/y.yaml`: one), segment by
    /// segment on their bytes (the inventory asks it for every pair of a HelmRelease and a candidate OCIRepository).
    static func sharedFolders(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let slash = UInt8(ascii: "/")
                // The folders end before the last segment (the file name, after any trailing slashes).
                func folderEnd(_ p: UnsafeBufferPointer<UInt8>) -> Int {
                    var e = p.count - 1
                    while e >= 0 && p[e] == slash { e -= 1 }
                    while e >= 0 && p[e] != slash { e -= 1 }
                    return max(e, 0)
                }
                let xe = folderEnd(x), ye = folderEnd(y)
                var i = 0, j = 0, count = 0
                while true {
                    while i < xe && x[i] == slash { i += 1 }
                    while j < ye && y[j] == slash { j += 1 }
                    if i >= xe || j >= ye { return count }
                    let si = i, sj = j
                    while i < xe && x[i] != slash { i += 1 }
                    while j < ye && y[j] != slash { j += 1 }
                    guard i - si == j - sj, memcmp(x.baseAddress! + si, y.baseAddress! + sj, i - si) == 0 else { return count }
                    count += 1
                }
            }
        }
    }

    /// `path` relative to `base` (both absolute); `../` segments when it is outside. Compares the normalised paths'
    /// UTF-8 bytes segment by segment.
    public static func relative(_ path: String, to base: String) -> String {
        let p = Array(normalize(path).utf8), b = Array(normalize(base).utf8)
        let slash = UInt8(ascii: "/")
        // The longest common run of whole segments.
        var i = 0, afterSlash = 0
        while i < p.count, i < b.count, p[i] == b[i] {
            if p[i] == slash { afterSlash = i + 1 }
            i += 1
        }
        let common: Int
        if i == b.count && (i == p.count || p[i] == slash) {
            common = i
        } else if i == p.count && b[i] == slash {
            common = i
        } else {
            common = afterSlash
        }
        let ups = b[common...].split(separator: slash).count
        var out: [UInt8] = []
        out.reserveCapacity(3 * ups + p.count - common)
        for k in 0..<ups {
            if k > 0 { out.append(slash) }
            out.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: ".")])
        }
        var rest = p[common...]
        while rest.first == slash { rest = rest.dropFirst() }
        if !rest.isEmpty {
            if ups > 0 { out.append(slash) }
            out.append(contentsOf: rest)
        }
        return out.isEmpty ? "." : String(decoding: out, as: UTF8.self)
    }

    /// The folder part of a path ("." when it has none). Searches the UTF-8 bytes: `/` is never part of another
    /// character, and a byte search costs a fraction of walking `Character`s.
    public static func dirname(_ p: String) -> String {
        guard let i = lastSlash(p) else { return "." }
        return i == p.utf8.startIndex ? "/" : String(p[..<i])
    }

    /// Whether `dirname(p) == folder`, without making the folder a string.
    static func isInFolder(_ p: String, _ folder: String) -> Bool {
        guard let slash = lastSlash(p) else { return folder == "." }
        if slash == p.utf8.startIndex { return folder == "/" }
        let answer = p.utf8.withContiguousStorageIfAvailable { bytes in
            folder.utf8.withContiguousStorageIfAvailable { f in
                let n = p.utf8.distance(from: p.utf8.startIndex, to: slash)
                return n == f.count && (n == 0 || memcmp(bytes.baseAddress!, f.baseAddress!, n) == 0)
            }
        }
        return (answer ?? nil) ?? (dirname(p) == folder)
    }

    public static func basename(_ p: String) -> String {
        guard let i = lastSlash(p) else { return p }
        return String(p[p.utf8.index(after: i)...])
    }

    /// The last `/` of a path (on its bytes when they are in one piece: paths are split thousands of times a run).
    static func lastSlash(_ p: String) -> String.Index? {
        let found = p.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            var i = bytes.count - 1
            while i >= 0 && bytes[i] != UInt8(ascii: "/") { i -= 1 }
            return i
        }
        if let offset = found { return offset < 0 ? nil : p.utf8.index(p.utf8.startIndex, offsetBy: offset) }
        return p.utf8.lastIndex(of: UInt8(ascii: "/"))
    }

    public static func isDirectory(_ p: String) -> Bool {
        var st = stat()
        return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ p: String) -> Bool {
        var st = stat()
        return stat(p, &st) == 0
    }

    /// The nearest ancestor of `start` (inclusive) that contains `name`.
    public static func findUpward(_ name: String, from start: String) -> String? {
        var dir = absolute(start)
        var st = stat()
        if stat(dir, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR { dir = dirname(dir) }
        while true {
            if exists(join(dir, name)) { return dir }
            if dir == "/" || dir.isEmpty { return nil }
            dir = dirname(dir)
        }
    }
}

/// A path glob: `*` (within a segment), `**` (any number of segments), `?`, and `[...]` is not supported.
/// A pattern without `/` matches a file or folder name at any depth, as in `.gitignore`.
public struct Glob: Sendable, Hashable {
    public var pattern: String
    let segments: [Substring]
    /// The segments' bytes, for matching without converting them again for every path.
    let segmentBytes: [[UInt8]]
    let anchored: Bool

    public init(_ pattern: String) {
        self.pattern = pattern
        var p = Substring(pattern)
        if p.hasPrefix("./") { p = p.dropFirst(2) }
        anchored = p.contains("/")
        if p.hasPrefix("/") { p = p.dropFirst() }
        if p.hasSuffix("/") { p = p.dropLast() }
        // `**/**` means what `**` means.
        var segments: [Substring] = []
        for s in p.split(separator: "/") where !(s == "**" && segments.last == "**") { segments.append(s) }
        self.segments = segments
        segmentBytes = segments.map { Array($0.utf8) }
    }

    public func matches(_ relativePath: String) -> Bool {
        let parts = relativePath.split(separator: "/")
        if !anchored {
            let pat: [UInt8] = segmentBytes.first ?? []
            return parts.contains { Self.segmentMatches(Array($0.utf8), pat) }
        }
        // A folder pattern also matches everything below it.
        return Self.match(segmentBytes, parts, prefixOK: true)
    }

    /// Whether the pattern matches the path, or (`prefixOK`) the path's first segments. The pattern is run as an
    /// automaton over the path's segments — the set of pattern positions reachable so far —, so a pattern with many
    /// `**` costs pattern length × path depth, never an exponential search.
    static func match(_ pattern: [[UInt8]], _ path: [Substring], prefixOK: Bool) -> Bool {
        let m = pattern.count
        let globstar: [UInt8] = [0x2A, 0x2A]
        var current = [Bool](repeating: false, count: m + 1)
        var next = current
        current[0] = true
        // `**` may stand for no segment: a position on it also reaches the next one.
        func close(_ states: inout [Bool]) {
            for i in 0..<m where states[i] && pattern[i] == globstar { states[i + 1] = true }
        }
        close(&current)
        for segment in path {
            if prefixOK && current[m] { return true }
            for i in 0...m { next[i] = false }
            let bytes = Array(segment.utf8)
            var any = false
            for i in 0..<m where current[i] {
                if pattern[i] == globstar {
                    next[i] = true
                    any = true
                } else if segmentMatches(bytes, pattern[i]) {
                    next[i + 1] = true
                    any = true
                }
            }
            guard any else { return false }
            close(&next)
            swap(&current, &next)
        }
        return current[m]
    }

    static func segmentMatches(_ s: [UInt8], _ p: [UInt8]) -> Bool {
        var si = 0, pi = 0, starP = -1, starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == s[si] {
                si += 1; pi += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                starP = pi; starS = si; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starS += 1; si = starS
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
