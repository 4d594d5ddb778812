/// A range in a source file: 1-based lines, 1-based code-point columns, `endColumn` one past the last character.
public struct Span: Sendable, Hashable, Comparable {
    public var file: Int32
    public var line: Int32
    public var column: Int32
    public var endLine: Int32
    public var endColumn: Int32

    public init(file: Int32, line: Int32, column: Int32, endLine: Int32? = nil, endColumn: Int32? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine ?? line
        self.endColumn = endColumn ?? column
    }

    public static func < (a: Span, b: Span) -> Bool {
        (a.file, a.line, a.column, a.endLine, a.endColumn) < (b.file, b.line, b.column, b.endLine, b.endColumn)
    }
}

/// A value read from YAML together with where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var span: Span
    public init(_ value: Value, _ span: Span) {
        self.value = value
        self.span = span
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case note, warning, error

    var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A secondary location that explains a finding ("the counterpart is here").
public struct RelatedLocation: Sendable, Hashable {
    public var span: Span
    public var message: String
    public init(_ span: Span, _ message: String) {
        self.span = span
        self.message = OneLine.clean(message)
    }
}

/// A fix a finding can offer because it is unambiguous (`toPort` → `toPorts`, `tcp` → `TCP`): replace the text of
/// `span` (one line; `endColumn` one past the last character) with `replacement`. Editors offer it as a quick fix.
public struct Fix: Sendable, Hashable {
    /// What applying it does, for a person: `Replace 'toPort' with 'toPorts'`.
    public var title: String
    public var span: Span
    public var replacement: String

    public init(_ title: String, replacing span: Span, with replacement: String) {
        self.title = title
        self.span = span
        self.replacement = replacement
    }
}

/// One problem found by a rule. Rules fill `message`, `span`, `object` and `related`; the engine fills `ruleID`
/// and `severity` from the rule list and the configuration.
public struct Finding: Sendable, Hashable {
    public var ruleID: String
    public var severity: Severity
    public var message: String
    public var span: Span
    /// Index into `LintContext.objects` of the object the finding is about (used for annotation suppression).
    public var object: Int?
    public var related: [RelatedLocation]
    /// Set by rules whose findings carry their own severity (custom rules); wins over the rule's severity.
    public var severityOverride: Severity?
    /// Set by the engine (`Fingerprints`): the finding's identity across runs, for accepted findings and SARIF.
    public var fingerprint = ""
    /// The fix, when the finding has exactly one (see `Fix`).
    public var fix: Fix?

    public init(_ message: String, at span: Span, object: Int? = nil, related: [RelatedLocation] = []) {
        self.ruleID = ""
        self.severity = .warning
        self.message = OneLine.clean(message)
        self.span = span
        self.object = object
        self.related = related
    }
}
