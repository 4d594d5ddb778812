import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// A file is skipped as a Helm/Go template (NP105) only where its `{{ … }}` actions are not YAML data; YAML that
/// holds `{{` in its strings and block scalars is linted like any other file.
@Suite struct TemplateDetectionTests {
    func lint(_ files: [(path: String, content: String)]) throws -> [String] {
        let dir = TestSupport.writeTree(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try TestSupport.lint(directory: dir, rules: builtInRules)
        return r.findings.map { "\(r.files[Int($0.span.file)].path):\($0.span.line):\($0.span.column) \($0.ruleID) \($0.message)" }
    }

    /// A PrometheusRule whose annotations hold Go template lines (starting with `{{`) in a block scalar, beside a
    /// policy with an unknown field in the next document: the policy's error is reported, no NP105.
    @Test func blockScalarTemplateBesideABrokenPolicy() throws {
        let file = """
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata:
              name: pg-alerts
              namespace: db
            spec:
              groups:
                - name: pg
                  rules:
                    - alert: PostgresDown
                      annotations:
                        description: |
                          {{ $labels.namespace }}/{{ $labels.pod }} is down
                          {{- with $labels.cluster }} in {{ . }}{{ end }}
                      expr: pg_up == 0
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: allow-web
              namespace: db
            spec:
              podSelector: {}
              ingres:
                - {}

            """
        let found = try lint([("db/rules.yaml", file)])
        #expect(!found.contains { $0.contains(" NP105 ") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("db/rules.yaml:24:") && $0.contains(" NP101 ") && $0.contains("ingres") }, "\(found)")
    }

    /// A chart's template (actions that break the YAML, an include, values as fields): one NP105 note at the `{{`
    /// before the YAML error, nothing else — not even for the unknown field the template would render.
    @Test func helmTemplateIsOneNoteAndNothingElse() throws {
        let file = """
            {{- if .Values.networkPolicy.enabled }}
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: {{ include "app.fullname" . }}
              labels:
                {{- include "app.labels" . | nindent 4 }}
            spec:
              endpointSelector:
                matchLabels:
                  {{- include "app.selectorLabels" . | nindent 6 }}
              egress:
                - toEndpoint: [{}]
                {{- with .Values.networkPolicy.egress }}
                {{- toYaml . | nindent 4 }}
                {{- end }}
            {{- end }}

            """
        let found = try lint([("charts/app/templates/cnp.yaml", file)])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("charts/app/templates/cnp.yaml:1:1 NP105 Helm/Go template ('{{' at line 1; not valid YAML: ") == true, "\(found)")
    }

    /// `{{ … }}` where libyaml reads it as a flow mapping keyed by a flow mapping (a value, a list item, a line of
    /// its own): still a template, skipped at that `{{`; the documents before it are not linted either.
    @Test(arguments: [
        ("metadata:\n  name: a\n  namespace: {{ .Release.Namespace }}\n", 3, 14),
        ("spec:\n  endpointSelector: {}\n  egress:\n    - {{ .Values.rule }}\n", 4, 7),
        ("spec:\n  endpointSelector:\n    {{ toYaml .Values.selector | nindent 4 }}\n", 3, 5),
        ("spec: {endpointSelector: {}}\n---\n{{/* a comment */}}\n", 3, 1),
    ])
    func actionsThatParseAsYAMLAreTemplates(_ tail: String, _ line: Int, _ column: Int) throws {
        let file = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n" + tail
        let found = try lint([("templates/cnp.yaml", file)])
        #expect(found == ["templates/cnp.yaml:\(line + 2):\(column) NP105 Helm/Go template ('{{' at line \(line + 2) is a template action, not YAML data); skipped, lint the rendered output instead"], "\(found)")
    }

    /// A syntax error before any `{{` is the file's own error (NP100), even when template text follows.
    @Test func syntaxErrorBeforeAnyActionIsASyntaxError() throws {
        let file = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a: b
            data:
              alert.tmpl: |
                {{ define "slack.title" }}{{ .CommonLabels.alertname }}{{ end }}

            """
        let found = try lint([("alertmanager.yaml", file)])
        #expect(found.count == 1 && found[0].hasPrefix("alertmanager.yaml:4:") && found[0].contains(" NP100 "), "\(found)")
    }

    /// Plain scalars holding `{{` (Prometheus alert summaries) are strings: the file is linted, no NP105.
    @Test func plainScalarsWithActionsAreStrings() throws {
        let file = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: alerts
              namespace: monitoring
            data:
              summary: Instance {{ $labels.instance }} is down
              title: '{{ template "slack.title" . }}'
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: monitoring}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              egres: []

            """
        let found = try lint([("monitoring/alerts.yaml", file)])
        #expect(!found.contains { $0.contains(" NP105 ") }, "\(found)")
        #expect(found.contains { $0.contains(" NP101 ") && $0.contains("egres") }, "\(found)")
    }
}
