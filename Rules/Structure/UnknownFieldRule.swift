import NetpolLintCore

/// NP101: a key the kind does not have.
public struct UnknownFieldRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP101", name: "unknown-field", category: .structure, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A policy contains a field its kind does not have, usually a typo that silently drops a rule",
        rationale: """
            Field names are case-sensitive and singular/plural matters: `toPort` instead of `toPorts`, \
            `fromEndpoint` instead of `fromEndpoints`, `endpointSelectors` instead of `endpointSelector`. \
            Depending on the API server's field validation and the client, an unknown field is rejected or \
            silently pruned; when it is pruned, the policy that reaches Cilium lacks the rule its author wrote — \
            and a rule with its peer list pruned can become an allow for every peer.

            The known fields are those of Cilium's `pkg/policy/api` types (rule.go, ingress.go, egress.go, \
            l4.go, cidr.go) and of `networking.k8s.io/v1` NetworkPolicy.
            """,
        remediation: "Rename the field to the suggested one, or remove it.",
        references: [
            "https://docs.cilium.io/en/stable/security/policy/language/",
            "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/",
        ],
        securitySeverity: 6.5,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  endpointSelector:
                    matchLabels:
                      app: api
                  ingress:
                    - ↓fromEndpoint:
                        - matchLabels:
                            app: web
                      ↓toPort:
                        - ports:
                            - port: "8080"
                              protocol: TCP
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: db
                  namespace: shop
                spec:
                  podSelector: {}
                  ↓policyType: [Ingress]
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
                  description: web may call the API
                  endpointSelector:
                    matchLabels:
                      app: api
                  ingress:
                    - fromEndpoints:
                        - matchLabels:
                            app: web
                      toPorts:
                        - ports:
                            - port: "8080"
                              protocol: TCP
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.modelIssues.filter { $0.issue.kind == .unknownField }
            .map { var f = Finding($0.issue.message, at: $0.issue.span, object: $0.object); f.fix = $0.issue.fix; return f }
    }
}
