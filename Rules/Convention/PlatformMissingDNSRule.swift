import NetpolLintCore

/// NP206: a platform namespace's pods cannot resolve names.
public struct PlatformMissingDNSRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP206", name: "platform-missing-dns", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .namespace],
        summary: "A platform namespace's pods cannot reach kube-dns on 53/UDP and 53/TCP",
        rationale: """
            The `homelab-profiles` convention ("Required Rules") says every platform CNP must include DNS egress to kube-system/kube-dns on \
            port 53 UDP and TCP (TCP carries answers too large for UDP). Once egress is enforced for a pod — by any \
            policy with an egress section — everything not allowed is dropped (Cilium "Endpoint default policy", \
            Cilium docs, *Policy Enforcement Modes*), and a pod that cannot resolve names fails in ways that look unrelated to policy.

            The check asks the semantics engine whether the namespace's pods (each declared workload, and a pod with \
            labels the repository does not show) may connect to kube-dns (`k8s-app: kube-dns` in kube-system) on \
            53/UDP and 53/TCP at the pods' own egress, deny rules included (a refusal at kube-dns' ingress is \
            reported by NP210 at the rule that allows the flow). With `mode: effective` (the default) any policy may \
            provide it — a DNS baseline CCNP counts; `mode: explicit` also wants the namespace's own CNP to allow \
            it, as the convention words it. The finding is reported at the namespace's \
            CNP, the place to fix, or at its Namespace object when it has none. Which namespaces are platform \
            namespaces is preset data (`platformNamespaces`, and every CNP under a `platform/` folder).
            """,
        remediation: "Add to the namespace's CNP an egress rule `toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]` with ports 53/UDP and 53/TCP.",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#dns-based"],
        parameters: [PlatformRequirement.modeParameter],
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓database-default
                  namespace: database
                spec:
                  description: PostgreSQL; DNS over UDP only
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels:
                            io.kubernetes.pod.namespace: kube-system
                            k8s-app: kube-dns
                      toPorts:
                        - ports:
                            - port: "53"
                              protocol: UDP
                """, configuration: "platformNamespaces: [database]"),
            Example(files: [
                ("baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns-egress
                    spec:
                      description: every pod may query kube-dns
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
                ("platform/monitoring.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: ↓monitoring-default
                      namespace: monitoring
                    spec:
                      description: the baseline provides DNS, but explicit mode wants it here
                      endpointSelector: {}
                      egress:
                        - toEntities: [kube-apiserver]
                          toPorts: [{ports: [{port: "6443", protocol: TCP}]}]
                    """),
            ], configuration: "platformNamespaces: [monitoring]\nrules:\n  NP206: {mode: explicit}"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns-egress
                    spec:
                      description: every pod may query kube-dns
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
                ("platform/monitoring.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: monitoring-default
                      namespace: monitoring
                    spec:
                      description: DNS comes from the baseline (effective mode)
                      endpointSelector: {}
                      egress:
                        - toEntities: [kube-apiserver]
                          toPorts: [{ports: [{port: "6443", protocol: TCP}]}]
                    """),
            ], configuration: "platformNamespaces: [monitoring]"),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: database-default
                  namespace: database
                spec:
                  description: ingress only; egress is not enforced, so DNS is not blocked
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """, configuration: "platformNamespaces: [database]"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let dns = Convention.semantics(context).wellKnownEndpoints("dns")
        return PlatformRequirement(what: "DNS egress to kube-dns", flows: [
            .init(direction: .egress, peers: dns, ports: [PortQuery(53, "UDP"), PortQuery(53, "TCP")]),
        ]).check(context, rule: Self.description)
    }
}
