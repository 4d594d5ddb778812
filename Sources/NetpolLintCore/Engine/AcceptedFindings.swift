/// A file of accepted findings (`check --write-accepted FILE`, `check --accepted FILE`): the findings a team has today
/// when it adopts netpol-lint, recorded by fingerprint, so that CI fails only on new ones while the old ones are
/// fixed one by one. It is not the audit's documented network baseline: it accepts lint findings, nothing more.
///
/// The file is JSON, written sorted so that its diffs are readable; `rule`, `path`, `line` and `message` are there for
/// people (and for the report of entries that no longer occur), only `fingerprint` is matched.
public struct AcceptedFindings: Sendable, Equatable {
    public static let kind = "netpol-lint accepted findings"
    public static let version = 1
    public static let defaultFileName = ".netpol-lint-accepted.json"

    public struct Entry: Sendable, Equatable {
        public var fingerprint: String
        public var rule: String
        /// Repository-relative, as SARIF URIs.
        public var path: String
        public var line: Int
        public var message: String
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { ($0.path, $0.line, $0.rule, $0.fingerprint) < ($1.path, $1.line, $1.rule, $1.fingerprint) }
    }

    /// The findings of a report as entries.
    public init(_ report: LintReport) {
        self.init(entries: report.findings.map { f in
            Entry(fingerprint: f.fingerprint, rule: f.ruleID, path: report.files[Int(f.span.file)].uri,
                  line: Int(f.span.line), message: f.message)
        })
    }

    /// What a run may judge: the rules that ran over the files under `roots` (repository-relative; "." is all).
    public struct Scope: Sendable {
        public var roots: [String]
        public var rules: Set<String>
        public init(roots: [String], rules: Set<String>) {
            self.roots = roots
            self.rules = rules
        }
        public func contains(_ e: Entry) -> Bool {
            rules.contains(e.rule) && roots.contains { $0 == "." || e.path == $0 || e.path.hasPrefix($0 + "/") }
        }
    }

    /// Applies the file to a report: accepted findings leave it. Returns how many left, and the entries within
    /// `scope` that no longer occur (fixed, or changed beyond recognition): the file can shrink by them.
    public func apply(to report: inout LintReport, scope: Scope) -> (accepted: Int, stale: [Entry]) {
        let accepted = Set(entries.map(\.fingerprint))
        let before = report.findings.count
        let present = Set(report.findings.map(\.fingerprint))
        report.findings.removeAll { accepted.contains($0.fingerprint) }
        let stale = entries.filter { scope.contains($0) && !present.contains($0.fingerprint) }
        return (before - report.findings.count, stale)
    }

    /// The file rewritten after a run: the run's findings replace the entries within `scope`; entries outside it
    /// (other folders, rules that did not run) are kept.
    public func updated(with report: LintReport, scope: Scope) -> AcceptedFindings {
        AcceptedFindings(entries: entries.filter { !scope.contains($0) } + AcceptedFindings(report).entries)
    }

    public func serialized() -> String {
        JSON.object([
            ("kind", .string(Self.kind)),
            ("version", .int(Self.version)),
            ("findings", .array(entries.map { e in
                .object([("fingerprint", .string(e.fingerprint)), ("rule", .string(e.rule)), ("path", .string(e.path)),
                         ("line", .int(e.line)), ("message", .string(e.message))])
            })),
        ]).serialized() + "\n"
    }

    /// Reads a file written by `serialized()`. Problems are one line each, `file:line:col: error: …`.
    public static func parse(_ bytes: [UInt8], file: String) -> Result<AcceptedFindings, AcceptedFindingsError> {
        func failure(_ message: String, at offset: Int = 0) -> Result<AcceptedFindings, AcceptedFindingsError> {
            var line = 1, column = 1
            for b in bytes.prefix(max(0, min(offset, bytes.count))) {
                if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            return .failure(AcceptedFindingsError(description: "\(file):\(line):\(column): error: \(message)"))
        }
        let json: JSON
        do throws(JSONParseError) { json = try JSON.parse(bytes) } catch {
            return failure("not an accepted-findings file: \(error.message)", at: error.offset)
        }
        guard let top = json.objectValue else { return failure("not an accepted-findings file: expected a JSON object") }
        for (key, _) in top where !["kind", "version", "findings"].contains(key) {
            return failure("unknown key '\(key)' (expected kind, version, findings)")
        }
        guard json["kind"]?.stringValue == kind else { return failure("not an accepted-findings file: \"kind\" must be \"\(kind)\"") }
        guard let version = json["version"]?.intValue, version == Self.version else {
            return failure("unsupported version (this netpol-lint reads version \(Self.version))")
        }
        guard let list = json["findings"]?.arrayValue else { return failure("\"findings\" must be a list") }
        var entries: [Entry] = []
        for (i, item) in list.enumerated() {
            guard let fingerprint = item["fingerprint"]?.stringValue, fingerprint.utf8.count == 16,
                  fingerprint.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                return failure("findings[\(i)]: \"fingerprint\" must be 16 lowercase hex digits, as --write-accepted writes them")
            }
            entries.append(Entry(fingerprint: fingerprint, rule: item["rule"]?.stringValue ?? "",
                                 path: item["path"]?.stringValue ?? "", line: item["line"]?.intValue ?? 0,
                                 message: item["message"]?.stringValue ?? ""))
        }
        return .success(AcceptedFindings(entries: entries))
    }
}

public struct AcceptedFindingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
