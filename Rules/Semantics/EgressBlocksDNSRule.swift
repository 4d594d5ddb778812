import NetpolLintCore

/// NP305: pods whose egress is enforced and who may not resolve names.
public struct EgressBlocksDNSRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP305", name: "egress-blocks-dns", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "Egress is enforced for pods that then have no DNS allow",
        rationale: """
            The moment a policy with an egress section selects a pod, everything the pod sends that no rule \
            allows is dropped — DNS included (Cilium "Endpoint default policy"; a NetworkPolicy with `Egress` in \
            `policyTypes`). A pod that cannot reach its resolver fails on every name lookup, which looks like an \
            application or DNS outage rather than a policy. The `kubernetes` convention pairs every egress-restricting policy with a \
            DNS egress rule for this reason, and the `homelab-profiles` convention makes DNS a baseline.

            For each namespace, the semantics engine asks whether its pods (each declared workload, and a pod with \
            labels the repository does not show) have egress enforced and may not reach kube-dns \
            (`k8s-app: kube-dns` in kube-system) on 53/UDP. Any egress rule on port 53 or 5353 (node-local-dns, \
            an upstream resolver, OpenShift's dns-default, whose pods listen on 5353) counts as a DNS allow. Only definite cases are reported: when the egress \
            policy or the DNS rule depends on labels the repository does not fix, nothing is said. Platform \
            namespaces are left to NP206, which checks DNS in both protocols. Workloads with `hostNetwork: true` \
            are not restricted by network policies and are left out; the namespace's other pods (declared or \
            not) are still checked.
            """,
        remediation: "Add an egress rule to kube-dns on 53/UDP and 53/TCP for these pods (a DNS baseline CCNP, or a rule in the policy that enforces egress).",
        references: ["https://docs.cilium.io/en/stable/security/policy/intro/#policy-enforcement-modes"],
        triggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: ↓api-egress
                  namespace: shop
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: database}}
                      ports: [{port: 5432}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓web
                  namespace: web
                spec:
                  description: HTTPS out, but no DNS
                  endpointSelector: {}
                  egress:
                    - toEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: api-egress
                  namespace: shop
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: database}}
                      ports: [{port: 5432}]
                    - to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                          podSelector: {matchLabels: {k8s-app: kube-dns}}
                      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web
                  namespace: web
                spec:
                  description: DNS through node-local-dns
                  endpointSelector: {}
                  egress:
                    - toEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - toCIDR: [169.254.20.10/32]
                      toPorts: [{ports: [{port: "53", protocol: UDP}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web
                  namespace: web
                spec:
                  description: only pods labelled app=web; other pods are not enforced, and app=web pods are not shown
                  endpointSelector: {matchLabels: {app: web}}
                  egress:
                    - toEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                """),
        ]
    )

    /// 53, and 5353 where the resolver pods listen behind the Service (OpenShift's dns-default, some CoreDNS charts):
    /// policies see the pod port.
    static let dnsPorts: Set<Int> = [53, 5353]

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        let semantics = Convention.semantics(context)
        let dns = semantics.wellKnownEndpoints("dns")
        let query = PortQuery(53, "UDP")
        var namespaces = Set(context.inventory.namespaces.keys)
        for s in semantics.subjects { namespaces.formUnion(s.selector.namespaceNames ?? []) }
        var out: [Finding] = []
        for ns in namespaces.sorted() where !convention.isPlatform(ns) && !Semantics.isUnresolved(ns) && !dns.contains(where: { $0.namespace == ns }) {
            for pod in semantics.pods(in: ns) {
                guard let resolver = dns.first else { break }
                let selecting = semantics.subjects(selecting: pod)
                guard selecting.contains(where: { $0.match == .yes && $0.subject.enforces.contains(.egress) }) else { continue }
                let v = semantics.evaluate(.egress, at: pod, peer: resolver, port: query, selecting: selecting)
                guard v.enforced == .yes, v.result == .no else { continue }
                // Any other DNS path counts: a port-53 or 5353 rule to anything (node-local-dns, an upstream
                // resolver), or every port to the internet.
                let any53 = selecting.contains { s, _ in
                    s.rules.contains { r in
                        guard r.ref.direction == .egress && !r.ref.isDeny else { return false }
                        let namesDNSPort = r.portQueries.contains { q in q.port != nil && Self.dnsPorts.contains { q.range.contains($0) } }
                        return namesDNSPort || r.matches(peer: .world, port: query) != .no
                    }
                }
                if any53 { continue }
                // Report at the policy that enforces egress: this namespace's own when there is one.
                let enforcing = v.enforcedBy.filter { $0.match == .yes }.map(\.subject)
                let at = enforcing.first { context.namespaces(of: $0.object).contains(ns) } ?? enforcing[0]
                let o = context.objects[at.object]
                let others = enforcing.filter { $0.object != at.object }.prefix(3).map {
                    RelatedLocation(context.objects[$0.object].anchor, "egress is also enforced by \(context.objects[$0.object].displayName)")
                }
                let who = pod.podLabels.isEmpty ? "pods in namespace '\(ns)'" : "pods \(pod.name)"
                out.append(Finding("\(o.displayName) enforces egress for \(who), and no rule lets them reach kube-dns on 53/UDP (or any resolver on port 53): every name lookup fails",
                                   at: o.anchor, object: at.object, related: Array(others)))
                break
            }
        }
        // One finding per policy and namespace.
        var seen = Set<String>()
        return out.filter { seen.insert("\($0.span)|\($0.message)").inserted }
    }
}
