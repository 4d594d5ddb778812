import NetpolLintCore

/// NP309: a CNP endpointSelector naming another namespace.
public struct ForeignNamespaceSelectorRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP309", name: "foreign-namespace-selector", category: .semantics, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy],
        summary: "A CiliumNetworkPolicy's endpointSelector names another namespace, which Cilium silently overrides",
        rationale: """
            A CNP only ever selects endpoints in its own namespace: Cilium adds \
            `k8s:io.kubernetes.pod.namespace=<policy namespace>` to the endpointSelector, and a user-written \
            namespace label that differs is logged as illegal and removed ("removing illegal namespace match", \
            `pkg/k8s/apis/cilium.io/utils/utils.go`; cilium/cilium#14580). The author meant to protect pods in the other \
            namespace; the policy instead applies to pods of its own namespace that match the remaining labels.
            """,
        remediation: "Move the policy to the namespace it is meant for (metadata.namespace), or use a CCNP if it must span namespaces.",
        securitySeverity: 6.5,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: protect-db
                  namespace: apps
                spec:
                  description: only the API may reach the database
                  endpointSelector:
                    matchLabels:
                      k8s:io.kubernetes.pod.namespace: ↓database
                      app: postgres
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: api}}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: protect-db
                  namespace: database
                spec:
                  description: only the API may reach the database
                  endpointSelector:
                    matchLabels:
                      k8s:io.kubernetes.pod.namespace: database
                      app: postgres
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: api, io.kubernetes.pod.namespace: apps}}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for (i, o, policy) in context.ciliumPolicies where !policy.isClusterwide {
            guard let own = context.namespace(of: i) else { continue }
            for rule in policy.rules {
                for req in rule.endpointSelector?.requirements ?? [] where req.key == .namespaceName && req.op == .in {
                    for v in req.values where v.value != own && !v.value.hasSubstitution {
                        out.append(Finding("\(o.displayName) is in namespace '\(own)' but its endpointSelector names '\(v.value)': Cilium drops that match and applies the policy to '\(own)' pods instead",
                                           at: v.span, object: i))
                    }
                }
            }
        }
        return out
    }
}
