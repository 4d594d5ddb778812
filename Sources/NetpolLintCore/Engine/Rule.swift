public enum RuleCategory: String, Sendable, CaseIterable, Codable {
    case structure = "Structure"
    case convention = "Convention"
    case semantics = "Semantics"
    case custom = "Custom"
}

/// A manifest used both as documentation and as a test. `↓` marks where each finding must land (it is removed
/// before parsing). Multi-file examples use `files`.
public struct Example: Sendable, Hashable {
    public var files: [(path: String, content: String)]
    /// Preset and rule options the example needs, as `.netpol-lint.yaml` text.
    public var configuration: String?
    public var sourceFile: String
    public var sourceLine: Int

    public init(_ content: String, path: String = "policy.yaml", configuration: String? = nil,
                file: StaticString = #filePath, line: UInt = #line) {
        self.files = [(path, content)]
        self.configuration = configuration
        self.sourceFile = "\(file)"
        self.sourceLine = Int(line)
    }

    public init(files: [(String, String)], configuration: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        self.files = files.map { (path: $0.0, content: $0.1) }
        self.configuration = configuration
        self.sourceFile = "\(file)"
        self.sourceLine = Int(line)
    }

    public static func == (a: Example, b: Example) -> Bool {
        a.files.map(\.path) == b.files.map(\.path) && a.files.map(\.content) == b.files.map(\.content)
            && a.configuration == b.configuration
    }

    public func hash(into h: inout Hasher) {
        for f in files { h.combine(f.path); h.combine(f.content) }
    }
}

/// A typed rule parameter, set in `.netpol-lint.yaml` under `rules: <id>: <name>: value`.
public struct RuleParameter: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string, strings, stringMap, regexMap
        case choice([String])
    }
    public var name: String
    public var kind: Kind
    public var defaultValue: String
    public var summary: String

    public init(_ name: String, _ kind: Kind, default defaultValue: String, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Why `value` does not fit this parameter, or nil.
    public func problem(with value: ConfigValue) -> String? {
        switch kind {
        case .string:
            return value.string == nil ? "must be a single value, not \(value.typeName)" : nil
        case .strings:
            return value.strings == nil ? "must be a list of strings" : nil
        case .stringMap:
            return value.map == nil ? "must be a mapping of strings" : nil
        case .regexMap:
            guard let m = value.map else { return "must be a mapping of folder name to PCRE2 pattern" }
            for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                do { _ = try Regex(v) } catch { return "pattern for '\(k)' is not valid PCRE2: \(error.message)" }
            }
            return nil
        case .choice(let options):
            guard let s = value.string, options.contains(s) else { return "must be one of \(options.joined(separator: ", "))" }
            return nil
        }
    }
}

/// Everything known about a rule; docs, `rules`, `explain`, SARIF metadata and tests are generated from it.
public struct RuleDescription: Sendable {
    public var id: String
    public var name: String
    public var category: RuleCategory
    public var defaultSeverity: Severity
    public var isEnabledByDefault: Bool
    /// Runs only under these presets (empty: convention-free, runs everywhere).
    public var presets: [String]
    public var appliesTo: [ObjectKind]
    public var summary: String
    public var rationale: String
    public var remediation: String
    public var references: [String]
    public var since: String
    public var parameters: [RuleParameter]
    /// GitHub `security-severity` (0.1–10.0) for rules that are security findings.
    public var securitySeverity: Double?
    /// The rule takes long on a large repository (it follows every flow through the semantics engine): when rules run
    /// in parallel it is started first, so that the others share the remaining threads meanwhile.
    public var runsLong: Bool
    public var triggeringExamples: [Example]
    public var nonTriggeringExamples: [Example]

    public init(id: String, name: String, category: RuleCategory, defaultSeverity: Severity,
                isEnabledByDefault: Bool = true, presets: [String] = [], appliesTo: [ObjectKind] = [],
                summary: String, rationale: String, remediation: String, references: [String] = [],
                since: String = "0.1.0", parameters: [RuleParameter] = [], securitySeverity: Double? = nil,
                runsLong: Bool = false, triggeringExamples: [Example], nonTriggeringExamples: [Example]) {
        self.id = id
        self.name = name
        self.category = category
        self.defaultSeverity = defaultSeverity
        self.isEnabledByDefault = isEnabledByDefault
        self.presets = presets
        self.appliesTo = appliesTo
        self.summary = summary
        self.rationale = rationale
        self.remediation = remediation
        self.references = references
        self.since = since
        self.parameters = parameters
        self.securitySeverity = securitySeverity
        self.runsLong = runsLong
        self.triggeringExamples = triggeringExamples
        self.nonTriggeringExamples = nonTriggeringExamples
    }

    /// The rule's page on the project's home, when it has one (see `NetpolLint.homepage`).
    public var helpURI: String? { NetpolLint.homepage.map { "\($0)/blob/main/docs/rules/\(id).md" } }
}

/// A lint rule: a value type with static metadata and a check over the whole context. A check reads only the typed
/// model; it reports on the object it found the problem in (`Finding.object`) so suppression works.
public protocol Rule: Sendable {
    static var description: RuleDescription { get }
    init()
    func check(_ context: LintContext) -> [Finding]
    /// The rule as a `SuppressionAuditing` one, nil for the others. A requirement rather than a dynamic cast: a cast
    /// that fails searches every protocol conformance in the binary, once per rule type and run.
    static var suppressionAuditor: (any SuppressionAuditing)? { get }
}

extension Rule {
    public var description: RuleDescription { Self.description }
    public static var suppressionAuditor: (any SuppressionAuditing)? { nil }
}
