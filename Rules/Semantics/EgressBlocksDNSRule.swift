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

            For each namespace, the semantics engine asks whether its groups of pods — each declared workload \
            (app-template HelmReleases included), the pods each of the namespace's policies selects (a policy is \
            written for pods that exist, even when no manifest here declares them), and a pod with labels the \
            repository does not show — have egress enforced and may not reach kube-dns \
            (`k8s-app: kube-dns` in kube-system) on 53/UDP. Any egress rule on port 53 or 5353 (node-local-dns, \
            an upstream resolver, OpenShift's dns-default, whose pods listen on 5353) counts as a DNS allow. Only definite cases are reported: when the egress \
            policy or the DNS rule depends on labels the repository does not fix, nothing is said. Platform \
            namespaces are left to NP206, which checks DNS in both protocols. Workloads with `hostNetwork: true` \
            are not restricted by network policies and are left out; the namespace's other pods (declared or \
            not) are still checked. There is one finding per policy that enforces egress on such a group, at that \
            policy, naming the groups.
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
            // The pods the policy selects exist even when no workload in the repository shows them.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓web
                  namespace: web
                spec:
                  description: only pods labelled app=web, which no manifest here declares
                  endpointSelector: {matchLabels: {app: web}}
                  egress:
                    - toEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                """),
            // Each group of pods a policy selects is judged: the backend resolves names, the frontend does not.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓frontend-egress
                  namespace: shop
                spec:
                  description: the frontend pods reach the payment API
                  endpointSelector: {matchLabels: {app: frontend}}
                  egress:
                    - toFQDNs: [{matchName: api.payments.example}]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: backend-egress
                  namespace: shop
                spec:
                  description: the backend pods reach the database, and resolve names
                  endpointSelector: {matchLabels: {app: backend}}
                  egress:
                    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: database}}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    - toEndpoints:
                        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                """),
        ],
        nonTriggeringExamples: [
            // Both groups of pods the namespace's policies select resolve names.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: frontend-egress
                  namespace: shop
                spec:
                  description: the frontend pods reach the payment API, and resolve names
                  endpointSelector: {matchLabels: {app: frontend}}
                  egress:
                    - toFQDNs: [{matchName: api.payments.example}]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - toEndpoints:
                        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: backend-egress
                  namespace: shop
                spec:
                  description: the backend pods reach the database, and resolve names
                  endpointSelector: {matchLabels: {app: backend}}
                  egress:
                    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: database}}]
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    - toEndpoints:
                        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                """),
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
        // A finding lands on a policy of the namespace or on a cluster-wide one that selects its pods: when only some
        // files are reported (an editor's buffer), only the namespaces their policies apply to can have one.
        var reportedSubjects: [Subject]?
        if !context.reportsEverything {
            reportedSubjects = semantics.subjects.filter { context.reports(object: $0.object) }
            var reported = Set<String>()
            var everywhere = false
            for s in semantics.subjects where context.reports(object: s.object) {
                if context.objects[s.object].kind == .ciliumClusterwideNetworkPolicy {
                    if let names = s.selector.namespaceNames { reported.formUnion(names) } else { everywhere = true }
                } else {
                    reported.formUnion(context.namespaces(of: s.object))
                }
            }
            if !everywhere { namespaces.formIntersection(reported) }
        }
        var out: [Finding] = []
        for ns in namespaces.sorted() where !convention.isPlatform(ns) && !Semantics.isUnresolved(ns) && !dns.contains(where: { $0.namespace == ns }) {
            guard let resolver = dns.first else { break }
            // The pod groups of the namespace: a pod with labels the repository does not show, each declared workload,
            // and the pods each of its policies selects (nobody writes a policy for no pods), with the labels its
            // selector names.
            var groups = semantics.pods(in: ns)
            for subject in semantics.subjects(inNamespace: ns) {
                groups += semantics.representatives(of: subject.selector).filter { $0.namespace == ns && !$0.podLabels.isEmpty }
            }
            // Per enforcing policy: the groups it leaves without DNS.
            var failing: [(policy: Int, groups: [String], others: [Int], namespaceWide: Bool)] = []
            var seenGroups = Set<[String: String]>()
            for pod in groups where seenGroups.insert(pod.podLabels).inserted {
                // The policy a finding lands on surely selects the group (it enforces egress with match .yes): when
                // none of the reported ones does, nothing here can be reported.
                if let reportedSubjects, !reportedSubjects.contains(where: { $0.selector.matches(pod) == .yes }) { continue }
                // Only the subjects with a say on egress: the same verdict, fewer selectors matched.
                let selecting = semantics.subjects(selecting: pod, for: .egress)
                guard selecting.contains(where: { $0.match == .yes && $0.subject.isEnforcing(.egress) }) else { continue }
                // Any other DNS path counts: a port-53 or 5353 rule to anything (node-local-dns, an upstream
                // resolver), or every port to the internet. Asked first: it is cheaper than the verdict, and usually
                // settles it.
                let any53 = selecting.contains { s, _ in
                    s.rules.contains { r in
                        guard r.ref.direction == .egress && !r.ref.isDeny else { return false }
                        return r.namesPort(in: Self.dnsPorts) || r.matches(peer: .world, port: query) != .no
                    }
                }
                if any53 { continue }
                let v = semantics.evaluate(.egress, at: pod, peer: resolver, port: query, selecting: selecting)
                guard v.enforced == .yes, v.result == .no else { continue }
                // Reported at the policy that enforces egress: this namespace's own when there is one, and among
                // those the one whose selector names the group's labels.
                let enforcing = v.enforcedBy.filter { $0.match == .yes }.map(\.subject)
                let own = enforcing.filter { context.namespaces(of: $0.object).contains(ns) }
                func namesGroup(_ s: Subject) -> Bool { !pod.podLabels.isEmpty && s.selector.matches(pod) == .yes }
                let at: Subject = own.first { namesGroup($0) && !$0.selector.podRequirements.isEmpty }
                    ?? own.first(where: namesGroup) ?? own.first ?? enforcing[0]
                let who = pod.podLabels.isEmpty ? "pods in namespace '\(ns)'" : "pods \(pod.name)"
                let others = enforcing.map(\.object).filter { $0 != at.object }
                if let k = failing.firstIndex(where: { $0.policy == at.object }) {
                    failing[k].groups.append(who)
                } else {
                    failing.append((at.object, [who], others, pod.podLabels.isEmpty))
                }
            }
            for f in failing {
                let o = context.objects[f.policy]
                let related = Array(Set(f.others)).sorted().prefix(3).map {
                    RelatedLocation(context.objects[$0].anchor, "egress is also enforced by \(context.objects[$0].displayName)")
                }
                // A namespace-wide group (the pods the repository does not show) says it all; else name the groups.
                let more = f.groups.count > 1 && !f.namespaceWide ? " (and \(f.groups.count - 1) more group\(f.groups.count == 2 ? "" : "s") of pods: \(f.groups.dropFirst().prefix(3).joined(separator: ", ")))" : ""
                out.append(Finding("\(o.displayName) enforces egress for \(f.groups[0])\(more), and no rule lets them reach kube-dns on 53/UDP (or any resolver on port 53): every name lookup fails",
                                   at: o.anchor, object: f.policy, related: related))
            }
        }
        // One finding per policy and namespace.
        var seen = Set<String>()
        return out.filter { seen.insert("\($0.span)|\($0.message)").inserted }
    }
}
