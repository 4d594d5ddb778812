import NetpolLintCore

/// NP310: one rule written as two — peers without ports, then ports without peers.
public struct SplitRuleRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP310", name: "split-rule", category: .semantics, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A rule with peers and no ports is followed by a rule with ports and no peer: one rule written as two",
        rationale: """
            ```yaml
            ingress:
              - from:
                  - podSelector: {matchLabels: {app: frontend}}
              - ports:          # one "-" too many
                  - port: 8000
            ```
            is two rules, not one. The first admits the peers on **every** port; the second admits **every** peer \
            (in Cilium: the world included — Cilium docs, *Layer 4 Examples*: a rule with only `toPorts` allows all at L3) on the ports. Together they are far wider than the rule \
            the author wrote — the indentation slip was seen in a real repository. Both Cilium (`fromEndpoints` / \
            `toPorts`) and NetworkPolicy (`from` / `ports`) are checked, per direction.
            """,
        remediation: "Merge the two items: put the ports under the item that names the peers (remove the extra `-`).",
        securitySeverity: 7.0,
        triggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: api-allow-frontend
                  namespace: voting-api
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress:
                    - from:
                        - podSelector: {matchLabels: {app: frontend}}
                    - ↓ports:
                        - port: 8000
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  description: web to api
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels: {app: db}
                    - ↓toPorts:
                        - ports:
                            - port: "5432"
                              protocol: TCP
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: api-allow-frontend
                  namespace: voting-api
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress:
                    - from:
                        - podSelector: {matchLabels: {app: frontend}}
                      ports:
                        - port: 8000
                    - from:
                        - podSelector: {matchLabels: {app: admin}}
                      ports:
                        - port: 9000
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            for items in o.ruleSections {
                for (a, b) in zip(items, items.dropFirst()) where a.hasPeer && !a.hasPortList && !a.hasICMP && !b.hasPeer && b.hasPortList {
                    out.append(Finding("\(o.displayName): this \(a.direction.rawValue) rule has ports but no peer, right after a rule with peers but no ports — one rule written as two, which opens every port to those peers and these ports to everyone",
                                       at: b.span, object: i, related: [RelatedLocation(a.span, "the rule with the peers and no ports")]))
                }
            }
        }
        return out
    }
}
