/// Renders `netpol-lint diff`: the flows whose verdict a change alters, grouped by namespace pair, with the rules that
/// decide each side, then the objects the change adds, removes, changes or moves. Text for a terminal, markdown for a
/// pull request's job summary (counts first, details folded), JSON for machines.
enum DiffPresentation {
    static func word(_ v: AuditVerdict) -> String {
        switch v {
        case .allowed: "allowed"
        case .denied: "denied"
        case .conditional: "conditional"
        }
    }

    static func headline(_ c: ConnectivityChange) -> String {
        switch c.change {
        case "newly-allowed": "newly allowed"
        case "newly-denied": "newly denied"
        default: "now conditional"
        }
    }

    static func pair(_ c: ConnectivityChange) -> String {
        "\(c.fromNamespace.isEmpty ? c.from : c.fromNamespace) → \(c.toNamespace.isEmpty ? c.to : c.toNamespace)"
    }

    static func summary(_ r: ConnectivityDiffReport) -> String {
        let objects = r.objects.filter { $0.change != "moved" }.count
        return "\(r.newlyAllowed) newly allowed, \(r.newlyDenied) newly denied, \(r.nowConditional) now conditional"
            + " (\(r.changed) flow\(r.changed == 1 ? "" : "s")); \(objects) object\(objects == 1 ? "" : "s") changed"
    }

    /// Changes in order, grouped by namespace pair.
    static func grouped(_ r: ConnectivityDiffReport) -> [(pair: String, changes: [ConnectivityChange])] {
        var out: [(pair: String, changes: [ConnectivityChange])] = []
        for c in r.changes {
            let p = pair(c)
            if out.last?.pair == p { out[out.count - 1].changes.append(c) } else { out.append((p, [c])) }
        }
        return out
    }

    static func rules(_ evidence: [AuditEvidence]) -> String {
        guard !evidence.isEmpty else { return "no policy decides (not enforced)" }
        return evidence.prefix(4).map { "\($0.verb) by \($0.description)" }
            .joined(separator: "; ") + (evidence.count > 4 ? "; ..." : "")
    }
}

public struct DiffTextReporter {
    public let report: ConnectivityDiffReport
    public init(report: ConnectivityDiffReport) { self.report = report }

    public func render() -> String {
        let r = report
        var out = "Connectivity from \(r.base) to \(r.head): \(DiffPresentation.summary(r))\n"
        for (pair, changes) in DiffPresentation.grouped(r) {
            out += "\n\(pair)\n"
            for c in changes {
                out += "  \(DiffPresentation.headline(c)): \(c.from) -> \(c.to) on \(c.port) (was \(DiffPresentation.word(c.before)))\n"
                out += "      before: \(DiffPresentation.rules(c.beforeRules))\n"
                out += "      after:  \(DiffPresentation.rules(c.afterRules))\n"
            }
        }
        if !r.objects.isEmpty {
            out += "\nObjects\n"
            for o in r.objects {
                let name = (o.namespace.map { "\($0)/" } ?? "") + o.name
                let place = o.headPath.map { " (\($0):\(o.headLine ?? 1))" } ?? o.basePath.map { " (was \($0):\(o.baseLine ?? 1))" } ?? ""
                out += "  \(o.change): \(o.kind) \(name)\(place)"
                if o.change == "moved", let from = o.basePath { out += " from \(from)" }
                out += "\n"
                for f in o.fields.prefix(8) { out += "      \(f.path): \(f.git ?? "(absent)") -> \(f.live ?? "(absent)")\n" }
                if o.fields.count > 8 { out += "      ... and \(o.fields.count - 8) more fields\n" }
            }
        }
        for n in r.notes { out += "note: \(n)\n" }
        return out
    }
}

public struct DiffMarkdownReporter {
    public let report: ConnectivityDiffReport
    public init(report: ConnectivityDiffReport) { self.report = report }

    /// Text in a table cell or a line: markdown and HTML characters escaped, no line breaks (the audit's escaper).
    static func inline(_ s: String) -> String { AuditMarkdownReporter.inline(s) }

    public func render() -> String {
        let r = report
        var out = "## Connectivity changes\n\n"
        let icon = r.changes.isEmpty ? "✅" : "⚠️"
        out += "\(icon) **\(r.newlyAllowed) newly allowed · \(r.newlyDenied) newly denied · \(r.nowConditional) now conditional** "
        out += "— from \(Self.inline(r.base)) to \(Self.inline(r.head))\n\n"
        if r.changes.isEmpty { out += "No flow changes its verdict.\n\n" }
        let groups = DiffPresentation.grouped(r)
        if !groups.isEmpty {
            out += "| namespaces | newly allowed | newly denied | now conditional |\n|---|---|---|---|\n"
            for (pair, changes) in groups {
                out += "| \(Self.inline(pair)) | \(changes.filter { $0.after == .allowed }.count) | \(changes.filter { $0.after == .denied }.count) | \(changes.filter { $0.after == .conditional }.count) |\n"
            }
            out += "\n"
            for (pair, changes) in groups {
                out += "<details><summary>\(Self.inline(pair)): \(changes.count) flow\(changes.count == 1 ? "" : "s")</summary>\n\n"
                out += "| change | from | to | port | before | after | decided by (after) | decided by (before) |\n|---|---|---|---|---|---|---|---|\n"
                for c in changes {
                    out += "| \(DiffPresentation.headline(c)) | \(Self.inline(c.from)) | \(Self.inline(c.to)) | \(Self.inline(c.port)) | "
                    out += "\(DiffPresentation.word(c.before)) | \(DiffPresentation.word(c.after)) | "
                    out += "\(Self.inline(DiffPresentation.rules(c.afterRules))) | \(Self.inline(DiffPresentation.rules(c.beforeRules))) |\n"
                }
                out += "\n</details>\n\n"
            }
        }
        let objects = r.objects
        if !objects.isEmpty {
            out += "<details><summary>Objects: \(objects.filter { $0.change == "added" }.count) added, \(objects.filter { $0.change == "removed" }.count) removed, \(objects.filter { $0.change == "changed" }.count) changed, \(objects.filter { $0.change == "moved" }.count) moved</summary>\n\n"
            out += "| change | kind | object | where | fields |\n|---|---|---|---|---|\n"
            for o in objects {
                let name = (o.namespace.map { "\($0)/" } ?? "") + o.name
                let place = o.headPath.map { "\($0):\(o.headLine ?? 1)" } ?? o.basePath.map { "\($0):\(o.baseLine ?? 1)" } ?? ""
                let fields = o.fields.prefix(6).map { "\($0.path): \($0.git ?? "(absent)") → \($0.live ?? "(absent)")" }.joined(separator: "; ")
                out += "| \(o.change) | \(Self.inline(o.kind)) | \(Self.inline(name)) | \(Self.inline(place)) | \(Self.inline(fields)) |\n"
            }
            out += "\n</details>\n\n"
        }
        for n in r.notes { out += "> \(Self.inline(n))\n\n" }
        return out
    }
}

public struct DiffJSONReporter {
    public static let schemaVersion = 1
    public let report: ConnectivityDiffReport
    public init(report: ConnectivityDiffReport) { self.report = report }

    public func render() -> String {
        let r = report
        let doc: JSON = .object([
            ("schemaVersion", .int(Self.schemaVersion)),
            ("tool", .object([("name", .string("netpol-lint")), ("version", .string(NetpolLint.version))])),
            ("base", .string(r.base)), ("head", .string(r.head)),
            ("summary", .object([("newlyAllowed", .int(r.newlyAllowed)), ("newlyDenied", .int(r.newlyDenied)),
                                 ("nowConditional", .int(r.nowConditional)), ("objects", .int(r.objects.filter { $0.change != "moved" }.count))])),
            ("changes", .array(r.changes.map { c in
                .object([
                    ("change", .string(c.change)), ("from", .string(c.from)), ("to", .string(c.to)),
                    ("fromNamespace", .string(c.fromNamespace)), ("toNamespace", .string(c.toNamespace)), ("port", .string(c.port)),
                    ("before", .string(c.before.rawValue)), ("after", .string(c.after.rawValue)),
                    ("beforeRules", .array(c.beforeRules.map(AuditJSONReporter.evidence))),
                    ("afterRules", .array(c.afterRules.map(AuditJSONReporter.evidence))),
                    ("beforeReason", AuditJSONReporter.optional(c.beforeReason)), ("afterReason", AuditJSONReporter.optional(c.afterReason)),
                ])
            })),
            ("objects", .array(r.objects.map { o in
                .object([
                    ("change", .string(o.change)), ("kind", .string(o.kind)), ("namespace", AuditJSONReporter.optional(o.namespace)),
                    ("name", .string(o.name)),
                    ("fields", .array(o.fields.map { .object([("path", .string($0.path)), ("base", AuditJSONReporter.optional($0.git)), ("head", AuditJSONReporter.optional($0.live))]) })),
                    ("basePath", AuditJSONReporter.optional(o.basePath)), ("baseLine", o.baseLine.map(JSON.int) ?? .null),
                    ("headPath", AuditJSONReporter.optional(o.headPath)), ("headLine", o.headLine.map(JSON.int) ?? .null),
                ])
            })),
            ("pairsChecked", .int(r.pairsChecked)), ("truncated", .bool(r.truncated)),
            ("notes", .array(r.notes.map(JSON.string))),
        ])
        return doc.serialized() + "\n"
    }
}
