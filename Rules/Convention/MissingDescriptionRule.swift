import NetpolLintCore

/// NP403: a Cilium policy without `spec.description`.
public struct MissingDescriptionRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP403", name: "missing-description", category: .convention, defaultSeverity: .note,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy],
        summary: "A Cilium policy has no spec.description saying what traffic it is for",
        rationale: """
            Cilium policies carry a free-text `spec.description`, shown by `kubectl describe` and kept with the \
            policy in the cluster. The `homelab-profiles` platform template starts with one ("<Namespace purpose>: describe \
            allowed traffic"). When a flow is dropped at 3 a.m., the description is what tells the on-call \
            engineer whether the policy meant to block it; YAML comments do not survive into the cluster.
            """,
        remediation: "Add `spec.description: \"<who may talk to whom, and why>\"`.",
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                ↓spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
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
                  description: "web -> api on 8080"
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.ciliumPolicies.flatMap { i, o, policy in
            policy.rules.filter { ($0.description?.value ?? "").isEmpty }.map {
                Finding("\(o.displayName) has no spec.description; say what traffic it allows and why", at: $0.keySpan, object: i)
            }
        }
    }
}
