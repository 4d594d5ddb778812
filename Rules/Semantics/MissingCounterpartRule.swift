import NetpolLintCore

/// NP210: an allow at one end that the other end never admits.
public struct MissingCounterpartRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP210", name: "missing-counterpart", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "An egress allow whose destination never admits it (or an ingress allow whose source may not send it)",
        rationale: """
            A connection between two pods passes two checks: egress at the source and ingress at the destination \
            (Cilium enforces policy at both endpoints; Kubernetes NetworkPolicy likewise — "both the egress policy on \
            the source pod and the ingress policy on the destination pod need to allow the connection", \
            kubernetes.io "Network Policies"). An egress rule from A to B:port is dead when B's ingress is enforced \
            and no rule there admits A on that port — and the reverse for an ingress rule whose source's egress is \
            enforced. Debugging guides for policy repositories are full of exactly these drops; they only show up at runtime, in \
            Hubble.

            Each end is checked with the semantics engine on representative pods: the labels the rule's selectors \
            fix, in each namespace they name (or each declared namespace their namespace labels match). A label the \
            other end's policies look at but the rule does not fix counts as possibly matching, so the rule only \
            reports when the other end definitely enforces the direction and definitely admits nothing — a matched \
            pair (an access-label egress CCNP and the platform CNP admitting that label) gives no finding. A policy \
            selecting pods of every namespace (a CCNP with `endpointSelector: {}`) stands for one pod of any \
            namespace; peers that span every namespace (`{}` in a CCNP) are not checked here (see NP308).
            """,
        remediation: "Add the counterpart rule at the other end (shown as the related location), or remove the allow if the flow is not wanted.",
        references: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
        runsLong: true,
        triggeringExamples: [
            Example(files: [
                ("namespaces.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: monitoring}
                    ---
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: kube-system}
                    """),
                ("baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: dns-egress
                    spec:
                      description: every pod may query kube-dns
                      endpointSelector: {}
                      egress:
                        - ↓toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
                ("platform/kube-dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: kube-dns
                      namespace: kube-system
                    spec:
                      description: a CNP's {} is its own namespace, so only kube-system may query
                      endpointSelector: {matchLabels: {k8s-app: kube-dns}}
                      ingress:
                        - fromEndpoints: [{}]
                          toPorts: [{ports: [{port: "53", protocol: UDP}]}]
                    """),
            ]),
            Example(files: [
                ("apps/api.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: api
                      namespace: shop
                    spec:
                      description: the API talks to PostgreSQL
                      endpointSelector: {matchLabels: {app: api}}
                      egress:
                        - ↓toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: database, app: postgres}
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: only the billing namespace may connect
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: billing}
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ]),
            Example(files: [
                ("data/redis.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: redis-allow-api
                      namespace: data
                    spec:
                      podSelector: {matchLabels: {app: redis}}
                      policyTypes: [Ingress]
                      ingress:
                        - ↓from:
                            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: api}}
                          ports: [{port: 6379}]
                    """),
                ("api/egress.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: api-egress
                      namespace: api
                    spec:
                      podSelector: {}
                      policyTypes: [Egress]
                      egress:
                        - to:
                            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
                          ports: [{port: 443}]
                    """),
            ]),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: app-egress, namespace: shop}
                spec:
                  description: syslog without a protocol (ANY); the collector admits UDP; every labelled pod may reach a range
                  endpointSelector:
                    matchExpressions: [{key: app, operator: Exists}]
                  egress:
                    - toEndpoints:
                        - matchLabels: {io.kubernetes.pod.namespace: logging, app: syslog}
                      toPorts: [{ports: [{port: "514"}]}]
                    - toEndpoints:
                        - matchLabels: {io.kubernetes.pod.namespace: logging, app: syslog}
                      toPorts: [{ports: [{port: "8000", endPort: 8100, protocol: TCP}]}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: syslog-ingress, namespace: logging}
                spec:
                  description: syslog over UDP, the API of the collector on 8080, from the api pods
                  endpointSelector: {matchLabels: {app: syslog}}
                  ingress:
                    - fromEndpoints:
                        - matchLabels: {io.kubernetes.pod.namespace: shop}
                      toPorts: [{ports: [{port: "514", protocol: UDP}]}]
                    - fromEndpoints:
                        - matchLabels: {io.kubernetes.pod.namespace: shop, app: api}
                      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                """),
            Example(files: [
                ("namespaces/paperless.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: paperless
                      labels:
                        access.network-policy.homelab/postgres: "true"
                    """),
                ("shared-resources/access-postgres.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: access-postgres
                    spec:
                      description: labelled namespaces may reach PostgreSQL
                      endpointSelector:
                        matchLabels:
                          io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: database, cnpg.io/cluster: postgres}
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: the matched pair of the access label
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ]),
            Example(files: [
                ("apps/api.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: api
                      namespace: shop
                    spec:
                      description: the destination enforces nothing, so the egress rule alone decides
                      endpointSelector: {matchLabels: {app: api}}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: cache, app: redis}
                          toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
                    """),
                ("apps/db.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: db
                      namespace: database
                    spec:
                      description: admits the API by a label the API rule does not fix
                      endpointSelector: {matchLabels: {app: postgres}}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: shop, tier: backend}
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
                ("apps/api-db.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: api-db
                      namespace: shop
                    spec:
                      description: the other end may admit these pods (tier is not known here)
                      endpointSelector: {matchLabels: {app: api}}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: database, app: postgres}
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ]),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var byRule: [RuleRef: (flows: [Counterparts.Flow], ends: [String])] = [:]
        var order: [RuleRef] = []
        for f in Counterparts.ofReported(context).flows where f.other.enforced == .yes && f.other.result == .no {
            let end = "\(f.rule.direction == .egress ? f.destination : f.source) on \(f.port)"
            if byRule[f.rule] == nil { order.append(f.rule) }
            if byRule[f.rule]?.ends.contains(end) ?? false { continue }
            byRule[f.rule, default: ([], [])].flows.append(f)
            byRule[f.rule]?.ends.append(end)
        }
        return order.map { ref in
            let (flows, ends) = byRule[ref]!
            let first = flows[0]
            let o = context.objects[ref.object]
            let shown = ends.prefix(3).joined(separator: "; ") + (ends.count > 3 ? "; and \(ends.count - 3) more" : "")
            let message: String
            if ref.direction == .egress {
                message = "\(o.displayName) allows egress from \(first.source.namespace ?? "these pods") to \(shown), but ingress there is enforced and no rule admits it: the connection is dropped at the destination"
            } else {
                message = "\(o.displayName) admits ingress from \(shown), but egress there is enforced and no rule allows it: the connection is dropped at the source"
            }
            var related: [RelatedLocation] = []
            for f in flows.prefix(3) {
                for r in f.other.denying {
                    related.append(RelatedLocation(r.span, "denied by \(context.objects[r.object].displayName) \(r.path)"))
                }
                for object in f.other.enforcing.prefix(2) {
                    let other = context.objects[object]
                    related.append(RelatedLocation(other.anchor, "\(f.other.direction.rawValue) at \(f.other.endpoint) is enforced by \(other.displayName)"))
                }
            }
            var unique: [RelatedLocation] = []
            for r in related where !unique.contains(r) { unique.append(r) }
            return Finding(message, at: ref.span, object: ref.object, related: Array(unique.prefix(5)))
        }
    }
}
