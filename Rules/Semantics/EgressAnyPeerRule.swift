import NetpolLintCore

/// NP311: an egress rule with ports and no peer reaches every destination.
public struct EgressAnyPeerRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP311", name: "egress-any-peer", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "An egress rule with ports and no peer reaches every destination, the internet included",
        rationale: """
            An egress rule that names ports but no `to*` peer is a wildcard at L3 (Cilium: "an empty slice of \
            EndpointSelector indicates that the rule allows all at L3" (Cilium API reference); NetworkPolicy: "If this \
            field is empty or missing, this rule matches all destinations"). `egress: [{toPorts: [443]}]` is \
            "HTTPS to anywhere": every pod it selects can upload data to any host on the internet, which is exactly \
            what a zero-trust profile like `internal` in the `homelab-profiles` convention is meant to prevent.

            Rules whose ports are all 53 (DNS to any resolver) are not reported here.
            """,
        remediation: "Name the destinations: `toEntities: [world]` if the internet is really meant (explicit and reviewable), `toFQDNs` for specific hosts, or `toEndpoints` / `to: [...]` for in-cluster services.",
        securitySeverity: 6.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: profile-internal-egress
                spec:
                  description: HTTPS egress
                  endpointSelector: {}
                  egress:
                    - ↓toPorts:
                        - ports:
                            - port: "443"
                              protocol: TCP
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: api-egress
                  namespace: voting-api
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - ↓ports:
                        - port: 443
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: profile-internal-egress
                spec:
                  description: HTTPS egress to the internet, DNS anywhere
                  endpointSelector: {}
                  egress:
                    - toEntities: [world]
                      toPorts:
                        - ports:
                            - port: "443"
                              protocol: TCP
                    - toPorts:
                        - ports:
                            - port: "53"
                              protocol: UDP
                            - port: "53"
                              protocol: TCP
                """),
        ]
    )

    static func onlyDNS(_ ports: [PortProtocol]) -> Bool {
        !ports.isEmpty && ports.allSatisfy { if case .number(53)? = $0.port?.value { return ($0.endPort?.value ?? 53) <= 53 }; return false }
    }

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            for r in o.ruleSections.joined() where r.direction == .egress && !r.isDeny && !r.hasPeer && r.hasPortList {
                guard !Self.onlyDNS(r.ports) else { continue }
                let peer = o.kind == .networkPolicy ? "no 'to'" : "no peer"
                out.append(Finding("\(o.displayName): this egress rule has ports but \(peer), so it reaches every destination, the internet included",
                                   at: r.span, object: i))
            }
        }
        return out
    }
}
