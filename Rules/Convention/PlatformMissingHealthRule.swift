import NetpolLintCore

/// NP207: a platform namespace's pods do not admit health probes.
public struct PlatformMissingHealthRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP207", name: "platform-missing-health", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .namespace],
        summary: "A platform namespace's pods admit no health-probe ingress",
        rationale: """
            The `homelab-profiles` convention requires every platform CNP to admit health probes "from health entity and 169.254.0.0/16". \
            Where probes really come from depends on the platform (Kubernetes docs on probes, Cilium's `--allow-localhost`, Istio ambient's probe rewrite): kubelet probes leave the node as \
            the `host` identity, which Cilium admits by default (`--allow-localhost=auto`) but not with \
            `--allow-localhost=policy` or `policyEnforcementMode=always`; with Istio ambient, istio-cni rewrites \
            them to 169.254.7.127, which Cilium classifies as `world`; `health` is the cilium-health endpoint. So \
            which sources count is preset data (`homelab-profiles`: `health`, `host`, 169.254.0.0/16; the `tiered-zero-trust` and \
            `kubernetes` conventions require no health rule, so their presets name none) or the `sources` parameter, and a rule admitting \
            any one of them on any port satisfies the check.

            Only ingress-enforced pods can miss it. `mode: effective` (default) lets any policy provide it (a \
            health baseline CCNP counts); `mode: explicit` also wants the namespace's own CNP to state it.
            """,
        remediation: "Add ingress rules `fromEntities: [health, host]` and, for Istio ambient, `fromCIDR: [169.254.7.127/32]` (or the preset's 169.254.0.0/16) to the namespace's CNP.",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#entities-based"],
        parameters: [
            PlatformRequirement.modeParameter,
            RuleParameter("sources", .strings, default: "the preset's: homelab-profiles health, host, 169.254.0.0/16; none for the other presets",
                          "Entities and CIDRs health probes come from; a rule admitting any one of them counts. Empty: nothing is required"),
        ],
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓database-default
                  namespace: database
                spec:
                  description: PostgreSQL only; probes are dropped
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints:
                        - matchLabels:
                            io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: database-default
                  namespace: database
                spec:
                  description: PostgreSQL, plus ambient probes from link-local
                  endpointSelector: {}
                  ingress:
                    - fromCIDR: [169.254.7.127/32]
                    - fromEndpoints:
                        - matchLabels:
                            io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """, configuration: "preset: homelab-profiles"),
            Example(files: [
                ("baselines/health.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-health-probes
                    spec:
                      description: kubelet and cilium-health may probe every pod
                      endpointSelector: {}
                      ingress:
                        - fromEntities: [host, health]
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: PostgreSQL; probes come from the baseline
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints: [{}]
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let configured = context.parameters(Self.description)["sources"]?.strings
        let sources: [Endpoint] = (configured ?? Convention.of(context).healthSources).map { s in
            CIDRParser.parse(s).map { .address($0, text: s) } ?? .entity(s)
        }
        guard !sources.isEmpty else { return [] }
        return PlatformRequirement(what: "health-probe ingress", flows: [
            .init(direction: .ingress, peers: sources, ports: [PortQuery(nil, "TCP")]),
        ]).check(context, rule: Self.description)
    }
}
