import NetpolLintCore

/// NP109: a suppression that hid nothing in this run.
public struct UnusedSuppressionRule: SuppressionAuditing {
    public init() {}

    public static let description = RuleDescription(
        id: "NP109", name: "unused-suppression", category: .structure, defaultSeverity: .warning,
        summary: "A suppression hides no finding: the problem it accepted is gone, or it never matched",
        rationale: """
            A suppression is an exception a reviewer accepted for one finding. When the finding goes away (the \
            policy was fixed, the rule changed) or the suppression sits on the wrong line, it stays behind and \
            silently accepts whatever problem appears there next. SwiftLint (`superfluous_disable_command`), \
            ESLint (`--report-unused-disable-directives`) and ruff (`RUF100`) report such leftovers for the same \
            reason. A suppression naming only rules that are off in this run is left alone: another \
            configuration may need it.
            """,
        remediation: "Remove the suppression, or move it to the line of the finding it is meant for (`disable-line` on the line itself, `disable-next-line` on the line above).",
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  description: the API is reached from the gateway
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                    ↓# netpol-lint: disable-next-line -- the gateway needs every port
                    - fromEndpoints: [{matchLabels: {app: gateway}}]
                      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop
                  annotations:
                    ↓netpol-lint.io/ignore-all: "legacy namespace, to be cleaned up"
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  description: the API is reached from the gateway
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                    # netpol-lint: disable-next-line NP205 -- NP205 does not run here; another configuration may need this
                    - fromEndpoints: [{matchLabels: {app: gateway}}]
                """),
        ]
    )

    public func check(_ context: LintContext, unused: UnusedSuppression) -> Finding {
        let what = switch unused.source {
        case .directive(let e):
            "netpol-lint \(e.command)" + (e.rules.isEmpty ? "" : " \(e.rules.joined(separator: ", "))")
        case .annotation(let key, _):
            "annotation '\(key)'"
        }
        return Finding("\(what) suppresses nothing: no finding it names is reported here; remove it", at: unused.span, object: unused.object)
    }
}
