#if canImport(Glibc)
import Glibc
#endif

/// GitHub Actions workflow commands (INTEGRATIONS.md §B). GitHub shows at most 10 annotations per level and step,
/// so the most severe 10 of each level are emitted, then one notice counting the rest; the full table goes to
/// `$GITHUB_STEP_SUMMARY` (see `stepSummary`).
public struct GitHubReporter: Reporter {
    public static let perLevelLimit = 10
    public init() {}

    public func render(_ report: LintReport) -> String {
        var out = ""
        var shown: [Severity: Int] = [:]
        var hidden = 0
        for severity in [Severity.error, .warning, .note] {
            for f in report.findings where f.severity == severity {
                if shown[severity, default: 0] >= Self.perLevelLimit { hidden += 1; continue }
                shown[severity, default: 0] += 1
                let command = severity == .note ? "notice" : severity.rawValue
                var props = "file=\(Self.escapeProperty(report.files[Int(f.span.file)].uri)),line=\(f.span.line)"
                if f.span.endLine == f.span.line {
                    props += ",col=\(f.span.column)"
                    if f.span.endColumn > f.span.column { props += ",endColumn=\(f.span.endColumn)" }
                } else {
                    props += ",endLine=\(f.span.endLine)"
                }
                props += ",title=\(Self.escapeProperty("\(f.ruleID) \(report.rule(f.ruleID)?.name ?? "")"))"
                out += "::\(command) \(props)::\(Self.escapeData(f.message))\n"
            }
        }
        if hidden > 0 {
            out += "::notice title=netpol-lint::\(Self.escapeData("\(hidden) more finding\(hidden == 1 ? "" : "s") not shown as annotations (GitHub shows 10 per level); see the job summary or run with --format text"))\n"
        }
        return out
    }

    /// A markdown table of every finding, for `$GITHUB_STEP_SUMMARY`.
    public func stepSummary(_ report: LintReport) -> String {
        var md = "## netpol-lint\n\n\(report.summaryLine)\n\n"
        guard !report.findings.isEmpty else { return md + "No findings.\n" }
        md += "| severity | location | rule | message |\n|---|---|---|---|\n"
        for f in report.findings {
            let loc = "\(report.files[Int(f.span.file)].uri):\(f.span.line):\(f.span.column)"
            let msg = f.message.replacingAll("|", with: "\\|")
            md += "| \(f.severity.rawValue) | `\(loc)` | \(f.ruleID) \(report.rule(f.ruleID)?.name ?? "") | \(msg) |\n"
        }
        return md
    }

    /// Appends the summary to `$GITHUB_STEP_SUMMARY` when set.
    public func appendStepSummary(_ report: LintReport) {
        guard let path = getenv("GITHUB_STEP_SUMMARY").map({ String(cString: $0) }), !path.isEmpty else { return }
        guard let f = fopen(path, "a") else { return }
        defer { fclose(f) }
        fputs(stepSummary(report), f)
    }

    static func escapeData(_ s: String) -> String {
        s.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}
