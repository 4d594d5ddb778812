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
            (in Cilium: the world included, research (b)) on the ports. Together they are far wider than the rule \
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
        func report(_ first: Span, _ second: Span, _ o: KubeObject, _ i: Int, _ dir: Direction) {
            out.append(Finding("\(o.displayName): this \(dir.rawValue) rule has ports but no peer, right after a rule with peers but no ports — one rule written as two, which opens every port to those peers and these ports to everyone",
                               at: second, object: i, related: [RelatedLocation(first, "the rule with the peers and no ports")]))
        }
        for (i, o) in context.objects.enumerated() {
            if let policy = o.cilium {
                for rule in policy.rules {
                    for section in [rule.ingress, rule.egress, rule.ingressDeny, rule.egressDeny] {
                        let items = section?.value ?? []
                        for (a, b) in zip(items, items.dropFirst()) {
                            let aNoPorts = (a.toPorts?.value.isEmpty ?? true) && a.icmps == nil && !a.hasNoPeer
                            let bNoPeer = b.hasNoPeer && !(b.toPorts?.value.isEmpty ?? true)
                            if aNoPorts && bNoPeer { report(a.span, b.span, o, i, a.direction) }
                        }
                    }
                }
            } else if let np = o.networkPolicy {
                for section in [np.ingress, np.egress] {
                    let items = section?.value ?? []
                    for (a, b) in zip(items, items.dropFirst()) {
                        let aNoPorts = (a.ports?.value.isEmpty ?? true) && !(a.peers?.value.isEmpty ?? true)
                        let bNoPeer = (b.peers?.value.isEmpty ?? true) && !(b.ports?.value.isEmpty ?? true)
                        if aNoPorts && bNoPeer { report(a.span, b.span, o, i, a.direction) }
                    }
                }
            }
        }
        return out
    }
}
