import NetpolLintCore

/// NP100: the file cannot be read as YAML.
public struct YAMLSyntaxRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP100", name: "yaml-syntax", category: .structure, defaultSeverity: .error,
        summary: "The file cannot be read as YAML, so nothing in it is linted or deployed",
        rationale: """
            A manifest that does not parse is rejected by `kubectl`, Flux and Argo CD, and every policy in it is \
            silently missing from the cluster. This rule reports libyaml's reason at its position, and also files \
            that are not YAML at all: binary files (NUL bytes), invalid UTF-8, unreadable files, duplicate keys \
            (YAML requires unique keys; tools disagree on which value wins), and documents that would exhaust \
            memory (alias "billion laughs" expansion, nesting deeper than 512 levels).

            Documents before the error are still linted.
            """,
        remediation: "Fix the YAML at the reported position (`yamllint` or your editor's YAML support shows the same error).",
        references: ["https://yaml.org/spec/1.2.2/#mapping", "https://pyyaml.org/wiki/LibYAML"],
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: broken
                spec:
                  endpointSelector: {}
                  egress:
                    - toPorts: [{ports: [{port: "53"}]}
                ↓
                """),
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: demo
                  ↓name: demo-again
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: a
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: b
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.fileIssues.filter { $0.rule == Self.description.id }.map { Finding($0.message, at: $0.span) }
    }
}
