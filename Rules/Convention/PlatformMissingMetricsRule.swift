import NetpolLintCore

/// NP208: Prometheus cannot scrape a platform namespace.
public struct PlatformMissingMetricsRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP208", name: "platform-missing-metrics", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .namespace],
        summary: "Prometheus cannot scrape a platform namespace's pods",
        rationale: """
            The `homelab-profiles` convention requires "Prometheus scrape ingress from monitoring namespace" in \
            every platform CNP and lists it among the baselines. When a platform namespace's ingress is enforced and no rule admits \
            Prometheus, its targets go `down` and the alerts that should catch a broken policy go silent with them.

            Prometheus is the preset's well-known endpoint (`homelab-profiles`: `app.kubernetes.io/name: \
            prometheus` in monitoring; `tiered-zero-trust`: in observability); the metrics port is not known, so a \
            rule admitting Prometheus on any port counts. Only the namespace's ingress is judged here; when \
            Prometheus' own egress refuses the scrape, NP210 reports it at the rule that admits Prometheus. \
            `mode: effective` (default) lets any policy provide it; `mode: explicit` also wants the namespace's own \
            CNP to admit Prometheus. Without a preset that names Prometheus, the rule does nothing.
            """,
        remediation: "Add to the namespace's CNP an ingress rule from `{io.kubernetes.pod.namespace: monitoring, app.kubernetes.io/name: prometheus}` on the metrics ports.",
        parameters: [PlatformRequirement.modeParameter],
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓database-default
                  namespace: database
                spec:
                  description: PostgreSQL for billing only; Prometheus cannot scrape the exporter
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [health, host]
                    - fromEndpoints:
                        - matchLabels:
                            io.kubernetes.pod.namespace: billing
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
                  description: PostgreSQL and its exporter
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints:
                        - matchLabels:
                            io.kubernetes.pod.namespace: monitoring
                            app.kubernetes.io/name: prometheus
                      toPorts: [{ports: [{port: "9187", protocol: TCP}]}]
                """, configuration: "preset: homelab-profiles"),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: database-default
                  namespace: database
                spec:
                  description: no preset names Prometheus, so nothing is checked
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                """, configuration: "platformNamespaces: [database]"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let prometheus = Convention.semantics(context).wellKnownEndpoints("prometheus")
        guard !prometheus.isEmpty else { return [] }
        // Prometheus' own namespace scrapes itself: not a requirement there.
        let own = Set(prometheus.compactMap(\.namespace))
        return PlatformRequirement(what: "Prometheus scrape ingress", flows: [
            .init(direction: .ingress, peers: prometheus, ports: [PortQuery(nil, "TCP")]),
        ]).check(context, rule: Self.description, only: { !own.contains($0) })
    }
}
