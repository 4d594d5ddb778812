import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What to lint and how.
public struct LintRequest: Sendable {
    public var paths: [String]
    /// `--stdin`: the buffer is linted as if it were at `filename`; the rest of the repo is context only.
    public var stdin: (bytes: [UInt8], filename: String)?
    /// Files and folders whose findings are reported (nil: every file read). The other files under `paths` are read
    /// as context only: a file named on the command line is judged with its repository around it.
    public var targets: [String]?
    public var configuration: Configuration
    public var jobs: Int = 1
    /// The threads the rules and the fingerprints run on: `jobs`, but at least two. With one worker, the walk's thread
    /// worked beside it while the files were read; by the time the rules run the worker is free, and the two share
    /// them. (The kustomize namespaces are always worked out on a thread of their own, see `assemble`.)
    var finishingThreads: Int { max(2, jobs) }
    public var maxFileSize: Int = 10 * 1024 * 1024
    public var limits = YAMLLimits()
    /// `--enable` / `--disable`, by id or name.
    public var enable: [String] = []
    public var disable: [String] = []
    /// Directory that repo-relative URIs are relative to.
    public var repositoryRoot: String
    /// Directory display paths are relative to.
    public var workingDirectory: String
    /// The report keeps the repository's model alive (`LintReport.model`, with what it was built from): for a
    /// process that exits right after writing the report, which then need not free it first. Off by default, so that
    /// a caller holding several reports (`diff`) does not hold several models.
    public var reportKeepsModel = false

    public init(paths: [String], configuration: Configuration, repositoryRoot: String, workingDirectory: String) {
        self.paths = paths
        self.configuration = configuration
        self.repositoryRoot = repositoryRoot
        self.workingDirectory = workingDirectory
    }
}

public struct LintStatistics: Sendable {
    public var filesDiscovered = 0
    public var filesParsed = 0
    public var bytes = 0
    public var documents = 0
    public var objects = 0
    /// Files read only as context (`--stdin`, or files named on the command line): their findings are not reported.
    public var contextFiles = 0
    /// The objects of those files (counted in `objects`).
    public var contextObjects = 0
}

/// The files and folders whose findings are reported, as absolute paths. pre-commit names hundreds of files: those
/// are looked up in a set, only folders are scanned.
struct TargetSet {
    let files: Set<String>
    let folders: [String]
    init(_ paths: [String]) {
        let absolute = paths.map { FilePath.absolute($0) }
        folders = absolute.filter { FilePath.isDirectory($0) }
        files = Set(absolute).subtracting(folders)
    }
    func contains(_ path: String) -> Bool {
        let absolute = FilePath.absolute(path)
        return files.contains(absolute) || folders.contains { FilePath.isInside(absolute, $0) }
    }
}

public struct ObjectSummary: Sendable, Hashable {
    /// The full kind (`CiliumNetworkPolicy`), as JSON, SARIF, `trace` and `audit` write it.
    public var kind: String
    /// The short kind of text messages (`CNP`); SARIF fingerprints keep using it so that alerts do not churn.
    public var shortKind: String
    public var namespace: String?
    public var name: String
    public var qualifiedName: String { [kind, namespace, name].compactMap { $0 }.joined(separator: "/") }
    var fingerprintName: String { [shortKind, namespace, name].compactMap { $0 }.joined(separator: "/") }
}

public struct LintReport: Sendable {
    public var findings: [Finding]
    public var files: [SourceFile]
    public var statistics: LintStatistics
    /// Every rule known to this run (SARIF `driver.rules`), in rule-list order.
    public var rules: [RuleDescription]
    /// Per object index: what findings' `object` points at (nil for the objects no finding is about).
    public var objectSummaries: [ObjectSummary?]
    public var repositoryRoot: String
    /// The ids of the rules that ran (enabled by the preset, the configuration and the command line).
    public var rulesRun: [String] = []
    /// Findings left out because an accepted-findings file lists them (`check --accepted`).
    public var accepted = 0
    /// The model the findings were made from, held by the report so that a command that exits once it has written
    /// the report does not first spend time freeing every object of the repository (`check` exits that way).
    var model: LintContext?
}

public enum RuleSelectionError: Error, Sendable, CustomStringConvertible {
    case unknownRule(String, source: String, suggestion: String?)
    public var description: String {
        switch self {
        case .unknownRule(let r, let source, let suggestion):
            "\(source): unknown rule '\(r)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (see 'netpol-lint rules')"
        }
    }
}

/// An annotation suppression: the object it is on and its key.
struct SuppressionKey: Hashable {
    var object: Int
    var key: String
}

/// Runs the pipeline: discovery → YAML → model → rules → suppression → sorted findings.
public struct Linter: Sendable {
    public let rules: [any Rule.Type]

    public init(rules: [any Rule.Type]) { self.rules = rules }

    public func lookup(_ idOrName: String) -> (any Rule.Type)? {
        rules.first { $0.description.id == idOrName.uppercased() || $0.description.name == idOrName }
    }

    /// The rule id or name closest to a mistyped one (`hardcoded-ipp` → `hardcoded-ip`), for a did-you-mean.
    public func suggestion(for idOrName: String) -> String? {
        Suggest.closest(idOrName, in: rules.flatMap { [$0.description.id, $0.description.name] }, caseInsensitive: true)
    }

    /// Every problem with the configuration's `rules:` section: unknown rules (with a did-you-mean), unknown
    /// parameters and bad parameter values, each with its line.
    public func configurationProblems(_ config: Configuration) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        let file = config.file ?? Configuration.fileName
        for (key, setting) in config.rules.sorted(by: { $0.value.line < $1.value.line }) {
            guard let r = lookup(key) else {
                problems.append(ConfigurationError(file: file, line: setting.line, message: "unknown rule '\(key)'"
                    + (suggestion(for: key).map { "; did you mean '\($0)'?" } ?? "") + " (see 'netpol-lint rules')"))
                continue
            }
            let d = r.description
            for (name, value) in setting.parameters.sorted(by: { $0.key < $1.key }) {
                guard let p = d.parameters.first(where: { $0.name == name }) else {
                    let known = d.parameters.map(\.name)
                    problems.append(ConfigurationError(file: file, line: value.line, message: "rule \(d.id) has no parameter '\(name)'"
                        + (known.isEmpty ? " (it takes only 'severity')" : " (parameters: \(known.joined(separator: ", ")))")))
                    continue
                }
                if let problem = p.problem(with: value) {
                    problems.append(ConfigurationError(file: file, line: value.line, message: "rules.\(key).\(name) \(problem)"))
                }
            }
        }
        return problems
    }

    /// The enabled rules with their effective severity.
    public func enabledRules(_ request: LintRequest) throws -> [(rule: any Rule.Type, severity: Severity)] {
        let config = request.configuration
        if let error = ConfigurationError.combining(configurationProblems(config)) { throw error }
        var settings: [String: Severity?] = [:]
        var configured = Set<String>()
        for (key, setting) in config.rules {
            guard let d = lookup(key)?.description else { continue }
            if let s = setting.severity { settings[d.id] = s }
            configured.insert(d.id)
        }
        for e in request.enable + request.disable where lookup(e) == nil {
            throw RuleSelectionError.unknownRule(e, source: "--enable/--disable", suggestion: suggestion(for: e))
        }
        // Resolved once: `--enable` of every rule must not cost rules × names lookups per rule.
        let enabledIDs = Set(request.enable.compactMap { lookup($0)?.description.id })
        let disabledIDs = Set(request.disable.compactMap { lookup($0)?.description.id })
        var out: [(any Rule.Type, Severity)] = []
        for r in rules {
            let d = r.description
            var on = d.isEnabledByDefault && (d.presets.isEmpty || d.presets.contains(config.preset ?? ""))
            var severity = d.defaultSeverity
            // Configuring a rule (a severity or parameters) is a request to run it, preset or not; `off` stops it.
            if configured.contains(d.id) { on = true }
            if let s = settings[d.id] {
                if let s { severity = s } else { on = false }
            }
            if enabledIDs.contains(d.id) { on = true }
            if disabledIDs.contains(d.id) { on = false }
            if on { out.append((r, severity)) }
        }
        return out
    }

    public func run(_ request: LintRequest) throws -> LintReport {
        let enabled = try enabledRules(request)
        let (context, stats, stdinIndex) = load(request)
        var findings = check(context, enabled: enabled, jobs: request.finishingThreads)
        PhaseClock.mark("rules")
        // What the reports name of an object (kind, namespace, name): only the objects that findings are about.
        var objects = [ObjectSummary?](repeating: nil, count: context.objects.count)
        for f in findings {
            guard let i = f.object, objects[i] == nil else { continue }
            objects[i] = ObjectSummary(kind: context.objects[i].kind.kubernetesKind, shortKind: context.objects[i].kind.shortName,
                                       namespace: context.objects[i].meta.namespace?.value, name: context.objects[i].name)
        }
        // The lines findings point at are read again (only in files that have findings) for their fingerprints.
        let stdinBytes = request.stdin?.bytes
        Fingerprints.assign(&findings, files: context.files, objects: objects, jobs: request.finishingThreads) { [request] file in
            if file == stdinIndex { return stdinBytes }
            let path = context.files[file].path
            return FileReader.read(path.hasPrefix("/") ? path : FilePath.join(request.workingDirectory, path),
                                   limit: request.maxFileSize).map(TextEncoding.normalized)
        }
        PhaseClock.mark("fingerprints")
        return LintReport(findings: findings, files: context.files, statistics: stats,
                          rules: rules.map { $0.description }, objectSummaries: objects,
                          repositoryRoot: request.repositoryRoot, rulesRun: enabled.map { $0.rule.description.id },
                          model: request.reportKeepsModel ? context : nil)
    }

    /// Runs the enabled rules over a loaded context and applies suppressions: the findings, sorted by path and
    /// position, each reported once (`audit` summarises them without loading the repository twice).
    /// With `jobs` above 1 the rules run on that many threads (they only read the context); their findings are
    /// then taken in rule order, so the result does not depend on `jobs`.
    public func check(_ context: LintContext, enabled: [(rule: any Rule.Type, severity: Severity)], jobs: Int = 1) -> [Finding] {
        let files = context.files, objects = context.objects
        var findings: [Finding] = []
        // Which suppressions hid something: directives by (file, line, column), annotations by (object, key).
        var usedDirectives = Set<[Int]>()
        var usedAnnotations = Set<SuppressionKey>()
        /// The suppression that hides `f` (other than `except`), marking it used.
        func suppressed(_ f: Finding, _ d: RuleDescription) -> Bool {
            // A suppression never hides a finding about itself (one located on the directive or annotation key).
            let directives = files[Int(f.span.file)].directives
            if !directives.isEmpty {
                let line = Int(f.span.line)
                let own = directives.entries.first { $0.line == line && Int(f.span.column) >= $0.column }
                if let e = directives.suppressor(id: d.id, name: d.name, line: line, excluding: own) {
                    usedDirectives.insert([Int(f.span.file), e.line, e.column])
                    return true
                }
            }
            if let o = f.object {
                let ownKey = objects[o].meta.annotations.first { $0.key.span == f.span }?.key.value
                if let a = AnnotationSuppression.suppressor(objects[o], id: d.id, name: d.name, excluding: ownKey) {
                    usedAnnotations.insert(SuppressionKey(object: o, key: a.key.value))
                    return true
                }
            }
            return false
        }
        var auditors: [(rule: any SuppressionAuditing, description: RuleDescription, severity: Severity)] = []
        let produced = RuleRunner.run(enabled.map(\.rule), context, jobs: jobs)
        for ((rule, severity), ruleFindings) in zip(enabled, produced) {
            let d = rule.description
            if let auditor = rule.suppressionAuditor { auditors.append((auditor, d, severity)) }
            for var f in ruleFindings {
                let file = files[Int(f.span.file)]
                guard file.isTarget else { continue }
                if suppressed(f, d) { continue }
                f.ruleID = d.id
                f.severity = f.severityOverride ?? severity
                findings.append(f)
            }
        }
        if !auditors.isEmpty {
            let unused = unusedSuppressions(context, enabled: enabled.map { $0.rule.description },
                                            usedDirectives: usedDirectives, usedAnnotations: usedAnnotations)
            var reported: [(finding: Finding, about: UnusedSuppression)] = []
            for (auditor, d, severity) in auditors {
                for u in unused {
                    var f = auditor.check(context, unused: u)
                    if suppressed(f, d) { continue }
                    f.ruleID = d.id
                    f.severity = severity
                    reported.append((f, u))
                }
            }
            // A suppression that hid one of these findings (`disable-next-line NP109` above a leftover) is used after all.
            for (f, u) in reported {
                switch u.source {
                case .directive(let e): if usedDirectives.contains([Int(u.span.file), e.line, e.column]) { continue }
                case .annotation(let key, _): if let o = u.object, usedAnnotations.contains(SuppressionKey(object: o, key: key)) { continue }
                }
                findings.append(f)
            }
        }
        findings.sort { a, b in
            let pa = files[Int(a.span.file)].path, pb = files[Int(b.span.file)].path
            if pa != pb { return pa < pb }
            if a.span != b.span { return a.span < b.span }
            if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
            return a.message < b.message
        }
        // The same problem found twice at one place (e.g. a List and its item) is reported once.
        var unique: [Finding] = []
        for f in findings where unique.last.map({ $0.span != f.span || $0.ruleID != f.ruleID || $0.message != f.message }) ?? true {
            unique.append(f)
        }
        return unique
    }

    /// The suppressions in the target files that hid no finding although a rule they name ran (a suppression naming
    /// only rules that did not run may be needed by another configuration, so it is left alone).
    func unusedSuppressions(_ context: LintContext, enabled: [RuleDescription], usedDirectives: Set<[Int]>,
                            usedAnnotations: Set<SuppressionKey>) -> [UnusedSuppression] {
        func runs(_ names: [String]) -> Bool {
            names.isEmpty || names.contains { n in enabled.contains { $0.id == n.uppercased() || $0.name == n } }
        }
        var out: [UnusedSuppression] = []
        // Every file and object is asked, nearly none has a suppression: they are read in place, not copied.
        let files = context.files, objects = context.objects
        for i in files.indices where files[i].isTarget && !files[i].directives.isEmpty {
            for e in files[i].directives.entries where runs(e.rules) && !usedDirectives.contains([i, e.line, e.column]) {
                out.append(UnusedSuppression(source: .directive(e),
                                             span: Span(file: Int32(i), line: Int32(e.line), column: Int32(e.column)), object: nil))
            }
        }
        for o in objects.indices where files[Int(objects[o].span.file)].isTarget {
            for (a, rule) in AnnotationSuppression.entries(annotations: objects[o].meta.annotations) where runs(rule.map { [$0] } ?? [])
                && !usedAnnotations.contains(SuppressionKey(object: o, key: a.key.value)) {
                out.append(UnusedSuppression(source: .annotation(key: a.key.value, value: a.value.value), span: a.key.span, object: o))
            }
        }
        return out
    }

    /// Discovery, reading, parsing and decoding: the context every rule (and `init`) reads.
    public func load(_ request: LintRequest) -> (context: LintContext, statistics: LintStatistics, stdinIndex: Int?) {
        var stats = LintStatistics()
        let capture = Set(request.configuration.customRules.map(\.kind))
        let discovered: [DiscoveredFile], discoveryIssues: [DiscoveryIssue], stdinIndex: Int?
        let outcomes: [FileOutcome]
        // Display paths and URIs, when the walk's thread works them out while the files are read, and their index.
        var mapped: [(display: String, uri: String)]?
        var uriIndex: URIIndex?
        if request.stdin == nil {
            // The workers read, parse and decode each file as soon as the walk finds it; the walk (and the mapping
            // of paths) runs on this thread meanwhile, so even one worker does not wait for the whole walk.
            var mapper = FolderPathMapper(PathMapper(workingDirectory: request.workingDirectory, repositoryRoot: request.repositoryRoot))
            var paths: [(display: String, uri: String)] = []
            (discovered, discoveryIssues, outcomes) = FileProcessor.processWhileWalking(
                jobs: request.jobs, maxFileSize: request.maxFileSize, limits: request.limits, capture: capture,
                afterWalk: { uriIndex = URIIndex(uris: paths.map(\.uri)) }
            ) { found in
                discover(request) { file, at in
                    found(file, at)
                    paths.append(mapper.map(file.path))
                }
            }
            mapped = paths
            stdinIndex = nil
            PhaseClock.mark("walk+read+parse+decode")
        } else {
            (discovered, discoveryIssues, stdinIndex) = discover(request)
            PhaseClock.mark("walk")
            // Read, parse and decode every file, in parallel.
            outcomes = FileProcessor.processAll(discovered.map(\.path), stdin: request.stdin?.bytes, stdinIndex: stdinIndex,
                                                jobs: max(1, request.jobs), maxFileSize: request.maxFileSize,
                                                limits: request.limits, capture: capture)
            PhaseClock.mark("read+parse+decode")
        }
        stats.filesDiscovered = discovered.count
        // Which files' findings are reported: the --stdin buffer alone, the named targets, or everything.
        let targets: TargetSet? = request.stdin.map { TargetSet([$0.filename]) } ?? request.targets.map(TargetSet.init)
        func isTarget(_ path: String) -> Bool { targets?.contains(path) ?? true }

        let context = assemble(paths: discovered.map(\.path), outcomes: outcomes, discoveryIssues: discoveryIssues,
                               request: request, statistics: &stats,
                               isTarget: { i in stdinIndex.map { $0 == i } ?? isTarget(discovered[i].path) },
                               discoveryIssueIsTarget: { stdinIndex == nil && isTarget($0) },
                               configurationIsTarget: targets == nil, mapPath: mapped.map { m in { i, _ in m[i] } },
                               uriIndex: uriIndex)
        PhaseClock.mark("assemble+inventory")
        return (context, stats, stdinIndex)
    }

    /// The files a request reads, in the walk's order (the `--stdin` buffer in place of its file on disk), and
    /// what the walk refused. The first stage of `load` (and of `Workspace`).
    func discover(_ request: LintRequest) -> (files: [DiscoveredFile], issues: [DiscoveryIssue], stdinIndex: Int?) {
        var discovered: [DiscoveredFile] = []
        let discoveryIssues = discover(request) { file, _ in discovered.append(file) }
        var stdinIndex: Int?
        if let stdin = request.stdin {
            let target = FilePath.normalize(stdin.filename)
            let targetAbs = FilePath.absolute(target)
            // The buffer takes its file's place in the walk (order decides, e.g., which of two definitions is the
            // duplicate), or comes last when the file is new.
            let same = discovered.indices.filter { FilePath.absolute(discovered[$0].path) == targetAbs }
            if let first = same.first {
                discovered[first] = DiscoveredFile(path: target)
                for i in same.dropFirst().reversed() { discovered.remove(at: i) }
                stdinIndex = first
            } else {
                stdinIndex = discovered.count
                discovered.append(DiscoveredFile(path: target))
            }
        }
        return (discovered, discoveryIssues, stdinIndex)
    }

    /// The walk of a request, each file handed to `found` as it is found (the configuration file left out: it is read
    /// as configuration, not linted as a manifest); returns what the walk refused.
    func discover(_ request: LintRequest, found: (DiscoveredFile, OpenAt) -> Void) -> [DiscoveryIssue] {
        let discovery = Discovery(excludes: request.configuration.exclude,
                                  excludeBase: request.configuration.file.map { FilePath.dirname(FilePath.absolute($0)) }
                                    ?? request.workingDirectory)
        let config = request.configuration.file.map(FilePath.absolute)
        return discovery.walk(request.paths) { file, at in
            if let config, Configuration.isConfigurationFile(file.path), FilePath.absolute(file.path) == config { return }
            found(file, at)
        }
    }

    /// The context from per-file outcomes: `outcomes[i]` was decoded as file `i` of `paths`. Objects and issues are
    /// taken in `order` (every index in turn when nil), so that a caller keeping files at stable indices (`Workspace`)
    /// still presents them in the walk's order. `isTarget(i)` says whose findings are reported; `discoveryIssueIsTarget`
    /// and `configurationIsTarget` say it for the walk's problems (by path) and the configuration file. The last stage
    /// of `load`. A caller that lints again and again (`Workspace`) passes `mapPath` (its paths mapped once) and
    /// `memo`.
    func assemble(paths: [String], outcomes: [FileOutcome], order: [Int]? = nil, discoveryIssues: [DiscoveryIssue],
                  request: LintRequest, statistics stats: inout LintStatistics, isTarget: (Int) -> Bool,
                  discoveryIssueIsTarget: (String) -> Bool, configurationIsTarget: Bool,
                  mapPath: ((Int, String) -> (display: String, uri: String))? = nil,
                  memo: AppliedNamespacesMemo? = nil, uriIndex: URIIndex? = nil) -> LintContext {
        var files: [SourceFile] = []
        var objects: [KubeObject] = []
        var modelIssues: [(issue: ModelIssue, object: Int)] = []
        var fileIssues: [FileIssue] = []
        let mapper = PathMapper(workingDirectory: request.workingDirectory, repositoryRoot: request.repositoryRoot)
        // Every file's display path and URI first: the walked files, then pseudo-files for the walk's problems (so
        // that they print with a path), then the configuration file.
        var mapped = paths.indices.map { mapPath?($0, paths[$0]) ?? mapper.map(paths[$0]) }
        mapped += discoveryIssues.map { mapper.map($0.path) }
        if let config = request.configuration.file { mapped.append(mapper.map(config)) }
        let order = order ?? Array(outcomes.indices)
        // The outcomes are read in place, through a buffer: copying one (which an array's subscript may do) retains
        // everything it holds.
        let retained = outcomes
        return outcomes.withUnsafeBufferPointer { outcomes in
            // The namespaces kustomize and Flux apply need only the URIs and the kustomize / Flux objects: they are
            // worked out on another thread while the rest is gathered and the inventory does what does not depend on
            // them.
            var structure: [KubeObject] = []
            for i in order where outcomes[i].hasKustomizeStructure {
                for k in outcomes[i].objects.indices where outcomes[i].objects[k].kind.isKustomizeStructure {
                    structure.append(outcomes[i].objects[k])
                }
            }
            let uris = mapped.map(\.uri)
            let resolve: @Sendable () -> AppliedNamespaces = { [structure] in
                memo?.value(uris: uris, objects: structure, index: uriIndex)
                    ?? AppliedNamespaces(uris: uris, objects: structure, index: uriIndex)
            }
            let applied = Background(resolve)
            files.reserveCapacity(mapped.count)
            for i in outcomes.indices {
                let target = isTarget(i)
                files.append(SourceFile(path: mapped[i].display, uri: mapped[i].uri, directives: outcomes[i].directives, isTarget: target))
                if !target {
                    stats.contextFiles += 1
                    stats.contextObjects += outcomes[i].objects.count
                }
            }
            var discoveryFileIssues: [FileIssue] = []
            for issue in discoveryIssues {
                let index = files.count
                files.append(SourceFile(path: mapped[index].display, uri: mapped[index].uri,
                                        directives: Directives(), isTarget: discoveryIssueIsTarget(issue.path)))
                discoveryFileIssues.append(FileIssue(rule: issue.rule, message: issue.message, span: Span(file: Int32(index), line: 1, column: 1)))
            }
            var configurationFile: Int32?
            if let config = request.configuration.file {
                let index = files.count
                configurationFile = Int32(index)
                let bytes = FileReader.read(config, limit: 1 << 20) ?? []
                let directives = bytes.withUnsafeBytes { Directives.scan($0) }
                files.append(SourceFile(path: mapped[index].display, uri: mapped[index].uri, directives: directives, isTarget: configurationIsTarget))
            }
            var objectCount = 0
            for i in outcomes.indices { objectCount += outcomes[i].objects.count }
            objects.reserveCapacity(objectCount)
            for i in order {
                let base = objects.count
                objects.append(contentsOf: outcomes[i].objects)
                if !outcomes[i].issues.isEmpty { modelIssues.append(contentsOf: outcomes[i].issues.map { ($0, base + $0.objectInFile) }) }
                fileIssues.append(contentsOf: outcomes[i].fileIssues)
                stats.bytes += outcomes[i].bytes
                stats.documents += outcomes[i].documents
                if outcomes[i].parsed { stats.filesParsed += 1 }
            }
            fileIssues.append(contentsOf: discoveryFileIssues)
            stats.objects = objects.count

            return LintContext(files: files, objects: objects, modelIssues: modelIssues, fileIssues: fileIssues,
                               configuration: request.configuration, configurationFile: configurationFile, memo: memo,
                               applied: applied, retaining: request.reportKeepsModel ? [retained, applied] : [])
        }
    }

}

/// The files a walk has found so far, for workers that start reading before it ends: `take(_:)` waits until the walk
/// has found that many files, or returns nil once it has ended with fewer. With one worker it also carries the files
/// the walk's thread read ahead (`append(_:read:)`, within `window`) and, the other way, the parsed files the worker
/// hands back for that thread to decode (`handBack`).
final class FileFeed: @unchecked Sendable {
    private var files: [DiscoveredFile] = []
    /// Files the walk's thread read ahead (`readAhead`), each with its `Prescan`, until its worker takes it.
    private var readAhead: [(read: FileReader.Checked, prescan: Prescan?)?] = []
    /// What is read ahead and not taken yet, bounded by `window`.
    private var held = (bytes: 0, files: 0)
    /// What is read ahead and not taken yet, now.
    var holding: (bytes: Int, files: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return held
    }
    private var finished = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when a file is appended or the walk ends (the workers wait on it).
    private let more = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Signalled when a worker takes a file that was read ahead (the walk waits on it).
    private let room = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Whether the walk waits for room: it is woken once half the window is free (not at every file taken), or when
    /// parsed files are handed back to it.
    private var walkWaits = false
    /// Files parsed by the worker and handed back to the walk's thread to decode (`handBack`), in batches.
    private var parsed: [(Int, FileOutcome)] = []
    /// Memory one thread allocated and the other is done with, handed back so that the thread that allocated it frees
    /// it: glibc's allocator frees a block under the lock of the arena it came from, and a thread freeing the other's
    /// blocks while that one allocates makes both wait in the kernel (measured over the corpus: about 7,000 of the run's
    /// 10,000 futex calls, before). The files the walk's thread read, once parsed (`handBack`); the documents the
    /// worker composed, once decoded (`giveBack`).
    private var spentBuffers: [[UInt8]] = []
    private var spentDocuments: [[FileOutcome.Deferred]] = []
    /// Workers still running (`workerDone`).
    private var workersLeft = 0
    /// How many parsed files wake the walk's thread: one at a time would cost a wake-up per file.
    static let batch = 16
    /// How far reading may run ahead of the workers: by default some milliseconds of parsing, enough to keep them busy.
    let window: (bytes: Int, files: Int)

    init(window: (bytes: Int, files: Int) = (8 << 20, 2048)) {
        self.window = window
        // Both threads hold the lock for a few instructions at a time, once or twice per file: a thread that finds it
        // taken spins briefly before sleeping in the kernel (measured: most of the worker's futex calls were these).
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        pthread_cond_init(more, nil)
        pthread_cond_init(room, nil)
    }

    deinit {
        pthread_cond_destroy(room)
        pthread_cond_destroy(more)
        pthread_mutex_destroy(mutex)
        room.deallocate()
        more.deallocate()
        mutex.deallocate()
    }

    /// Hands a file to the workers, with what reading it gave (and its prescan) when it was read ahead.
    func append(_ file: DiscoveredFile, read: FileReader.Checked? = nil, prescan: Prescan? = nil) {
        pthread_mutex_lock(mutex)
        files.append(file)
        readAhead.append(read.map { ($0, prescan) })
        if let read {
            held.bytes += read.size
            held.files += 1
        }
        pthread_cond_signal(more)
        pthread_mutex_unlock(mutex)
    }

    /// When what is read ahead and not yet taken fills the window, waits until half of it is free again; meanwhile
    /// `serve`s the files the worker hands back.
    func waitForRoom(serving serve: (Int, inout FileOutcome) -> Void = { _, _ in }) {
        pthread_mutex_lock(mutex)
        var spent: [[UInt8]] = []
        swap(&spent, &spentBuffers)
        while held.bytes >= window.bytes || held.files >= window.files {
            if !parsed.isEmpty {
                serveParsed(serve)
                continue
            }
            walkWaits = true
            while walkWaits { pthread_cond_wait(room, mutex) }
        }
        pthread_mutex_unlock(mutex)
        // Freed here, on the thread that read them, once the lock is released.
        withExtendedLifetime(spent) {}
    }

    /// Serves what is handed back, outside the lock (held on entry and on return).
    private func serveParsed(_ serve: (Int, inout FileOutcome) -> Void) {
        var batch: [(Int, FileOutcome)] = []
        swap(&batch, &parsed)
        pthread_mutex_unlock(mutex)
        for k in batch.indices { serve(batch[k].0, &batch[k].1) }
        pthread_mutex_lock(mutex)
    }

    /// The number of workers that will hand files back (before they start).
    func expectWorkers(_ count: Int) {
        pthread_mutex_lock(mutex)
        workersLeft = count
        pthread_mutex_unlock(mutex)
    }

    /// A worker hands a parsed file back to the walk's thread, with the bytes it parsed (`read`), which that thread
    /// read and frees; it takes the documents that thread has decoded (`giveBack`) and frees them.
    func handBack(_ index: Int, _ outcome: consuming FileOutcome, read: FileReader.Checked?) {
        var documents: [[FileOutcome.Deferred]] = []
        pthread_mutex_lock(mutex)
        parsed.append((index, outcome))
        if case .bytes(let bytes)? = read { spentBuffers.append(bytes) }
        swap(&documents, &spentDocuments)
        if walkWaits, parsed.count >= Self.batch {
            walkWaits = false
            pthread_cond_signal(room)
        }
        pthread_mutex_unlock(mutex)
        // Freed here, on the thread that composed them, once the lock is released.
        withExtendedLifetime(documents) {}
    }

    /// The walk's thread gives back documents the worker composed, once decoded, for the worker to free.
    func giveBack(_ documents: inout [[FileOutcome.Deferred]]) {
        guard !documents.isEmpty else { return }
        pthread_mutex_lock(mutex)
        spentDocuments.append(contentsOf: documents)
        pthread_mutex_unlock(mutex)
        documents.removeAll(keepingCapacity: true)
    }

    /// A worker is done: it hands nothing back any more.
    func workerDone() {
        pthread_mutex_lock(mutex)
        workersLeft -= 1
        if walkWaits {
            walkWaits = false
            pthread_cond_signal(room)
        }
        pthread_mutex_unlock(mutex)
    }

    /// `serve`s every file handed back until the workers are done.
    func serveUntilWorkersAreDone(_ serve: (Int, inout FileOutcome) -> Void) {
        pthread_mutex_lock(mutex)
        while true {
            if !parsed.isEmpty {
                serveParsed(serve)
                continue
            }
            if workersLeft == 0 { break }
            walkWaits = true
            while walkWaits { pthread_cond_wait(room, mutex) }
        }
        pthread_mutex_unlock(mutex)
    }

    /// Ends the walk; returns every file it found.
    func finish() -> [DiscoveredFile] {
        pthread_mutex_lock(mutex)
        finished = true
        pthread_cond_broadcast(more)
        let all = files
        pthread_mutex_unlock(mutex)
        return all
    }

    /// File `index` (waiting until the walk finds it) and what reading it gave if it was read ahead, which is handed
    /// over (taken out of the feed); nil once the walk has ended with fewer files.
    func take(_ index: Int) -> (path: String, read: FileReader.Checked?, prescan: Prescan?)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while index >= files.count && !finished { pthread_cond_wait(more, mutex) }
        guard index < files.count else { return nil }
        var taken: (read: FileReader.Checked, prescan: Prescan?)?
        swap(&taken, &readAhead[index])
        if let read = taken?.read {
            held.bytes -= read.size
            held.files -= 1
            if walkWaits, held.bytes < window.bytes / 2, held.files < window.files / 2 {
                walkWaits = false
                pthread_cond_signal(room)
            }
        }
        return (files[index].path, taken?.read, taken?.prescan)
    }
}

/// What reading one file produced.
struct FileOutcome: Sendable {
    init(bytes: Int = 0) { self.bytes = bytes }
    var objects: [KubeObject] = []
    var issues: [ModelIssue] = []
    var fileIssues: [FileIssue] = []
    var directives = Directives()
    var bytes = 0
    var documents = 0
    var parsed = false
    /// A document left for another thread to decode, with where its issues go among `fileIssues`.
    typealias Deferred = (document: YAMLDocument, fileIssuesBefore: Int)
    /// Documents whose objects are left for another thread to decode (`decodeDeferred`): only documents of the kinds
    /// the model reads are deferred, the others yield no object.
    var deferred: [Deferred] = []

    /// Decodes the deferred documents, in order, and puts their objects and issues where decoding them in place would
    /// have. Returns the documents, taken out of the outcome.
    mutating func decodeDeferred(file: Int32, capture: Set<ObjectKind>) -> [Deferred] {
        var inserted = 0
        for d in deferred {
            let decoded = ModelDecoder.decode(d.document, file: file, capture: capture)
            add(decoded, notesAt: d.fileIssuesBefore + inserted)
            inserted += decoded.unrecognized.count
        }
        var taken: [Deferred] = []
        swap(&taken, &deferred)
        return taken
    }

    /// Adds what decoding one document gave: its objects (their issues renumbered to this file's objects), and its
    /// notes among `fileIssues` at `notesAt` (at the end by default).
    mutating func add(_ decoded: (objects: [KubeObject], issues: [ModelIssue], unrecognized: [FileIssue]), notesAt: Int? = nil) {
        let base = objects.count
        objects.append(contentsOf: decoded.objects)
        issues.append(contentsOf: decoded.issues.map { var i = $0; i.objectInFile += base; return i })
        fileIssues.insert(contentsOf: decoded.unrecognized, at: notesAt ?? fileIssues.count)
    }

    /// Whether the file holds a kustomize or Flux Kustomization (read without copying the objects).
    var hasKustomizeStructure: Bool { objects.indices.contains { objects[$0].kind.isKustomizeStructure } }
}

/// What is looked for in a file's bytes before they are parsed: its suppression directives, a NUL byte (a binary
/// file), and whether it holds `{{` (only then are its documents searched for a template action). With one worker the
/// walk's thread, which reads the files ahead of it and has time to spare, works it out (`FileFeed`), so that the
/// worker only parses.
struct Prescan: Sendable {
    var directives: Directives
    /// The offset of the first NUL byte.
    var nul: Int?
    var mayHoldAction: Bool

    init(_ raw: UnsafeRawBufferPointer) {
        directives = Directives.scan(raw)
        nul = raw.baseAddress.flatMap { base in memchr(base, 0, raw.count).map { base.distance(to: UnsafeRawPointer($0)) } }
        mayHoldAction = ByteSearch.find([0x7B, 0x7B], in: raw, from: 0) != nil
    }

    /// The prescan of read bytes, nil when there is nothing to scan (not a file's bytes) or the bytes are UTF-16 or
    /// UTF-32 (scanned once transcoded, by `FileProcessor.process`).
    static func of(_ read: FileReader.Checked) -> Prescan? {
        guard case .bytes(let bytes) = read else { return nil }
        return bytes.withUnsafeBytes { raw in
            guard case .utf8 = TextEncoding.detect(raw) else { return nil }
            return Prescan(raw)
        }
    }
}

enum FileProcessor {

    /// `filterContext`: skip parsing files that cannot matter to others (`ContextFilter`); by default, when linting
    /// standard input.
    static func processAll(_ paths: [String], stdin: [UInt8]?, stdinIndex: Int?, jobs: Int, maxFileSize: Int,
                           limits: YAMLLimits, capture: Set<ObjectKind>, filterContext: Bool? = nil) -> [FileOutcome] {
        let filter = filterContext ?? (stdinIndex != nil)
        return Parallel.map(paths.count, jobs: jobs, state: { YAMLParser(limits: limits) }) { parser, i in
            if i == stdinIndex, let stdin { return process(stdin, file: Int32(i), parser: &parser, capture: capture) }
            return processFile(paths[i], file: Int32(i), maxFileSize: maxFileSize, filterContext: filter,
                               parser: &parser, capture: capture)
        }
    }

    /// Walks and processes at once: `walk` runs on the calling thread and hands over each file it finds; `jobs`
    /// workers read, parse and decode them meanwhile; `afterWalk` then runs on the calling thread while they finish.
    /// With one worker, the walk's thread (which would otherwise wait for it) also reads the files it finds, opened by
    /// name in the folder it holds open, a bounded window ahead of the worker (`FileFeed.window`): the worker only
    /// parses. With more, each worker reads its own files (measured: reading on the walk's thread, which then shares
    /// the cores with the workers, was slower). The outcomes are in the walk's order, as `processAll` gives them.
    static func processWhileWalking(jobs: Int, maxFileSize: Int, limits: YAMLLimits, capture: Set<ObjectKind>,
                                    afterWalk: () -> Void = {},
                                    walk: ((DiscoveredFile, OpenAt) -> Void) -> [DiscoveryIssue])
        -> (files: [DiscoveredFile], issues: [DiscoveryIssue], outcomes: [FileOutcome]) {
        let feed = FileFeed()
        let readAhead = jobs <= 1
        let next = Atomic<Int>(0)
        let workers = min(max(1, jobs), 64)
        feed.expectWorkers(workers)
        // Each worker's outcomes, with the index of their file, handed over whole.
        let collected = Locked<[[(Int, FileOutcome)]]>([])
        let group = DispatchGroup()
        // The number of files is not known yet (`processAll` bounds the workers by it): a huge --jobs is bounded here.
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                var parser = YAMLParser(limits: limits)
                var mine: [(Int, FileOutcome)] = []
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard let (path, read, prescan) = feed.take(i) else { break }
                    let outcome = processFile(path, read: read, prescan: prescan, file: Int32(i), maxFileSize: maxFileSize,
                                              filterContext: false, parser: &parser, capture: capture,
                                              deferDecoding: readAhead)
                    if readAhead { feed.handBack(i, outcome, read: read) } else { mine.append((i, outcome)) }
                }
                collected.withLock { $0.append(mine) }
                feed.workerDone()
            }
        }
        // With one worker the walk's thread decodes what the worker parsed (the objects of the kinds the model
        // reads), while it waits for room to read ahead and once the walk is over.
        var decoded: [(Int, FileOutcome)] = []
        // The documents decoded, given back to the worker (which composed them) to free, a batch at a time.
        var spent: [[FileOutcome.Deferred]] = []
        func decode(_ i: Int, _ outcome: inout FileOutcome) {
            let documents = outcome.decodeDeferred(file: Int32(i), capture: capture)
            if !documents.isEmpty { spent.append(documents) }
            if spent.count >= FileFeed.batch { feed.giveBack(&spent) }
            decoded.append((i, outcome))
            outcome = FileOutcome()
        }
        let issues = walk { file, at in
            if readAhead {
                feed.waitForRoom(serving: decode)
                let read = FileReader.read(checking: file.path, at: at, limit: maxFileSize)
                feed.append(file, read: read, prescan: Prescan.of(read))
            } else {
                feed.append(file)
            }
        }
        let files = feed.finish()
        // The walk's thread is free while the workers finish: what only needs the walk is done now.
        afterWalk()
        feed.serveUntilWorkersAreDone(decode)
        group.wait()
        var outcomes = [FileOutcome](repeating: FileOutcome(), count: files.count)
        for k in decoded.indices { swap(&outcomes[decoded[k].0], &decoded[k].1) }
        // Taken out of the lock, then moved into place (no copy of an outcome, which would retain all it holds).
        var all = collected.withLock { c in
            var taken: [[(Int, FileOutcome)]] = []
            swap(&taken, &c)
            return taken
        }
        for w in all.indices {
            for k in all[w].indices { swap(&outcomes[all[w][k].0], &all[w][k].1) }
        }
        return (files, issues, outcomes)
    }

    /// One file read from disk (unless it was `read` already) and processed. With `filterContext` (the file is context
    /// only) it is parsed only when it can matter to the others.
    static func processFile(_ path: String, read: FileReader.Checked? = nil, prescan: Prescan? = nil, file: Int32,
                            maxFileSize: Int, filterContext: Bool, parser: inout YAMLParser, capture: Set<ObjectKind>,
                            deferDecoding: Bool = false) -> FileOutcome {
        switch read ?? FileReader.read(checking: path, limit: maxFileSize) {
        case .bytes(let bytes):
            // In --stdin mode the other files are context only: parse just those that can matter.
            if filterContext, !ContextFilter.mayMatter(bytes) {
                return FileOutcome(bytes: bytes.count)
            }
            return process(bytes, file: file, parser: &parser, capture: capture, deferDecoding: deferDecoding,
                           prescan: prescan)
        case .tooLarge(let size):
            return tooLarge(size, limit: maxFileSize, file: file)
        case .failed(let reason):
            var o = FileOutcome()
            o.fileIssues.append(FileIssue(rule: "NP100", message: "cannot read file: \(reason)", span: Span(file: file, line: 1, column: 1)))
            return o
        case .notRegular(let kind):
            var o = FileOutcome()
            o.fileIssues.append(FileIssue(rule: "NP106", message: FileReader.notRegularMessage(kind), span: Span(file: file, line: 1, column: 1)))
            return o
        }
    }

    /// A file over the size limit: an NP106 and nothing else.
    static func tooLarge(_ size: Int, limit maxFileSize: Int, file: Int32) -> FileOutcome {
        var o = FileOutcome()
        o.fileIssues.append(FileIssue(rule: "NP106", message: "file is \(ByteCount.text(size)), over the \(ByteCount.text(maxFileSize)) limit (--max-file-size or maxFileSize in .netpol-lint.yaml); not linted", span: Span(file: file, line: 1, column: 1)))
        return o
    }

    /// `deferDecoding`: the documents of the kinds the model reads are left in `FileOutcome.deferred` for another
    /// thread to decode (`FileOutcome.decodeDeferred`), kept as they are (compacted).
    /// `prescan`: what `Prescan` found in the bytes, when the thread that read them worked it out.
    static func process(_ bytes: [UInt8], file: Int32, parser: inout YAMLParser, capture: Set<ObjectKind> = [],
                        deferDecoding: Bool = false, prescan: Prescan? = nil) -> FileOutcome {
        // UTF-16 and UTF-32 (with a byte order mark, or told by their NUL bytes) are read as their UTF-8 text. (A
        // prescan is made of UTF-8 text only.)
        if prescan == nil, let transcoded = bytes.withUnsafeBytes({ TextEncoding.utf8(from: $0) }) {
            switch transcoded {
            case .success(let utf8):
                var o = process(utf8, file: file, parser: &parser, capture: capture, deferDecoding: deferDecoding)
                o.bytes = bytes.count
                return o
            case .failure(let problem):
                var o = FileOutcome(bytes: bytes.count)
                o.fileIssues.append(FileIssue(rule: "NP100", message: problem.message,
                                              span: Span(file: file, line: Int32(problem.line), column: Int32(problem.column))))
                return o
            }
        }
        var o = FileOutcome()
        o.bytes = bytes.count
        bytes.withUnsafeBytes { raw in
            let scan = prescan ?? Prescan(raw)
            o.directives = scan.directives
            if let nul = scan.nul {
                let (line, column) = YAMLParser.position(ofOffset: nul, in: raw)
                o.fileIssues.append(FileIssue(rule: "NP100", message: "binary file: NUL byte at offset \(nul); not YAML",
                                              span: Span(file: file, line: Int32(line), column: Int32(column))))
                return
            }
            // A template action read as YAML (`{{ .Values.x }}` composes as a mapping keyed by a mapping): the file
            // is a template although libyaml accepts it. Once seen, later documents are not decoded.
            var action: (line: UInt32, column: UInt32)?
            let mayHoldAction = scan.mayHoldAction
            // Each document is decoded as soon as it is composed and then dropped: a file of many documents costs
            // the memory of its largest one plus the objects read from it.
            let result = parser.parse(raw) { doc in
                guard action == nil else { return }
                if mayHoldAction, let at = HelmTemplate.actionReadAsYAML(in: doc) {
                    action = at
                    return
                }
                for dup in doc.duplicateKeys {
                    let k = doc[dup.duplicate], first = doc[dup.first]
                    o.fileIssues.append(FileIssue(rule: "NP100", message: "duplicate key '\(doc.excerpt(dup.duplicate))' (first at line \(first.line)); tools disagree on which value wins",
                                                  span: Span(file: file, line: Int32(k.line), column: Int32(k.column),
                                                             endLine: Int32(k.endLine), endColumn: Int32(k.endColumn))))
                }
                if deferDecoding && ModelDecoder.readsObjects(doc) {
                    o.deferred.append((doc.compacted(), o.fileIssues.count))
                    return
                }
                o.add(ModelDecoder.decode(doc, file: file, capture: capture))
            }
            o.parsed = result.error == nil
            o.documents = result.documents
            // A template is skipped whole: what was read before the action or the error is not linted either.
            if let action {
                o.objects = []
                o.issues = []
                o.deferred = []
                o.fileIssues = [FileIssue(rule: "NP105", message: "Helm/Go template ('{{' at line \(action.line) is a template action, not YAML data); skipped, lint the rendered output instead",
                                          span: Span(file: file, line: Int32(action.line), column: Int32(action.column)))]
                return
            }
            if let e = result.error {
                if let at = HelmTemplate.lastAction(atOrBefore: (e.line, e.column), in: raw) {
                    o.objects = []
                    o.issues = []
                    o.deferred = []
                    o.fileIssues = [FileIssue(rule: "NP105", message: "Helm/Go template ('{{' at line \(at.line); not valid YAML: \(e.message) at line \(e.line)); skipped, lint the rendered output instead",
                                              span: Span(file: file, line: Int32(at.line), column: Int32(at.column)))]
                    return
                }
                o.fileIssues.append(FileIssue(rule: "NP100", message: e.message,
                                              span: Span(file: file, line: Int32(e.line), column: Int32(e.column))))
            }
        }
        return o
    }
}

/// Tells Helm/Go templates from YAML that merely holds `{{` in its strings. A file is a template only where its
/// `{{ … }}` actions are not YAML data: either libyaml cannot parse the file and a `{{` comes at or before the
/// error, or an action composes as YAML (`name: {{ .Values.x }}` and `- {{ x }}` parse as a flow mapping whose
/// key is a flow mapping, which no Kubernetes object holds: its keys are strings). `{{` inside quoted, block or
/// plain scalars (Alertmanager and PrometheusRule templates, ExternalSecret `target.template`) is data and is
/// linted like any other text.
enum HelmTemplate {
    /// The first `{{` of the document that composed as a mapping keyed by a mapping: a flow mapping whose first key
    /// is a flow mapping opening on the next column.
    static func actionReadAsYAML(in doc: YAMLDocument) -> (line: UInt32, column: UInt32)? {
        for n in doc.nodes where n.kind == .mapping && n.style == .flow && n.count > 0 {
            let key = doc[doc.children[Int(n.start)]]
            if key.kind == .mapping, key.style == .flow, key.line == n.line, key.column == n.column + 1 {
                return (n.line, n.column)
            }
        }
        return nil
    }

    /// The last `{{` that starts at or before a position (1-based line and code-point column, as libyaml reports
    /// errors), in one pass that stops there.
    static func lastAction(atOrBefore limit: (line: Int, column: Int), in raw: UnsafeRawBufferPointer) -> (line: Int, column: Int)? {
        var line = 1, column = 1
        var found: (line: Int, column: Int)?
        var i = 0
        while i < raw.count, line < limit.line || (line == limit.line && column <= limit.column) {
            let b = raw[i]
            if b == 0x7B, i + 1 < raw.count, raw[i + 1] == 0x7B { found = (line, column) }
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return found
    }
}

enum ByteCount {
    static func text(_ n: Int) -> String {
        // Tenths of a MB computed without multiplying first: a file size can be anything up to Int.max.
        if n >= 1024 * 1024 { return "\(n / (1024 * 1024)).\(n % (1024 * 1024) / (1024 * 1024 / 10)) MB" }
        if n >= 1024 { return "\(n / 1024) KB" }
        return "\(n) bytes"
    }
}

/// Maps discovered paths to display paths (relative to the working directory) and repository-relative URIs,
/// without re-normalising every path: discovery already produces clean paths below clean roots.
struct PathMapper {
    let workingDirectory: String
    let repositoryRoot: String
    /// The working directory relative to the repository root, when it is inside it ("" when equal).
    let workingDirectoryInRepo: String?

    init(workingDirectory: String, repositoryRoot: String) {
        self.workingDirectory = FilePath.normalize(workingDirectory)
        self.repositoryRoot = FilePath.normalize(repositoryRoot)
        if FilePath.isInside(self.workingDirectory, self.repositoryRoot) {
            let rel = FilePath.relative(self.workingDirectory, to: self.repositoryRoot)
            workingDirectoryInRepo = rel == "." ? "" : rel
        } else {
            workingDirectoryInRepo = nil
        }
    }

    /// Relative, with no empty, `.` or `..` segment: normal in `FilePath.normalize`'s sense, and not the root or `.`.
    static func isClean(_ p: String) -> Bool { !p.hasPrefix("/") && p != "." && FilePath.isNormal(p) }

    func map(_ path: String) -> (display: String, uri: String) {
        if Self.isClean(path), let inRepo = workingDirectoryInRepo {
            return (path, inRepo.isEmpty ? path : inRepo + "/" + path)
        }
        if path.hasPrefix("/"), Self.isClean(String(path.dropFirst())) {
            // Absolute and already normal (discovery below an absolute root): strip prefixes, no re-normalising.
            // On the UTF-8 bytes: counting and dropping `Character`s would cost a grapheme walk per path.
            func strip(_ base: String) -> String? {
                let b = base == "/" ? 0 : base.utf8.count
                guard b == 0 || (path.utf8.count > b + 1 && path.utf8.starts(with: base.utf8)
                                 && path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: b)] == UInt8(ascii: "/")) else { return nil }
                return String(path.utf8.dropFirst(b + 1))
            }
            if let uri = strip(repositoryRoot) {
                return (strip(workingDirectory) ?? path, uri)
            }
        }
        let abs = path.hasPrefix("/") ? FilePath.normalize(path) : FilePath.normalize(workingDirectory + "/" + path)
        let display = FilePath.isInside(abs, workingDirectory) ? FilePath.relative(abs, to: workingDirectory) : abs
        return (display, FilePath.relative(abs, to: repositoryRoot))
    }
}

/// A `PathMapper` for the walk's files, which come folder after folder: each folder is mapped once and its files'
/// names are appended (mapping a path below a relative root such as `../repo` normalises it whole). The folder is
/// mapped as a file in it would be (a probe name, then dropped): a folder is not displayed as its files are when it
/// is the working directory itself.
struct FolderPathMapper {
    let mapper: PathMapper
    private var folder: Substring?
    private var prefix = (display: "", uri: "")

    init(_ mapper: PathMapper) { self.mapper = mapper }

    mutating func map(_ path: String) -> (display: String, uri: String) {
        guard let slash = FilePath.lastSlash(path) else { return mapper.map(path) }
        let name = path[path.utf8.index(after: slash)...]
        guard !name.isEmpty, name != ".", name != ".." else { return mapper.map(path) }
        let dir = path[..<slash]
        if dir != folder {
            folder = dir
            let probe = mapper.map(String(dir) + "/p")
            // The probe's one ASCII byte dropped (`dropLast()` on the String would count every character).
            prefix = (String(Substring(probe.display.utf8.dropLast())), String(Substring(probe.uri.utf8.dropLast())))
        }
        return (String.joining(prefix.display, name), String.joining(prefix.uri, name))
    }
}

/// Which context files can change another file's findings: those naming a kind the model reads (policies,
/// namespaces, workloads and the charts that declare them, the kustomize / Flux structure that resolves namespaces).
/// A file without any of these names holds no object the rules see, so it is not parsed. A cheap byte search, so
/// editor-on-save stays fast in large repositories; a kind added to `ObjectKind` is a needle at once.
enum ContextFilter {
    static func mayMatter(_ bytes: [UInt8]) -> Bool {
        TextEncoding.normalized(bytes).withUnsafeBytes { raw in
            ObjectKind.manifestKinds.contains { ByteSearch.find($0, in: raw, from: 0) != nil }
        }
    }
}
