/// The audit as one versioned JSON document (the schema is in docs/audit.md). Field names and value
/// vocabularies are stable: tests and users rely on them.
public struct AuditJSONReporter {
    public static let schemaVersion = 1
    public let report: AuditReport

    public init(report: AuditReport) { self.report = report }

    public func render() -> String { document().serialized() + "\n" }

    static func optional(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }

    static func evidence(_ e: AuditEvidence) -> JSON {
        .object([
            ("kind", .string(e.kind)), ("namespace", optional(e.namespace)), ("name", .string(e.name)),
            ("rule", optional(e.rule)), ("effect", .string(e.effect)), ("direction", .string(e.direction)),
            ("path", .string(e.path)), ("line", .int(e.line)), ("certain", .bool(e.certain)),
        ])
    }

    static func check(_ c: AuditCheck) -> JSON {
        .object([
            ("from", .string(c.from)), ("to", .string(c.to)), ("port", .string(c.port)),
            ("verdict", .string(c.verdict.rawValue)), ("reason", optional(c.reason)),
            ("decidedBy", .array(c.decidedBy.map(evidence))),
        ])
    }

    public func document() -> JSON {
        let r = report
        let s = r.summary
        var fields: [(String, JSON)] = [
            ("schemaVersion", .int(Self.schemaVersion)),
            ("tool", .object([("name", .string("netpol-lint")), ("version", .string(NetpolLint.version))])),
            ("spec", r.specName == nil ? .null : .object([("name", Self.optional(r.specName)), ("path", Self.optional(r.specPath))])),
            ("paths", .array(r.paths.map(JSON.string))),
            ("preset", Self.optional(r.preset)),
            ("passed", .bool(r.passed)),
            ("summary", .object([
                ("pass", .int(s.pass)), ("fail", .int(s.fail)), ("conditional", .int(s.conditional)),
                ("undocumented", .int(s.undocumented)), ("drift", .int(s.drift)), ("flowsDisagreeing", .int(s.flowsDisagreeing)),
            ])),
        ]
        fields.append(("matrix", .array(r.matrix.map { m in
            .object([
                ("name", .string(m.name)), ("from", .string(m.from)), ("to", .string(m.to)), ("port", .string(m.port)),
                ("expect", .string(m.expect.rawValue)), ("verdict", .string(m.verdict.rawValue)),
                ("status", .string(m.status.rawValue)), ("reason", Self.optional(m.reason)),
                ("decidedBy", .array(m.decidedBy.map(Self.evidence))), ("checked", .int(m.checked)),
                ("checks", .array(m.checks.map(Self.check))),
                ("specLine", .int(m.specLine)), ("specPath", Self.optional(m.specPath ?? r.specPath)),
            ])
        })))
        fields.append(("capabilities", .array(r.capabilities.map { c in
            .object([
                ("name", .string(c.name)), ("description", Self.optional(c.description)), ("from", .string(c.from)),
                ("to", .string(c.to)), ("ports", .array(c.ports.map(JSON.string))), ("expect", .string(c.expect.rawValue)),
                ("status", .string(c.status.rawValue)), ("reason", Self.optional(c.reason)), ("checked", .int(c.checked)),
                ("otherwiseChecked", .int(c.otherwiseChecked)),
                ("gaps", .array(c.gaps.map { g in
                    .object([
                        ("namespace", Self.optional(g.namespace)), ("workload", Self.optional(g.workload)),
                        ("clause", .string(g.clause)), ("from", .string(g.check.from)), ("to", .string(g.check.to)),
                        ("port", .string(g.check.port)), ("verdict", .string(g.check.verdict.rawValue)),
                        ("reason", Self.optional(g.check.reason)), ("decidedBy", .array(g.check.decidedBy.map(Self.evidence))),
                    ])
                })),
                ("specLine", .int(c.specLine)),
            ])
        })))
        fields.append(("undocumented", .array(r.undocumented.map { u in
            .object([
                ("from", .string(u.from)), ("to", .string(u.to)), ("fromNamespace", .string(u.fromNamespace)),
                ("toNamespace", .string(u.toNamespace)), ("port", .string(u.port)), ("verdict", .string(u.verdict.rawValue)),
                ("allowedBy", .array(u.allowedBy.map(Self.evidence))),
            ])
        })))
        fields.append(("undocumentedTruncated", .bool(r.undocumentedTruncated)))
        fields.append(("drift", r.drift.map { entries in
            .array(entries.map { d in
                .object([
                    ("change", .string(d.change.rawValue)), ("kind", .string(d.kind)), ("namespace", Self.optional(d.namespace)),
                    ("name", .string(d.name)),
                    ("fields", .array(d.fields.map { f in
                        .object([("path", .string(f.path)), ("git", Self.optional(f.git)), ("live", Self.optional(f.live))])
                    })),
                    ("message", Self.optional(d.message)), ("path", Self.optional(d.path)), ("line", d.line.map(JSON.int) ?? .null),
                    ("liveLine", d.liveLine.map(JSON.int) ?? .null),
                ])
            })
        } ?? .null))
        fields.append(("flows", r.flows.map { flows in
            .array(flows.map { f in
                .object([
                    ("from", .string(f.from)), ("to", .string(f.to)), ("port", .string(f.port)), ("observed", .string(f.observed)),
                    ("count", .int(f.count)), ("repoVerdict", .string(f.repoVerdict.rawValue)),
                    ("agrees", f.agrees.map(JSON.bool) ?? .null), ("dropReason", Self.optional(f.dropReason)),
                    ("reportedBy", .array(f.reportedBy.map(JSON.string))), ("decidedBy", .array(f.decidedBy.map(Self.evidence))),
                    ("reason", Self.optional(f.reason)),
                ])
            })
        } ?? .null))
        if r.flows != nil {
            let st = r.flowStatistics
            fields.append(("flowStatistics", .object([
                ("lines", .int(st.lines)), ("used", .int(st.used)),
                ("skipped", .object(st.skipped.sorted { $0.key < $1.key }.map { ($0.key, JSON.int($0.value)) })),
            ])))
        }
        fields.append(("namespaces", .array(r.namespaces.map(JSON.string))))
        fields.append(("namespaceMatrix", .array(r.cells.map { c in
            .object([("from", .string(c.from)), ("to", .string(c.to)), ("state", .string(c.state)), ("ports", .array(c.ports.map(JSON.string)))])
        })))
        fields.append(("coverage", .array(r.coverage.map { c in
            .object([
                ("namespace", .string(c.namespace)), ("platform", .bool(c.platform)), ("workloads", .int(c.workloads)),
                ("ingressEnforced", .string(c.ingressEnforced)), ("egressEnforced", .string(c.egressEnforced)),
                ("dns", .string(c.dns.rawValue)), ("health", .string(c.health.rawValue)),
                ("metrics", c.metrics.map { JSON.string($0.rawValue) } ?? .null),
            ])
        })))
        let f = r.findings
        fields.append(("findings", .object([
            ("errors", .int(f.errors)), ("warnings", .int(f.warnings)), ("notes", .int(f.notes)),
            ("byRule", .array(f.byRule.map { .object([("rule", .string($0.rule)), ("name", .string($0.name)), ("count", .int($0.count))]) })),
        ])))
        fields.append(("notes", .array(r.notes.map(JSON.string))))
        return .object(fields)
    }
}
