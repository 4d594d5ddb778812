import NetpolLintCore

/// NP306: an allow rule that a deny rule always overrides.
public struct DenyShadowsAllowRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP306", name: "deny-shadows-allow", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy],
        summary: "An allow rule is dead: an ingressDeny/egressDeny rule covering the same endpoints, peers and ports always wins",
        rationale: """
            "Deny policies take precedence over allow policies, regardless of whether they are a Cilium Network \
            Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy" (Cilium docs, \
            security/policy/deny.rst). An allow rule whose every connection a deny rule also matches \
            can never let anything through: either the allow is stale, or the deny is broader than its author \
            meant — typically a cluster-wide `egressDeny` to `world` or a CIDR that also covers an address a \
            namespace was later allowed to reach.

            Reported when the deny rule's policy selects every endpoint the allow rule's policy selects, and the \
            deny covers all of the allow's peers (same selector or broader, `all`/`world`/`cluster` entities, \
            enclosing CIDRs without a carve-out) and all of its ports. Partial overlaps are not reported.
            """,
        remediation: "Remove the dead allow rule, or narrow the deny rule (an `except`, a narrower selector) so the allowed traffic is carved out.",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#deny-policies"],
        triggeringExamples: [
            Example(files: [
                ("baselines/deny-metadata.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: deny-private-egress
                    spec:
                      description: no pod may reach the LAN
                      endpointSelector: {}
                      egressDeny:
                        - toCIDR: [192.168.0.0/16]
                    """),
                ("apps/nas.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: backup-to-nas
                      namespace: backup
                    spec:
                      description: restic to the NAS
                      endpointSelector: {matchLabels: {app: restic}}
                      egress:
                        - ↓toCIDR: [192.168.1.50/32]
                          toPorts: [{ports: [{port: "445", protocol: TCP}]}]
                    """),
            ]),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata: {name: deny-world-ingress}
                spec:
                  description: nothing from the internet, anywhere
                  endpointSelector: {}
                  enableDefaultDeny: {ingress: false}
                  ingressDeny:
                    - fromEntities: [world]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: default-deny, namespace: shop}
                spec:
                  description: an empty rule allows nothing, so nothing is shadowed
                  endpointSelector: {}
                  ingress:
                    - {}
                """),
            Example(files: [
                ("baselines/deny-metadata.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: deny-private-egress
                    spec:
                      description: no pod may reach the LAN, except the NAS
                      endpointSelector: {}
                      egressDeny:
                        - toCIDRSet:
                            - cidr: 192.168.0.0/16
                              except: [192.168.1.50/32]
                    """),
                ("apps/nas.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: backup-to-nas
                      namespace: backup
                    spec:
                      description: restic to the NAS
                      endpointSelector: {matchLabels: {app: restic}}
                      egress:
                        - toCIDR: [192.168.1.50/32]
                          toPorts: [{ports: [{port: "445", protocol: TCP}]}]
                    """),
            ]),
            Example(files: [
                ("apps/deny.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: deny-smb-for-web
                      namespace: backup
                    spec:
                      description: only web pods are denied, on one port
                      endpointSelector: {matchLabels: {app: web}}
                      egressDeny:
                        - toCIDR: [192.168.0.0/16]
                          toPorts: [{ports: [{port: "445", protocol: TCP}]}]
                    """),
                ("apps/nas.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: backup-to-nas
                      namespace: backup
                    spec:
                      description: restic is not a web pod
                      endpointSelector: {matchLabels: {app: restic}}
                      egress:
                        - toCIDR: [192.168.1.50/32]
                          toPorts: [{ports: [{port: "445", protocol: TCP}, {port: "2049", protocol: TCP}]}]
                    """),
            ]),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let semantics = Convention.semantics(context)
        let denies = semantics.subjects.flatMap { s in s.rules.filter(\.ref.isDeny).map { (s, $0) } }
        guard !denies.isEmpty else { return [] }
        // Indexed by peer and port: each allow is compared with the denies that could cover it, not with all.
        let index = DenyIndex(denies)
        var out: [Finding] = []
        for subject in semantics.subjects {
            for allow in subject.rules where !allow.ref.isDeny {
                guard let deny = index.firstCovering(allow, of: subject)?.rule else { continue }
                let d = context.objects[deny.ref.object], o = context.objects[allow.ref.object]
                out.append(Finding("\(o.displayName) \(allow.ref.path) can never allow anything: \(d.displayName) \(deny.ref.path) denies the same endpoints, peers and ports, and deny rules always win",
                                   at: allow.ref.span, object: allow.ref.object,
                                   related: [RelatedLocation(deny.ref.span, "the deny rule in \(d.displayName)")]))
            }
        }
        return out
    }
}
