import NetpolLintCore

/// NP108: a suppression that cannot work as written, or that gives no reason.
public struct InvalidSuppressionRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP108", name: "invalid-suppression", category: .structure, defaultSeverity: .warning,
        summary: "A suppression names a rule or directive that does not exist, or gives no reason",
        rationale: """
            A suppression that names a rule netpol-lint does not have (`NP9999`, `hardcoded-ipp`) or a directive \
            it does not know (`disable-nextline`) suppresses nothing, silently: the author believes a finding is \
            accepted, and the next run reports it again, or worse, a later rule with that id is hidden by \
            accident. A suppression without a reason leaves reviewers guessing why a finding was accepted and \
            whether it still applies.
            """,
        remediation: """
            Fix the rule id or name (`netpol-lint rules` lists them) or the directive (`disable-next-line`, \
            `disable-line`, `disable-file`), and say why: `# netpol-lint: disable-next-line NP204 -- the NAS has \
            no DNS name`, or the annotation's value: `ignore-check.netpol-lint.io/NP204: "the NAS has no DNS name"`.
            """,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: nas-egress
                  namespace: backup
                spec:
                  description: backups go to the NAS
                  endpointSelector: {}
                  egress:
                    # netpol-lint: ↓disable-nextline NP204 -- the NAS has no DNS name
                    - toCIDR: [192.168.1.20/32]
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: nas-egress
                  namespace: backup
                  annotations:
                    ↓ignore-check.netpol-lint.io/hardcoded-ipp: "the NAS has no DNS name"
                    ↓ignore-check.netpol-lint.io/any-port: ""
                spec:
                  description: backups go to the NAS
                  endpointSelector: {}
                  egress:
                    - toCIDR: [192.168.1.20/32]  # netpol-lint: disable-line ↓NP9999 -- the NAS has no DNS name
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                """),
            Example("""
                # netpol-lint: disable-file NP205 -- pending the migration to named ports
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: nas-egress
                  namespace: backup
                spec:
                  description: backups go to the NAS
                  endpointSelector: {}
                  egress:
                    ↓# netpol-lint: disable-next-line NP204
                    - toCIDR: [192.168.1.20/32]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: nas-egress
                  namespace: backup
                  annotations:
                    ignore-check.netpol-lint.io/hardcoded-ip: "the NAS has no DNS name"
                spec:
                  description: backups go to the NAS
                  endpointSelector: {}
                  egress:
                    # netpol-lint: disable-next-line NP205, any-port -- the NAS serves several NFS ports
                    - toCIDR: [192.168.1.20/32]  # netpol-lint: disable-line NP204 -- the NAS has no DNS name
                """),
        ]
    )

    static let knownRules: [RuleDescription] = builtInRules.map { $0.description }

    /// nil for a known rule; else the did-you-mean (or where to look) for an unknown one.
    static func unknown(_ name: String) -> String? {
        if knownRules.contains(where: { $0.id == name.uppercased() || $0.name == name }) { return nil }
        let meant = Suggest.closest(name, in: knownRules.flatMap { [$0.id, $0.name] }, caseInsensitive: true)
        return meant.map { "did you mean '\($0)'?" } ?? "see 'netpol-lint rules'"
    }

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        // Nearly no file has a directive: the others are passed over in place.
        for i in context.files.indices where !context.files[i].directives.isEmpty {
            let file = context.files[i]
            let f = Int32(i)
            for m in file.directives.malformed {
                out.append(Finding(m.message, at: Span(file: f, line: Int32(m.line), column: Int32(m.column))))
            }
            for e in file.directives.entries {
                for (name, column) in zip(e.rules, e.ruleColumns) {
                    if let hint = Self.unknown(name) {
                        out.append(Finding("unknown rule '\(name)' in a netpol-lint directive suppresses nothing; \(hint)",
                                           at: Span(file: f, line: Int32(e.line), column: Int32(column))))
                    }
                }
                if e.reason == nil {
                    out.append(Finding("netpol-lint \(e.command) without a reason; add ' -- why' so reviewers know why the finding is accepted",
                                       at: Span(file: f, line: Int32(e.line), column: Int32(e.column))))
                }
            }
        }
        // Every object is asked, nearly none has a suppression annotation: read in place, not copied.
        let objects = context.objects
        for o in objects.indices {
            for (a, rule) in AnnotationSuppression.entries(annotations: objects[o].meta.annotations) {
                if let rule, let hint = Self.unknown(rule) {
                    out.append(Finding("unknown rule '\(rule)' in annotation '\(a.key.value)' suppresses nothing; \(hint)", at: a.key.span, object: o))
                } else if a.value.value.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    out.append(Finding("annotation '\(a.key.value)' gives no reason; its value should say why the findings are accepted",
                                       at: a.key.span, object: o))
                }
            }
        }
        return out
    }
}
