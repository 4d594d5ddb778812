import NetpolLintCore

/// NP215: a platform namespace with no CNP of its own.
public struct PlatformNamespaceWithoutPolicyRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP215", name: "platform-namespace-without-policy", category: .convention, defaultSeverity: .warning,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "A platform namespace has no CiliumNetworkPolicy of its own",
        rationale: """
            Platform namespaces do not use profiles (the `homelab-profiles` convention); their traffic is allowed by a hand-crafted CNP in \
            `platform/<namespace>.yaml` ("Add Platform Namespace CNP" in the convention). Without one, only the baselines \
            apply: the platform service's own ingress (the database port, the gateway listeners, Prometheus' UI) is \
            dropped by the implicit default-deny.

            Checked for platform namespaces the repository declares (a `Namespace` object).
            """,
        remediation: "Add `platform/<namespace>.yaml` with the namespace's CNP, following the convention's platform template (DNS, Prometheus, health probes, HBONE, and the service's own ports).",
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ↓istio-gateway
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("namespaces/database.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: database
                    """),
                ("network-policy/platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: PostgreSQL
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                          toPorts:
                            - ports:
                                - port: "5432"
                                  protocol: TCP
                    """),
            ], configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        var covered = Set<String>()
        for i in context.objects.indices where context.objects[i].kind == .ciliumNetworkPolicy {
            covered.formUnion(context.namespaces(of: i))
        }
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values where convention.isPlatform(ns.name) && !covered.contains(ns.name) {
            out.append(Finding("platform namespace '\(ns.name)' has no CiliumNetworkPolicy; only the baselines apply, so its own services cannot be reached",
                               at: context.objects[ns.object].anchor, object: ns.object))
        }
        return out
    }
}
