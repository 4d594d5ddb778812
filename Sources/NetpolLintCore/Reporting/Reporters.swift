public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github
}

public enum NetpolLint {
    /// Kept on one line as written: scripts/version.sh reads it (release archive names, the GitHub Action's default).
    public static let version = "0.1.0"
    /// Where the project lives on the web, for help links (SARIF `informationUri` / `helpUri`). None is published yet,
    /// so none is written: a link must lead to a real page or be left out.
    public static let homepage: String? = nil
}

/// Turns a report into the bytes of one output format. One reporter per format; all read the same `LintReport`.
public protocol Reporter {
    func render(_ report: LintReport) -> String
}

public func reporter(for format: OutputFormat) -> any Reporter {
    switch format {
    case .text: TextReporter()
    case .json: JSONReporter()
    case .sarif: SARIFReporter()
    case .github: GitHubReporter()
    }
}

extension LintReport {
    public func rule(_ id: String) -> RuleDescription? { rules.first { $0.id == id } }

    public func label(_ f: Finding) -> String {
        "[\(f.ruleID) \(rule(f.ruleID)?.name ?? "")]"
    }

    public func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    /// The rules with the most findings, most first (ties by id): `6 NP205 any-port, 3 NP102 invalid-value`.
    public func ruleCounts(top: Int) -> String? {
        var counts: [String: Int] = [:]
        for f in findings { counts[f.ruleID, default: 0] += 1 }
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        guard !sorted.isEmpty else { return nil }
        var parts = sorted.prefix(top).map { "\($0.value) \($0.key) \(rule($0.key)?.name ?? "")" }
        if sorted.count > top { parts.append("\(sorted.dropFirst(top).reduce(0) { $0 + $1.value }) more in \(sorted.count - top) other rules") }
        return parts.joined(separator: ", ")
    }

    /// `3 errors, 1 warning, 0 notes in 12 files`.
    public var summaryLine: String {
        func n(_ c: Int, _ w: String) -> String { "\(c) \(w)\(c == 1 ? "" : "s")" }
        let s = statistics
        let context = (s.contextFiles == 0 ? "" : "; \(n(s.contextFiles, "more file")) read as context")
            + (accepted == 0 ? "" : "; \(n(accepted, "accepted finding")) not shown")
        return "\(n(count(.error), "error")), \(n(count(.warning), "warning")), \(n(count(.note), "note")) in "
            + "\(n(s.filesDiscovered - s.contextFiles, "file")) (\(n(s.objects - s.contextObjects, "object")))" + context
    }
}

/// `path:line:col: severity: message [NP101 unknown-field]`, one per line (GNU style, parsed by editors), sorted by
/// path and position. A finding's related locations follow it, indented and without a severity
/// (`    path:line:col: message`): problem matchers, which want a severity after the position, skip them, and they
/// neither break the sort order nor count as findings.
public struct TextReporter: Reporter {
    public static let relatedIndent = "    "
    /// ANSI colours (a terminal only: `--color`, `NO_COLOR`): the position bold, the severity in its colour, the rule
    /// in magenta, related locations dim. The text between the escapes is the plain format, unchanged.
    public var color: Bool

    public init(color: Bool = false) { self.color = color }

    public func render(_ report: LintReport) -> String {
        var out = ""
        for f in report.findings {
            let position = "\(report.files[Int(f.span.file)].path):\(f.span.line):\(f.span.column):"
            out += "\(paint(position, "1")) \(paint(f.severity.rawValue + ":", Self.code(f.severity))) \(f.message) \(paint(report.label(f), "35"))\n"
            for r in f.related {
                out += paint("\(Self.relatedIndent)\(report.files[Int(r.span.file)].path):\(r.span.line):\(r.span.column): \(r.message)", "2") + "\n"
            }
        }
        return out
    }

    static func code(_ severity: Severity) -> String {
        switch severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}

/// Whether output to a stream is coloured: `always` and `never` are obeyed; `auto` colours a terminal unless
/// `NO_COLOR` is set to something (https://no-color.org) or `TERM` is `dumb`.
public enum ColorChoice: String, Sendable, CaseIterable {
    case auto, always, never

    public func enabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }
}

/// The JSON document described in docs/output.md.
public struct JSONReporter: Reporter {
    /// 2: `object.kind` is the full kind name (`CiliumNetworkPolicy`), as in `trace` and `audit` JSON (1 had `CNP`).
    public static let schemaVersion = 2

    public init() {}
    public func render(_ report: LintReport) -> String {
        func location(_ s: Span) -> [(String, JSON)] {
            [("path", .string(report.files[Int(s.file)].path)), ("uri", .string(report.files[Int(s.file)].uri)),
             ("line", .int(Int(s.line))), ("column", .int(Int(s.column))),
             ("endLine", .int(Int(s.endLine))), ("endColumn", .int(Int(s.endColumn)))]
        }
        let findings: [JSON] = report.findings.map { f in
            var pairs: [(String, JSON)] = [("ruleId", .string(f.ruleID)), ("ruleName", .string(report.rule(f.ruleID)?.name ?? "")),
                                           ("severity", .string(f.severity.rawValue)), ("message", .string(f.message))]
            pairs += location(f.span)
            if let o = f.object.flatMap(report.objectRef) { pairs.append(("object", o)) }
            pairs.append(("related", .array(f.related.map { r in .object(location(r.span) + [("message", .string(r.message))]) })))
            pairs.append(("fingerprint", .string(f.fingerprint)))
            return .object(pairs)
        }
        let s = report.statistics
        return JSON.object([
            ("schemaVersion", .int(Self.schemaVersion)),
            ("tool", .object([("name", .string("netpol-lint")), ("version", .string(NetpolLint.version))])),
            ("summary", .object([("errors", .int(report.count(.error))), ("warnings", .int(report.count(.warning))),
                                 ("notes", .int(report.count(.note))), ("files", .int(s.filesDiscovered)),
                                 ("filesParsed", .int(s.filesParsed)), ("documents", .int(s.documents)),
                                 ("objects", .int(s.objects)), ("bytes", .int(s.bytes)),
                                 ("contextFiles", .int(s.contextFiles)), ("accepted", .int(report.accepted))])),
            ("findings", .array(findings)),
        ]).serialized() + "\n"
    }
}

extension LintReport {
    /// Object references by object index, filled by the engine for JSON / SARIF logical locations.
    public func objectRef(_ index: Int) -> JSON? {
        objectSummaries[index].map { .object([("kind", .string($0.kind)), ("namespace", $0.namespace.map(JSON.string) ?? .null), ("name", .string($0.name))]) }
    }
}

/// Stable identity of a finding that survives line moves: rule, file, object and message.
public func fingerprint(_ parts: [String]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for p in parts {
        for b in p.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h = (h ^ 0xFF) &* 0x100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
