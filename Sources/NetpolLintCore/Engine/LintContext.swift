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

    public init(files: [SourceFile], objects: [KubeObject], modelIssues: [(issue: ModelIssue, object: Int)],
                fileIssues: [FileIssue], configuration: Configuration) {
        self.files = files
        self.objects = objects
        self.modelIssues = modelIssues
        self.fileIssues = fileIssues
        self.configuration = configuration
    }

    public var ciliumVersion: CiliumVersion { configuration.ciliumVersion }

    /// Indices of objects of the given kinds.
    public func indices(of kinds: ObjectKind...) -> [Int] {
        objects.indices.filter { kinds.contains(objects[$0].kind) }
    }

    /// Cilium policies (CNP and CCNP) with their object index.
    public var ciliumPolicies: [(index: Int, object: KubeObject, policy: CiliumPolicy)] {
        objects.enumerated().compactMap { i, o in o.cilium.map { (i, o, $0) } }
    }

    public func path(of span: Span) -> String { files[Int(span.file)].path }
}
