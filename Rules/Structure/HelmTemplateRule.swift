import NetpolLintCore

/// NP105: a Helm / Go template was skipped.
public struct HelmTemplateRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP105", name: "helm-template", category: .structure, defaultSeverity: .note,
        summary: "A Helm or Go template is not YAML until it is rendered; it was skipped",
        rationale: """
            A Helm chart's `templates/` or a Go template only becomes manifests after rendering: its `{{ ... }}` \
            actions (`{{- if }}`, `{{ include }}`, `{{ .Values.x }}` as a value) are not YAML, so its policies \
            cannot be checked as written. netpol-lint says so instead of reporting a syntax error or skipping it \
            silently. A file is read as a template only where its actions are not YAML data: it does not parse as \
            YAML and a `{{` comes at or before the error, or a `{{ ... }}` parses as a mapping used as a key, which \
            no Kubernetes object holds. `{{` inside strings and block scalars (Alertmanager and PrometheusRule \
            templates, ExternalSecret `target.template`) is data: such files are linted like any other, and an \
            error in another of their documents is reported. Helm's template syntax: \
            https://helm.sh/docs/chart_template_guide/getting_started/
            """,
        remediation: "Lint the rendered output (`helm template ... | netpol-lint check --stdin --stdin-filename rendered.yaml`), or exclude the chart folder in `.netpol-lint.yaml`.",
        triggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: "{{ .Release.Name }}-default-deny"
                ↓{{- if .Values.egress }}
                spec:
                  podSelector: {}
                {{- end }}
                """, path: "templates/netpol.yaml"),
            // `{{ .Release.Namespace }}` parses as YAML (a flow mapping keyed by a flow mapping): still a template.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-dns
                  namespace: ↓{{ .Release.Namespace }}
                spec:
                  endpointSelector: {}
                """, path: "templates/cnp.yaml"),
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
            // Lines starting with `{{` inside a block scalar are text for Prometheus, not a Helm template.
            Example("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata:
                  name: volsync
                  namespace: volsync-system
                spec:
                  groups:
                    - name: volsync.rules
                      rules:
                        - alert: VolSyncVolumeOutOfSync
                          annotations:
                            summary: Volume {{ $labels.obj_name }} is out of sync
                            description: |
                              {{ $labels.obj_namespace }}/{{ $labels.obj_name }}
                              {{- if $labels.role }} ({{ $labels.role }}){{ end }}
                          expr: volsync_volume_out_of_sync == 1
                """),
            // An ExternalSecret's template: quoted actions are strings.
            Example("""
                apiVersion: external-secrets.io/v1beta1
                kind: ExternalSecret
                metadata:
                  name: ntfy
                  namespace: ntfy
                spec:
                  target:
                    template:
                      data:
                        url: "https://{{ .user }}:{{ .password }}@ntfy.example.com"
                        config.yml: |-
                          {{- range $k, $v := . }}
                          {{ $k }}: {{ $v }}
                          {{- end }}
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.fileIssues.filter { $0.rule == Self.description.id }.map { Finding($0.message, at: $0.span) }
    }
}
