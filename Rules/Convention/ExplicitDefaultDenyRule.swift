import NetpolLintCore

/// NP201: a policy section that only denies, in a convention where default-deny is implicit.
public struct ExplicitDefaultDenyRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP201", name: "explicit-default-deny", category: .convention, defaultSeverity: .warning,
        presets: ["homelab-profiles"],
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "An explicit default-deny policy, where the convention gets default-deny implicitly from the baselines",
        rationale: """
            The `homelab-profiles` convention: "NEVER create explicit `default-deny` policies — baselines provide implicit \
            deny". Baseline CCNPs with `endpointSelector: {}` already put every pod into default-deny, so an extra \
            deny-only policy adds nothing but a second place to edit, and it is the usual source of "why is this \
            blocked" tickets when someone later reads it as an allow.

            In Cilium a section whose only rules are `{}` (`ingress: [{}]`, `egress: [{}]`) allows nothing: it only \
            switches the selected endpoints into default-deny (Cilium docs, *Ingress/Egress Default Deny*; Cilium's own translation of a \
            Kubernetes default-deny is `[]IngressRule{{}}`). A `NetworkPolicy` whose `policyTypes` names a \
            direction without rules for it does the same.

            A real repository's `egress: - {}  # Full egress` shows the other side of the trap: the author meant \
            "allow everything" and got "allow nothing".
            """,
        remediation: "Delete the deny-only policy (or section); if you meant to allow all traffic, write the peers and ports you mean (`toEntities: [world]` with ports, or `toEndpoints` for cluster traffic).",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#ingress-egress-default-deny"],
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: default-deny
                spec:
                  description: deny everything
                  endpointSelector: {}
                  ingress:
                    - ↓{}
                  egress:
                    - ↓{}
                """, configuration: "preset: homelab-profiles"),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: default-deny-ingress
                  namespace: my-app
                spec:
                  podSelector: {}
                  policyTypes:
                    - ↓Ingress
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: baseline-dns-egress
                spec:
                  description: all pods may resolve names
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels:
                            k8s:io.kubernetes.pod.namespace: kube-system
                            k8s:k8s-app: kube-dns
                      toPorts:
                        - ports:
                            - port: "53"
                              protocol: ANY
                """, configuration: "preset: homelab-profiles"),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: allow-web
                  namespace: my-app
                spec:
                  podSelector: {}
                  policyTypes: [Ingress]
                  ingress:
                    - from:
                        - podSelector: {matchLabels: {app: web}}
                      ports:
                        - port: 8080
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            if let policy = o.cilium {
                for rule in policy.rules {
                    for (name, section) in [("ingress", rule.ingress), ("egress", rule.egress)] {
                        guard let items = section?.value, let first = items.first, items.allSatisfy(\.isEmptyRule) else { continue }
                        out.append(Finding("\(o.displayName): '\(name): [{}]' allows nothing, it only turns on default-deny; this convention gets default-deny from the baselines (the homelab-profiles convention: never create explicit default-deny policies)",
                                           at: first.span, object: i))
                    }
                }
            } else if let np = o.networkPolicy, let types = np.policyTypes?.value {
                for t in types {
                    let rules = t.value == "Ingress" ? np.ingress : (t.value == "Egress" ? np.egress : nil)
                    guard t.value == "Ingress" || t.value == "Egress", rules?.value.isEmpty ?? true else { continue }
                    out.append(Finding("\(o.displayName) lists \(t.value) in policyTypes with no \(t.value.lowercased()) rules: an explicit default-deny, which this convention forbids (the baselines provide it)",
                                       at: t.span, object: i))
                }
            }
        }
        return out
    }
}
