import Dispatch
import Synchronization

/// Values derived once per run and shared by the rules that read them (the convention in force, the semantics).
public final class RunCache: Sendable {
    private enum Slot: Sendable {
        case ready(any Sendable)
        /// Being built by another thread: wait on the group, then read it.
        case building(DispatchGroup)
    }
    private let values = Locked<[String: Slot]>([:])

    public init() {}

    /// The value stored under `key`, built on first use, once even when rules run on several threads (the others
    /// wait for it). `build` runs outside the lock, so it may use the cache for other keys.
    public func value<T: Sendable>(_ key: String, _ build: () -> T) -> T {
        while true {
            let (found, wait, mine): (T?, DispatchGroup?, DispatchGroup?) = values.withLock { slots in
                switch slots[key] {
                case .ready(let v)?:
                    if let v = v as? T { return (v, nil, nil) }
                case .building(let group)?:
                    return (nil, group, nil)
                case nil:
                    break
                }
                let group = DispatchGroup()
                group.enter()
                slots[key] = .building(group)
                return (nil, nil, group)
            }
            if let found { return found }
            if let mine {
                let v = build()
                values.withLock { $0[key] = .ready(v) }
                mine.leave()
                return v
            }
            wait?.wait()
        }
    }
}

/// A file that was read (or refused) during the run.
public struct SourceFile: Sendable {
    /// As shown to people: relative to the current directory when inside it.
    public var path: String
    /// Relative to the repository root (SARIF `artifactLocation.uri`).
    public var uri: String
    public var directives: Directives
    /// Findings are reported for this file (false for context-only files in `--stdin` mode).
    public var isTarget: Bool
}

/// A file-level problem found before or during parsing, reported by NP100 / NP105 / NP106.
public struct FileIssue: Sendable, Hashable {
    public var rule: String
    public var message: String
    public var span: Span
}

/// What a rule sees: every file, every decoded object, the decoder's issues and the configuration.
public struct LintContext: Sendable {
    public let files: [SourceFile]
    public let objects: [KubeObject]
    /// Model issues with the global index of their object.
    public let modelIssues: [(issue: ModelIssue, object: Int)]
    public let fileIssues: [FileIssue]
    public let configuration: Configuration
    public let inventory: Inventory
    /// The configuration file as a source file, for findings about the repository as a whole.
    public let configurationFile: Int32?
    /// Derived values shared by rules (see `RunCache`).
    public let cache = RunCache()
    /// What the context was built from (every file's outcome, the kustomize / Flux namespaces), kept with it when
    /// the run's report keeps the model (`LintRequest.reportKeepsModel`): a process about to exit need not free them
    /// first, and freeing them one object at a time costs more than holding them.
    let retained: [any Sendable]

    public init(files: [SourceFile], objects: [KubeObject], modelIssues: [(issue: ModelIssue, object: Int)],
                fileIssues: [FileIssue], configuration: Configuration, configurationFile: Int32? = nil) {
        self.init(files: files, objects: objects, modelIssues: modelIssues, fileIssues: fileIssues,
                  configuration: configuration, configurationFile: configurationFile, memo: nil)
    }

    /// `memo`: a `Workspace`'s, which keeps what an edit of a policy does not change. `applied`: the kustomize and
    /// Flux namespaces, when the caller has them worked out on another thread.
    init(files: [SourceFile], objects: [KubeObject], modelIssues: [(issue: ModelIssue, object: Int)],
         fileIssues: [FileIssue], configuration: Configuration, configurationFile: Int32?, memo: AppliedNamespacesMemo?,
         applied: Background<AppliedNamespaces>? = nil, retaining: [any Sendable] = []) {
        retained = retaining
        self.files = files
        self.objects = objects
        self.modelIssues = modelIssues
        self.fileIssues = fileIssues
        self.configuration = configuration
        self.configurationFile = configurationFile
        self.inventory = Inventory(files: files, objects: objects, memo: memo, applied: applied)
    }

    /// The parameters configured for a rule (`rules: <id or name>: {...}`), validated by the engine.
    public func parameters(_ rule: RuleDescription) -> [String: ConfigValue] {
        for (key, setting) in configuration.rules where key.uppercased() == rule.id || key == rule.name {
            return setting.parameters
        }
        return [:]
    }

    /// Where to report a finding about the repository as a whole: the configuration's `preset:` line when there is a
    /// configuration file.
    public var repositoryAnchor: Span? {
        configurationFile.map { Span(file: $0, line: Int32(configuration.presetLine ?? 1), column: 1) }
    }

    /// The resolved namespace of an object (see `Inventory`).
    public func namespace(of object: Int) -> String? { inventory.namespace(of: object) }
    /// Every namespace the object is applied in (several for a shared kustomize component or base).
    public func namespaces(of object: Int) -> [String] { inventory.namespaces(of: object) }

    /// The folder of the file an object is in, relative to the repository root.
    public func folder(of object: Int) -> String { FilePath.dirname(files[Int(objects[object].span.file)].uri) }

    /// The labels and annotations of every object that `matches` accepts, with their object's index: an object's
    /// labels before its annotations, then (with `podTemplates`) those of its pod template, except for a Pod, whose
    /// template is itself. Read in place: every object is looked at, and rules ask for keys that nearly none has.
    public func metadata(podTemplates: Bool = false, where matches: (KeyValue) -> Bool) -> [(object: Int, pair: KeyValue)] {
        var out: [(object: Int, pair: KeyValue)] = []
        func visit(_ pairs: [KeyValue], _ i: Int) {
            for k in pairs.indices where matches(pairs[k]) { out.append((i, pairs[k])) }
        }
        for i in objects.indices {
            visit(objects[i].meta.labels, i)
            visit(objects[i].meta.annotations, i)
            if podTemplates, objects[i].kind != .pod, case .workload(let t?) = objects[i].body {
                visit(t.labels, i)
                visit(t.annotations, i)
            }
        }
        return out
    }

    /// The repository's policies, all together (built on first use; `wellKnown` comes from the convention).
    public func semantics(wellKnown: [WellKnownEndpoint]) -> Semantics {
        cache.value("semantics") {
            Semantics(objects: objects, inventory: inventory, wellKnown: wellKnown, ciliumVersion: configuration.ciliumVersion)
        }
    }

    public var ciliumVersion: CiliumVersion { configuration.ciliumVersion }

    /// Indices of objects of the given kinds.
    public func indices(of kinds: ObjectKind...) -> [Int] {
        objects.indices.filter { kinds.contains(objects[$0].kind) }
    }

    /// Cilium policies (CNP and CCNP) with their object index.
    public var ciliumPolicies: [(index: Int, object: KubeObject, policy: CiliumPolicy)] {
        objects.indices.compactMap { i in
            guard objects[i].kind.isCilium, let policy = objects[i].cilium else { return nil }
            return (i, objects[i], policy)
        }
    }

    public func path(of span: Span) -> String { files[Int(span.file)].path }
}
