/// Renders rule metadata as text, JSON and markdown. `docs/rules/` is generated from here (`generate-docs`) and a
/// test fails when the committed pages are stale.
public enum RuleDocumentation {
    public static let marker: Character = "↓"

    /// Lists show rules by id, whatever order the rule list registers them in.
    static func byID(_ rules: [RuleDescription]) -> [RuleDescription] { rules.sorted { $0.id < $1.id } }

    public static func stripMarkers(_ s: String) -> String { String(s.filter { $0 != marker }) }

    /// When a rule runs, in the README's words: `always`, `opt-in`, or the presets that turn it on.
    public static func runs(_ r: RuleDescription) -> String {
        r.presets.isEmpty ? (r.isEnabledByDefault ? "always" : "opt-in") : r.presets.joined(separator: ", ")
    }

    /// `netpol-lint rules`: a header and one line per rule, each column as wide as its widest cell.
    public static func table(_ rules: [RuleDescription]) -> String {
        let rows = [["ID", "NAME", "SEVERITY", "RUNS", "SUMMARY"]]
            + byID(rules).map { [$0.id, $0.name, $0.defaultSeverity.rawValue, runs($0), $0.summary] }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            out += (0..<4).map { row[$0].padding(widths[$0] + 2) }.joined() + row[4] + "\n"
        }
        return out
    }

    public static func json(_ rules: [RuleDescription]) -> String {
        JSON.array(byID(rules).map { r in
            .object([
                ("id", .string(r.id)), ("name", .string(r.name)), ("category", .string(r.category.rawValue)),
                ("severity", .string(r.defaultSeverity.rawValue)), ("enabledByDefault", .bool(r.isEnabledByDefault)),
                ("presets", .array(r.presets.map(JSON.string))), ("summary", .string(r.summary)),
                ("rationale", .string(r.rationale)), ("remediation", .string(r.remediation)),
                ("references", .array(r.references.map(JSON.string))),
            ] + (r.helpURI.map { [("helpUri", JSON.string($0))] } ?? []))
        }).serialized() + "\n"
    }

    public static func markdownIndex(_ rules: [RuleDescription]) -> String {
        var md = "| id | name | severity | runs | summary |\n|---|---|---|---|---|\n"
        for r in byID(rules) {
            let scope = r.presets.isEmpty ? runs(r) : r.presets.map { "`\($0)`" }.joined(separator: ", ")
            md += "| [\(r.id)](\(r.id).md) | `\(r.name)` | \(r.defaultSeverity.rawValue) | \(scope) | \(r.summary) |\n"
        }
        return md
    }

    /// One rule's page (also what `netpol-lint explain` prints).
    public static func page(_ r: RuleDescription) -> String {
        var md = "# \(r.id) \(r.name)\n\n\(r.summary).\n\n"
        md += "| | |\n|---|---|\n"
        md += "| category | \(r.category.rawValue) |\n| default severity | \(r.defaultSeverity.rawValue) |\n"
        md += "| enabled | \(r.presets.isEmpty ? (r.isEnabledByDefault ? "always" : "opt-in (`--enable \(r.id)`)") : "with preset " + r.presets.map { "`\($0)`" }.joined(separator: ", ")) |\n"
        if !r.appliesTo.isEmpty { md += "| applies to | \(r.appliesTo.map(\.rawValue).joined(separator: ", ")) |\n" }
        if let s = r.securitySeverity { md += "| security severity | \(s) |\n" }
        md += "| since | \(r.since) |\n\n"
        md += "## Why is this bad?\n\n\(r.rationale)\n\n## How to fix\n\n\(r.remediation)\n\n"
        if !r.parameters.isEmpty {
            md += "## Parameters\n\nSet under `rules: {\(r.id): {...}}` in `.netpol-lint.yaml`.\n\n| name | default | meaning |\n|---|---|---|\n"
            for p in r.parameters { md += "| `\(p.name)` | \(p.defaultValue) | \(p.summary) |\n" }
            md += "\n"
        }
        md += "## Suppressing\n\nOn the object: annotation `ignore-check.netpol-lint.io/\(r.id): \"reason\"` (or `/\(r.name)`). "
        md += "In the file: a comment `# netpol-lint: disable-next-line \(r.id) -- reason` above the line, or "
        md += "`# netpol-lint: disable-line \(r.id) -- reason` at the end of the line itself.\n\n"
        if !r.triggeringExamples.isEmpty {
            md += "## Examples that trigger it\n\n"
            for e in r.triggeringExamples { md += exampleBlock(e) }
        }
        if !r.nonTriggeringExamples.isEmpty {
            md += "## Examples that do not\n\n"
            for e in r.nonTriggeringExamples { md += exampleBlock(e) }
        }
        if !r.references.isEmpty {
            md += "## References\n\n" + r.references.map { "- <\($0)>\n" }.joined() + "\n"
        }
        return md
    }

    static func exampleBlock(_ e: Example) -> String {
        var md = ""
        if let c = e.configuration { md += "With `.netpol-lint.yaml`:\n\n```yaml\n\(c)\n```\n\n" }
        for f in e.files {
            if e.files.count > 1 || f.path != "policy.yaml" { md += "`\(f.path)`:\n\n" }
            md += "```yaml\n\(stripMarkers(f.content))\n```\n\n"
        }
        return md
    }

    /// Every generated file under `docs/rules/` by name.
    public static func files(_ rules: [RuleDescription]) -> [(String, String)] {
        let header = "<!-- generated by `netpol-lint generate-docs`; do not edit -->\n"
        var out = [("README.md", header + "# Rules\n\n" + markdownIndex(rules))]
        for r in rules { out.append(("\(r.id).md", header + page(r))) }
        return out
    }
}
