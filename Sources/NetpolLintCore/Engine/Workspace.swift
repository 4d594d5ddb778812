/// A repository kept in memory between lints: what the language server (`netpol-lint lsp`) lints as documents are
/// edited. It runs the same pipeline as `Linter.load` — `discover`, then `FileProcessor` per file, then `assemble` —
/// but keeps each file's outcome, so that an edit re-reads, re-parses and re-decodes only the file that changed
/// before the context is assembled again and the rules run.
///
/// The documents open in the editor are the targets (their text, not the file on disk, is linted, and only their
/// findings are reported); every other file is context, read as `check --stdin` reads it (only the files that can
/// matter to others are parsed, see `ContextFilter`).
///
/// Each file keeps the index it was first decoded with, because that index is in every span of its objects; a file
/// deleted since keeps its index with nothing in it. Objects are still assembled in the walk's order, so that "which
/// definition came first" reads as it does for `check`.
public final class Workspace {
    /// The folder read as context (absolute, normalised).
    public let root: String
    /// The folder repository-relative paths (`SourceFile.uri`, folder conventions) are relative to.
    public let repositoryRoot: String
    public let configuration: Configuration
    let linter: Linter
    let enabled: [(rule: any Rule.Type, severity: Severity)]
    let request: LintRequest
    let capture: Set<ObjectKind>
    let discovery: Discovery

    /// Every file read so far, by index; `outcomes[i]` was decoded as file `i`.
    private var paths: [String] = []
    private var outcomes: [FileOutcome] = []
    private var indexOf: [String: Int] = [:]
    /// The indices that hold a file that exists.
    private var present = Set<Int>()
    /// `present` in the walk's order (`nil`: to be sorted again, see `liveOrder`).
    private var order: [Int]? = []
    private var discoveryIssues: [DiscoveryIssue] = []
    /// The open documents' text by absolute path: the targets.
    private var documents: [String: [UInt8]] = [:]
    private var parser: YAMLParser
    /// Each file's display path and URI (`PathMapper`), by index: paths do not change between lints.
    private var mapped: [Int: (display: String, uri: String)] = [:]
    /// The namespaces kustomize and Flux apply, kept while no kustomization changes.
    private let memo = AppliedNamespacesMemo()

    /// Reads the repository under `root` (see `reload`). Throws when the configuration names rules that do not exist.
    public init(root: String, repositoryRoot: String, configuration: Configuration, linter: Linter, jobs: Int = 2,
                workingDirectory: String = FilePath.currentDirectory()) throws {
        self.root = FilePath.normalize(FilePath.absolute(root))
        self.repositoryRoot = FilePath.normalize(FilePath.absolute(repositoryRoot))
        self.configuration = configuration
        self.linter = linter
        var request = LintRequest(paths: [self.root], configuration: configuration, repositoryRoot: self.repositoryRoot,
                                  workingDirectory: workingDirectory)
        request.jobs = max(1, jobs)
        request.maxFileSize = configuration.maxFileSize
        self.request = request
        self.enabled = try linter.enabledRules(request)
        self.capture = Set(configuration.customRules.map(\.kind))
        self.discovery = Discovery(excludes: configuration.exclude,
                                   excludeBase: configuration.file.map { FilePath.dirname(FilePath.absolute($0)) } ?? workingDirectory)
        self.parser = YAMLParser(limits: request.limits)
        reload()
    }

    /// Walks the folder again and reads every file (in parallel); the open documents keep their text.
    public func reload() {
        let (files, issues, _) = linter.discover(request)
        paths = files.map { FilePath.normalize($0.path) }
        mapped = [:]
        indexOf = Dictionary(paths.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        discoveryIssues = issues
        outcomes = FileProcessor.processAll(paths, stdin: nil, stdinIndex: nil, jobs: request.jobs,
                                            maxFileSize: request.maxFileSize, limits: request.limits, capture: capture,
                                            filterContext: true)
        present = Set(paths.indices)
        order = Array(paths.indices)
        for path in documents.keys where path != configuration.file.map(FilePath.absolute) { read(path) }
    }

    // MARK: What is in it

    /// Whether the walk reads `path` (absolute), or would once it is written: a `*.yaml` / `*.yml` file under the
    /// root, outside the folders the walk skips and the configuration's `exclude:` globs, and not the configuration.
    public func includes(_ path: String) -> Bool {
        let path = FilePath.normalize(path)
        guard path != root, FilePath.isInside(path, root), Discovery.isYAMLName(FilePath.basename(path)) else { return false }
        if isConfiguration(path) { return false }
        var current = root
        let segments = FilePath.relative(path, to: root).split(separator: "/")
        for (i, segment) in segments.enumerated() {
            current = FilePath.join(current, String(segment))
            if i < segments.count - 1, Discovery.skippedDirectories.contains(String(segment)) || segment.hasPrefix(".build") {
                return false
            }
            if discovery.isExcluded(current) { return false }
        }
        return true
    }

    /// Whether `path` is this workspace's configuration file.
    public func isConfiguration(_ path: String) -> Bool {
        configuration.file.map { FilePath.absolute($0) == FilePath.normalize(path) } ?? false
    }

    /// How many files the walk found that exist now.
    public var fileCount: Int { liveOrder.count }

    // MARK: Edits

    /// Sets an open document's text (didOpen, didChange): it becomes a target and only it is read again.
    /// A document the walk does not read (see `includes`) is ignored, except the configuration file, whose
    /// findings (about the repository as a whole) are then reported.
    public func setDocument(_ path: String, text: [UInt8]) {
        let path = FilePath.normalize(path)
        if isConfiguration(path) {
            documents[path] = text
            return
        }
        guard includes(path) else { return }
        documents[path] = text
        read(path)
    }

    /// A document was closed: its file on disk is context again (or gone, when it was never written).
    public func closeDocument(_ path: String) {
        let path = FilePath.normalize(path)
        guard documents.removeValue(forKey: path) != nil, !isConfiguration(path) else { return }
        if FilePath.exists(path) { read(path) } else { remove(path) }
    }

    /// Files changed on disk outside the editor (`workspace/didChangeWatchedFiles`). An open document keeps the
    /// editor's text. A created folder is walked; a deleted one takes the files under it along.
    public func filesChanged(_ changes: [(path: String, deleted: Bool)]) {
        for (path, deleted) in changes {
            let path = FilePath.normalize(path)
            guard FilePath.isInside(path, root), documents[path] == nil else { continue }
            if deleted || !FilePath.exists(path) {
                remove(path)
                let prefix = path + "/"
                for known in indexOf.keys where known.hasPrefix(prefix) && documents[known] == nil { remove(known) }
            } else if FilePath.isDirectory(path) {
                if includesFolder(path) {
                    for found in discovery.walk([path]).files.map({ FilePath.normalize($0.path) })
                        where includes(found) && documents[found] == nil {
                        read(found)
                    }
                }
            } else if includes(path) {
                read(path)
            }
        }
    }

    /// Whether the walk enters folder `path`.
    private func includesFolder(_ path: String) -> Bool {
        includes(FilePath.join(path, "x.yaml"))
    }

    /// (Re)reads one file into its index — a new file gets the next index — from the open document or the disk.
    private func read(_ path: String) {
        let i: Int
        if let known = indexOf[path] {
            i = known
        } else {
            i = paths.count
            paths.append(path)
            outcomes.append(FileOutcome())
            indexOf[path] = i
        }
        if let text = documents[path] {
            outcomes[i] = text.count > request.maxFileSize
                ? FileProcessor.tooLarge(text.count, limit: request.maxFileSize, file: Int32(i))
                : FileProcessor.process(text, file: Int32(i), parser: &parser, capture: capture)
        } else {
            outcomes[i] = FileProcessor.processFile(path, file: Int32(i), maxFileSize: request.maxFileSize,
                                                    filterContext: true, parser: &parser, capture: capture)
        }
        if present.insert(i).inserted { order = nil }
    }

    /// Forgets a file (its index stays, empty).
    private func remove(_ path: String) {
        guard let i = indexOf[path], present.contains(i) else { return }
        outcomes[i] = FileOutcome()
        present.remove(i)
        order = nil
    }

    /// The existing files in the walk's order: in each folder, entries sorted by name, folders entered in place.
    private var liveOrder: [Int] {
        if let order { return order }
        let sorted = present.sorted { a, b in
            let x = paths[a].split(separator: "/"), y = paths[b].split(separator: "/")
            for (p, q) in zip(x, y) where p != q { return String(p) < String(q) }
            return x.count < y.count
        }
        order = sorted
        return sorted
    }

    // MARK: Linting

    /// Assembles the context from the files' outcomes and runs the enabled rules; findings are reported for the
    /// open documents only.
    public func lint() -> WorkspaceLint {
        var statistics = LintStatistics()
        var targets = Set<Int>()
        for path in documents.keys { if let i = indexOf[path] { targets.insert(i) } }
        let configurationOpen = configuration.file.map { documents[FilePath.absolute($0)] != nil } ?? false
        let mapper = PathMapper(workingDirectory: request.workingDirectory, repositoryRoot: request.repositoryRoot)
        for i in paths.indices where mapped[i] == nil { mapped[i] = mapper.map(paths[i]) }
        let known = mapped
        let context = linter.assemble(paths: paths, outcomes: outcomes, order: liveOrder, discoveryIssues: discoveryIssues,
                                      request: request, statistics: &statistics, isTarget: { targets.contains($0) },
                                      discoveryIssueIsTarget: { _ in false }, configurationIsTarget: configurationOpen,
                                      mapPath: { i, _ in known[i]! }, memo: memo)
        let findings = linter.check(context, enabled: enabled, jobs: request.jobs)
        var absolute = paths
        for file in context.files.dropFirst(paths.count) {
            absolute.append(file.path.hasPrefix("/") ? FilePath.normalize(file.path)
                            : FilePath.normalize(FilePath.join(request.workingDirectory, file.path)))
        }
        return WorkspaceLint(context: context, findings: findings, paths: absolute)
    }
}

/// One lint of a `Workspace`: the findings of its open documents and how to find their files.
public struct WorkspaceLint: Sendable {
    public let context: LintContext
    /// Sorted by path and position, as `Linter.check` returns them.
    public let findings: [Finding]
    /// The absolute path of each of the context's files, by file index.
    public let paths: [String]

    /// The absolute path of the file a span is in.
    public func path(of span: Span) -> String { paths[Int(span.file)] }

    /// The findings in the file at `path`, in order.
    public func findings(in path: String) -> [Finding] {
        let path = FilePath.normalize(path)
        return findings.filter { paths[Int($0.span.file)] == path }
    }
}
