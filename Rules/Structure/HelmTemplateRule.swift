import NetpolLintCore

/// NP105: a Helm / Go template was skipped.
public struct HelmTemplateRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP105", name: "helm-template", category: .structure, defaultSeverity: .note,
        summary: "A Helm or Go template is not YAML until it is rendered; it was skipped",
        rationale: """
            Files whose lines start with `{{ ... }}` (Helm chart `templates/`, Go templates) only become manifests \
            after rendering, so their policies cannot be checked as written. netpol-lint says so instead of \
            reporting a syntax error or skipping them silently.
            """,
        remediation: "Lint the rendered output (`helm template ... | netpol-lint check --stdin --stdin-filename rendered.yaml`), or exclude the chart folder in `.netpol-lint.yaml`.",
        triggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: {{ .Release.Name }}-default-deny
                ↓{{- if .Values.egress }}
                spec:
                  podSelector: {}
                {{- end }}
                """, path: "templates/netpol.yaml"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: alert-templates
                data:
                  message: "{{ .CommonLabels.alertname }} is firing"
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.fileIssues.filter { $0.rule == Self.description.id }.map { Finding($0.message, at: $0.span) }
    }
}
