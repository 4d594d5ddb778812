import NetpolLintCore

/// NP214: a namespace opts in to a shared resource that no policy serves.
public struct AccessLabelUnservedRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP214", name: "access-label-unserved", category: .convention, defaultSeverity: .warning,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "A namespace carries an access label that no policy grants, or whose grant the resource never admits",
        rationale: """
            The `homelab-profiles` convention grants shared resources by opt-in namespace labels: \
            `access.network-policy.homelab/postgres: "true"` makes the `access-postgres` CCNP allow egress to the \
            database on 5432, and the database's platform CNP admits namespaces with that label. Both halves must \
            exist — the convention's debugging table lists "Egress to database:5432 dropped — Missing postgres access \
            label" as the symptom. A label that no policy reads (a typo, a resource whose access policy was never \
            written) grants nothing; a grant whose resource never admits the namespace is dropped at the resource.

            For each access label on a declared Namespace, the rule looks for policies that read that label — \
            selecting the labelled namespaces, or admitting them as a peer. With none, the label is reported; when \
            only the resource admits it and the namespace's egress is enforced without a grant, it is reported too. Otherwise each egress allow of those policies is checked \
            at its destination with the semantics engine; when the destination's ingress is enforced and admits \
            the namespace on none of them, the label is reported with the deciding policy as related location.
            """,
        remediation: "Fix the label key, add the `access-<resource>` CCNP for it, or admit the label in the resource's CNP (`fromEndpoints` with `io.cilium.k8s.namespace.labels.<access label>: \"true\"`).",
        triggeringExamples: [
            Example(files: [
                ("namespaces/wiki.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: wiki
                      labels:
                        ↓access.network-policy.homelab/dragonfly: "true"
                    """),
                ("baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns-egress
                    spec:
                      description: every pod's egress is enforced; DNS only
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: admits the dragonfly label; no CCNP grants the egress (the convention's classic dropped flow)
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/dragonfly: "true"
                          toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: wiki
                  labels:
                    network-policy.homelab/profile: internal
                    ↓access.network-policy.homelab/postgress: "true"
                """, configuration: "preset: homelab-profiles"),
            Example(files: [
                ("namespaces/wiki.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: wiki
                      labels:
                        ↓access.network-policy.homelab/dragonfly: "true"
                    """),
                ("shared-resources/access-dragonfly.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: access-dragonfly
                    spec:
                      description: labelled namespaces may reach Dragonfly
                      endpointSelector:
                        matchLabels:
                          io.cilium.k8s.namespace.labels.access.network-policy.homelab/dragonfly: "true"
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: database, app: dragonfly}
                          toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: admits PostgreSQL users only; the Dragonfly grant is never admitted
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("namespaces/paperless.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: paperless
                      labels: {access.network-policy.homelab/postgres: "true"}
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: database-default, namespace: database}
                    spec:
                      description: the resource admits the label; egress is not restricted
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
            Example(files: [
                ("namespaces/wiki.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: wiki
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
                      description: admits the access label
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels:
                                io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: wiki
                  labels:
                    access.network-policy.homelab/postgres: "false"
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        guard let prefix = Convention.of(context).preset?.accessLabelPrefix else { return [] }
        let semantics = Convention.semantics(context)
        let flows = Counterparts.of(context).flows
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values.sorted(by: { $0.name < $1.name }) {
            for label in ns.labels where label.key.value.hasPrefix(prefix) && label.value.value != "false" {
                let key = label.key.value
                func reads(_ selector: Selector) -> Bool {
                    selector.requirements.contains { r in
                        (r.key == .namespaceLabel(key) || r.key == .pod(key)) && r.evaluate(label.value.value)
                    }
                }
                // Granted by an egress policy selecting the labelled namespaces, or admitted by a rule whose peer
                // names the label (the resource's own CNP).
                let grantors = semantics.subjects.filter { reads($0.selector) }
                let admitters = semantics.subjects.filter { s in
                    s.rules.contains { r in r.peers.contains { if case .selector(let sel, _) = $0 { reads(sel) } else { false } } }
                }
                if grantors.isEmpty && admitters.isEmpty {
                    var message = "namespace '\(ns.name)' opts in to '\(key)', but no policy reads that label: the access is granted nowhere"
                    let served = Set(semantics.subjects.flatMap { s in
                        s.selector.requirements.compactMap { r -> String? in
                            if case .namespaceLabel(let k) = r.key, k.hasPrefix(prefix) { return k }
                            return nil
                        }
                    })
                    let resource = String(key.dropFirst(prefix.count))
                    let resources = served.map { String($0.dropFirst(prefix.count)) }.sorted()
                    if let s = Suggest.closest(resource, in: resources), Suggest.distance(resource, s) <= 2 {
                        message += "; did you mean '\(prefix)\(s)'?"
                    }
                    out.append(Finding(message, at: label.key.span, object: ns.object))
                    continue
                }
                // The flows of those policies from this namespace, when every one of them is refused.
                func refused(by subjects: [Subject], _ direction: Direction) -> Counterparts.Flow? {
                    let objects = Set(subjects.map(\.object))
                    let mine = flows.filter { f in
                        objects.contains(f.rule.object) && f.rule.direction == direction && f.source.namespace == ns.name
                    }
                    guard !mine.isEmpty, mine.allSatisfy({ $0.other.enforced == .yes && $0.other.result == .no }) else { return nil }
                    return mine[0]
                }
                if grantors.isEmpty {
                    // Only the resource reads the label: it admits the namespace, but nothing grants the egress.
                    guard let f = refused(by: admitters, .ingress) else { continue }
                    let admitter = context.objects[f.rule.object]
                    var related = [RelatedLocation(f.rule.span, "\(admitter.displayName) admits the label on \(f.port)")]
                    if let object = f.other.enforcing.first {
                        related.append(RelatedLocation(context.objects[object].anchor, "egress of '\(ns.name)' is enforced by \(context.objects[object].displayName)"))
                    }
                    out.append(Finding("namespace '\(ns.name)' opts in to '\(key)' and \(admitter.displayName) admits it, but no policy grants the egress: its pods may not send to \(f.destination) on \(f.port)",
                                       at: label.key.span, object: ns.object, related: related))
                    continue
                }
                guard let f = refused(by: grantors, .egress) else { continue }
                let grant = context.objects[f.rule.object]
                var related = [RelatedLocation(f.rule.span, "\(grant.displayName) grants egress to \(f.destination) on \(f.port)")]
                if let object = f.other.enforcing.first {
                    related.append(RelatedLocation(context.objects[object].anchor, "ingress at \(f.destination) is enforced by \(context.objects[object].displayName), which does not admit '\(ns.name)'"))
                }
                out.append(Finding("namespace '\(ns.name)' opts in to '\(key)': \(grant.displayName) grants egress to \(f.destination) on \(f.port), but the destination's ingress never admits '\(ns.name)'",
                                   at: label.key.span, object: ns.object, related: related))
            }
        }
        return out
    }
}
