import NetpolLintCore

/// NP304: a selector that names a namespace in a way no namespace of the repository matches.
public struct SelectorMatchesNothingRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP304", name: "selector-matches-nothing", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A selector names a namespace label or namespace that no declared namespace has",
        rationale: """
            A selector that matches nothing fails closed and silently: the allow it was written for never happens. \
            The classic case is `namespaceSelector: {matchLabels: {name: voting-frontend}}`: Kubernetes \
            sets only `kubernetes.io/metadata.name` on every namespace (since 1.21, \
            kubernetes.io "Namespaces" — "Automatic labelling"), so unless someone adds a `name` label by hand, the \
            selector matches no namespace and the frontend is locked out of the API.

            Reported, with the repository's Namespace objects as the truth, when (1) a namespace-label requirement \
            (`namespaceSelector`, `io.cilium.k8s.namespace.labels.<key>`) on a name-like key (`name`, `namespace`, \
            `ns`, `…/name`) is matched by no declared namespace although a declared namespace is named like the \
            value — the author meant that namespace; or (2) a \
            namespace name (`io.kubernetes.pod.namespace`, `kubernetes.io/metadata.name`) is used by no object of \
            the repository, by only one policy, and is at most two edits away from one that is. Pod labels are not checked: pods often come from \
            Helm charts the repository does not render.
            """,
        remediation: "Select namespaces by `kubernetes.io/metadata.name: <name>` (or add the label to the Namespace), and fix misspelt namespace names.",
        references: ["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#automatic-labelling"],
        triggeringExamples: [
            Example(files: [
                ("namespaces/voting-frontend.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: voting-frontend
                    """),
                ("policies/api-allow-frontend.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: api-allow-frontend
                      namespace: voting-api
                    spec:
                      podSelector: {}
                      ingress:
                        - from:
                            - namespaceSelector:
                                matchLabels:
                                  ↓name: voting-frontend
                          ports: [{port: 8080}]
                    """),
            ]),
            Example(files: [
                ("namespaces/database.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: database
                    """),
                ("apps/api.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: api
                      namespace: shop
                    spec:
                      description: a typo in the namespace name
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels:
                                io.kubernetes.pod.namespace: ↓databse
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ]),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("namespaces/voting-frontend.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: voting-frontend
                      labels:
                        name: voting-frontend
                    """),
                ("policies/api-allow-frontend.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: api-allow-frontend
                      namespace: voting-api
                    spec:
                      podSelector: {}
                      ingress:
                        - from:
                            - namespaceSelector:
                                matchLabels:
                                  name: voting-frontend
                            - namespaceSelector:
                                matchLabels:
                                  kubernetes.io/metadata.name: voting-frontend
                          ports: [{port: 8080}]
                    """),
            ]),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  description: namespaces the repository does not declare are not judged
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels:
                            io.kubernetes.pod.namespace: kube-system
                            k8s-app: kube-dns
                        - matchLabels:
                            io.cilium.k8s.namespace.labels.team: payments
                      toPorts: [{ports: [{port: "53", protocol: UDP}]}]
                """),
        ]
    )

    /// Namespace-label keys people use to mean "the namespace called": a value equal to a namespace's name is then
    /// meant as that name. (A platform-managed label such as `network.openshift.io/policy-group: ingress` is not.)
    static let nameLikeKeys: Set<String> = ["name", "namespace", "ns", "kubernetes.io/name"]

    public func check(_ context: LintContext) -> [Finding] {
        let inventory = context.inventory
        guard !inventory.namespaces.isEmpty else { return [] }
        let known = inventory.knownNamespaceNames
        let knownSorted = known.sorted()
        // How many objects name each namespace: a name several policies use is real, even if nothing here declares it.
        var uses: [String: Set<Int>] = [:]
        // Each object's peer selectors, gathered once for both passes.
        // Only policies have peers: the other objects' bodies are not looked at.
        let objects = context.objects
        let peerSelectors = objects.indices.map { objects[$0].kind.isPolicy ? objects[$0].peerSelectors : [] }
        for (i, selectors) in peerSelectors.enumerated() {
            for selector in selectors {
                for r in selector.requirements where r.key == .namespaceName { for v in r.values { uses[v.value, default: []].insert(i) } }
            }
        }
        // Per label key, the values the declared namespaces carry (worked out once per key, not per requirement).
        var valuesOf: [String: Set<String>] = [:]
        func namespaceValues(_ key: String) -> Set<String> {
            if let known = valuesOf[key] { return known }
            let values = Set(inventory.namespaces.values.compactMap { $0.effectiveLabels[key] })
            valuesOf[key] = values
            return values
        }
        var out: [Finding] = []
        // Findings lie in the selector's own object: only reported objects need looking at.
        for (i, selectors) in peerSelectors.enumerated() where context.reports(object: i) {
            for selector in selectors {
                for r in selector.requirements where r.op == .in {
                    switch r.key {
                    case .namespaceLabel(let key) where Self.nameLikeKeys.contains(key) || key.hasSuffix("/name") || key.hasSuffix("/namespace"):
                        // An `In` requirement holds for a namespace carrying one of its values.
                        let matched = !namespaceValues(key).isDisjoint(with: Requirement(r).values)
                        guard !matched, let meant = r.values.first(where: { inventory.namespaces[$0.value] != nil }) else { continue }
                        let ns = inventory.namespaces[meant.value]!
                        let labels = ns.effectiveLabels.keys.sorted().joined(separator: ", ")
                        out.append(Finding("no namespace carries the label \(key)=\(meant.value), so this selector matches nothing; namespace '\(meant.value)' has only \(labels) — select it with kubernetes.io/metadata.name",
                                           at: r.rawKey.span, object: i,
                                           related: [RelatedLocation(context.objects[ns.object].anchor, "namespace '\(meant.value)' is declared here")]))
                    case .namespaceName:
                        for v in r.values where !known.contains(v.value) && !v.value.hasSubstitution && (uses[v.value]?.count ?? 0) < 2 {
                            guard let suggestion = Suggest.closest(v.value, in: knownSorted),
                                  Suggest.distance(v.value, suggestion) <= 2 else { continue }
                            out.append(Finding("namespace '\(v.value)' appears nowhere in the repository, so this selector matches nothing; did you mean '\(suggestion)'?",
                                               at: v.span, object: i))
                        }
                    default:
                        continue
                    }
                }
            }
        }
        return out
    }
}
