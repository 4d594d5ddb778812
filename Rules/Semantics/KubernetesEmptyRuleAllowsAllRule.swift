import NetpolLintCore

/// NP301: in a Kubernetes NetworkPolicy, an empty rule allows everything.
public struct KubernetesEmptyRuleAllowsAllRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP301", name: "k8s-empty-rule-allows-all", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.networkPolicy],
        summary: "A NetworkPolicy rule {} allows all traffic, the opposite of the same YAML in a Cilium policy",
        rationale: """
            In a Kubernetes NetworkPolicy, `ingress: [{}]` is one rule with no `from` and no `ports`, which \
            matches every source on every port (API reference, NetworkPolicyIngressRule: "If this field is empty \
            or missing, this rule matches all sources"). In a CiliumNetworkPolicy the very same YAML allows \
            nothing and only turns on default-deny (Cilium docs, *Ingress/Egress Default Deny*; Cilium itself translates a NetworkPolicy default-deny to `ingress: [{}]`). Copying a "default \
            deny" snippet between the two kinds inverts it.
            """,
        remediation: "For default-deny, drop the rule (`policyTypes: [Ingress]` with no `ingress` list denies all); to allow specific traffic, give the rule `from`/`to` peers and `ports`.",
        references: ["https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/"],
        securitySeverity: 7.5,
        triggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: deny-all
                  namespace: voting-data
                spec:
                  podSelector: {}
                  policyTypes: [Ingress, Egress]
                  ingress:
                    - ↓{}
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: default-deny-ingress
                  namespace: voting-data
                spec:
                  podSelector: {}
                  policyTypes: [Ingress]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: cilium-deny
                  namespace: voting-data
                spec:
                  description: Cilium {} allows nothing
                  endpointSelector: {}
                  ingress:
                    - {}
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind == .networkPolicy {
            let o = context.objects[i]
            guard let np = o.networkPolicy else { continue }
            for rule in np.allRules where rule.isEmptyRule {
                let dir = rule.direction.rawValue
                let whom = rule.direction == .ingress ? "from every source, including outside the cluster," : "to every destination, the internet included,"
                out.append(Finding("\(o.displayName): '\(dir): [{}]' allows all \(dir) traffic \(whom) on every port — in a NetworkPolicy an empty rule allows everything (in a CiliumNetworkPolicy it allows nothing)",
                                   at: rule.span, object: i))
            }
        }
        return out
    }
}
