import NetpolLintCore

/// NP202: the convention requires an explicit default-deny, and it is missing or excludes the wrong namespaces.
public struct DefaultDenyRequiredRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP202", name: "default-deny-required", category: .convention, defaultSeverity: .error,
        presets: ["tiered-zero-trust", "kubernetes"],
        appliesTo: [.ciliumClusterwideNetworkPolicy, .networkPolicy, .namespace],
        summary: "The required default-deny policy is missing, or excludes other namespaces than the documented ones",
        rationale: """
            Two conventions make default-deny explicit, and both fail open when it is missing:

            - `tiered-zero-trust`: a CCNP with `ingress: [{}]` and `egress: [{}]` must deny everything \
              except the Tier 0 namespaces, excluded with `matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, \
              operator: NotIn, values: [...]}]`. Missing a Tier 0 namespace from the list cuts the cluster's own \
              control plane off (kube-system, the CNI itself); an extra namespace in the list silently exempts it \
              from zero trust. Tier 0 must also stay unrestricted by the *allow* CCNPs: one whose endpointSelector \
              selects Tier 0 pods and which has ingress or egress rules puts them into default-deny for that \
              direction (Cilium "Endpoint default policy", `enableDefaultDeny`) unless it sets `enableDefaultDeny: false` \
              — the convention says to, and an `allow-metrics-scraping` policy with `endpointSelector: {}` seen in a real repository does not.
            - `kubernetes`: every application namespace has a `NetworkPolicy` with `podSelector: {}`, \
              `policyTypes: [Ingress]` and no ingress rules. Kubernetes allows all traffic to pods no policy \
              selects, so a namespace without it is wide open.

            Reported at the exclusion list of the default-deny CCNP, at the Namespace lacking its policy, or — when \
            there is no default-deny CCNP at all — at the `preset:` line of `.netpol-lint.yaml`.
            """,
        remediation: "tiered: add the default-deny CCNP, or make its NotIn list exactly the Tier 0 namespaces. kubernetes: add `default-deny-ingress` (podSelector {}, policyTypes [Ingress]) to the namespace.",
        references: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic"],
        securitySeverity: 7.0,
        triggeringExamples: [
            Example(files: [
                ("default-deny.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: default-deny-all
                    spec:
                      description: default deny except Tier 0
                      endpointSelector:
                        matchExpressions:
                          - key: k8s:io.kubernetes.pod.namespace
                            operator: NotIn
                            values: [kube-system, flux-system, cilium, cilium-secrets]
                      ingress: [{}]
                      egress: [{}]
                    """),
                ("allow-metrics.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: ↓allow-metrics-scraping
                    spec:
                      description: observability may scrape every pod (and so Tier 0 is now ingress-denied)
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: observability}
                          toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
                    """),
            ], configuration: "preset: tiered-zero-trust"),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: default-deny-all
                spec:
                  description: default deny except Tier 0
                  endpointSelector:
                    matchExpressions:
                      - key: k8s:io.kubernetes.pod.namespace
                        operator: NotIn
                        values: [↓kube-system, flux-system]
                  ingress: [{}]
                  egress: [{}]
                """, configuration: "preset: tiered-zero-trust"),
            Example(files: [
                ("namespaces.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: voting-api
                    ---
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: ↓voting-consumer
                    """),
                ("policies/voting-api.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: default-deny-ingress
                      namespace: voting-api
                    spec:
                      podSelector: {}
                      policyTypes: [Ingress]
                    """),
            ], configuration: "preset: kubernetes"),
            Example(files: [
                ("policies/allow-dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: allow-dns
                    spec:
                      description: dns
                      endpointSelector: {}
                      enableDefaultDeny: {egress: false}
                      egress:
                        - toEntities: [cluster]
                          toPorts: [{ports: [{port: "53", protocol: UDP}]}]
                    """),
            ], configuration: "↓preset: tiered-zero-trust"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("default-deny.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: default-deny-all
                    spec:
                      description: default deny except Tier 0
                      endpointSelector:
                        matchExpressions:
                          - key: k8s:io.kubernetes.pod.namespace
                            operator: NotIn
                            values: [kube-system, flux-system, cilium, cilium-secrets]
                      ingress: [{}]
                      egress: [{}]
                    """),
                ("allow-metrics.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: allow-metrics-scraping
                    spec:
                      description: an allow policy that does not switch on default-deny (as the tiered-zero-trust convention asks)
                      endpointSelector: {}
                      enableDefaultDeny: {ingress: false}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: observability}
                          toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
                    """),
            ], configuration: "preset: tiered-zero-trust"),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: default-deny-all
                spec:
                  description: default deny except Tier 0
                  endpointSelector:
                    matchExpressions:
                      - key: k8s:io.kubernetes.pod.namespace
                        operator: NotIn
                        values: [kube-system, flux-system, cilium, cilium-secrets]
                  ingress: [{}]
                  egress: [{}]
                """, configuration: "preset: tiered-zero-trust"),
            Example(files: [
                ("namespaces.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: voting-api
                    ---
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: kube-system
                    """),
                ("policies/kustomization.yaml", """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    namespace: voting-api
                    resources: [default-deny.yaml]
                    """),
                ("policies/default-deny.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: default-deny-ingress
                    spec:
                      podSelector: {}
                      policyTypes: [Ingress]
                      ingress: []
                    """),
            ], configuration: "preset: kubernetes"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        switch convention.preset?.defaultDeny {
        case .required?: return checkTiered(context, convention)
        case .perNamespace?: return checkPerNamespace(context, convention)
        default: return []
        }
    }

    /// A CCNP whose every ingress and egress rule is `{}` (with both sections present) is a default-deny.
    static func isDefaultDeny(_ rule: CiliumRule) -> Bool {
        guard let ing = rule.ingress?.value, let eg = rule.egress?.value, !ing.isEmpty, !eg.isEmpty else { return false }
        return ing.allSatisfy(\.isEmptyRule) && eg.allSatisfy(\.isEmptyRule)
    }

    func checkTiered(_ context: LintContext, _ convention: Convention) -> [Finding] {
        let tier0 = Set(convention.preset?.tier0 ?? [])
        var out: [Finding] = []
        var found = false
        for (i, o, policy) in context.ciliumPolicies where policy.isClusterwide {
            for rule in policy.rules where Self.isDefaultDeny(rule) {
                found = true
                let exclusion = rule.endpointSelector?.requirements.first { $0.key == .namespaceName && $0.op == .notIn }
                guard let exclusion else {
                    out.append(Finding("\(o.displayName) denies every namespace, Tier 0 included; exclude exactly \(tier0.sorted().joined(separator: ", ")) with a NotIn on k8s:io.kubernetes.pod.namespace",
                                       at: rule.endpointSelector?.span ?? rule.keySpan, object: i))
                    continue
                }
                let excluded = Set(exclusion.values.map(\.value))
                let missing = tier0.subtracting(excluded).sorted(), extra = excluded.subtracting(tier0).sorted()
                guard !missing.isEmpty || !extra.isEmpty else { continue }
                var parts: [String] = []
                if !missing.isEmpty { parts.append("does not exclude Tier 0 \(missing.map { "'\($0)'" }.joined(separator: ", ")) (their traffic is denied)") }
                if !extra.isEmpty { parts.append("also exempts \(extra.map { "'\($0)'" }.joined(separator: ", ")) from default-deny") }
                let span = valuesSpan(exclusion)
                out.append(Finding("\(o.displayName) \(parts.joined(separator: " and ")); Tier 0 is \(tier0.sorted().joined(separator: ", "))",
                                   at: span, object: i))
            }
        }
        // Tier 0 stays unrestricted: a cluster-wide allow policy that selects Tier 0 pods must not switch on their
        // default-deny (docs/conventions/tiered-zero-trust.md: `enableDefaultDeny: false` on allow policies).
        let semantics = Convention.semantics(context)
        var enforcedTier0: [Int: (namespaces: Set<String>, directions: Set<Direction>)] = [:]
        for ns in tier0 {
            let pod = semantics.endpoint(namespace: ns, podLabels: [:], complete: false)
            for (subject, match) in semantics.subjects(selecting: pod) where match == .yes {
                let o = context.objects[subject.object]
                guard o.kind == .ciliumClusterwideNetworkPolicy, !subject.enforces.isEmpty,
                      let rule = o.cilium?.rules[subject.specIndex], !Self.isDefaultDeny(rule) else { continue }
                enforcedTier0[subject.object, default: ([], [])].namespaces.insert(ns)
                enforcedTier0[subject.object]?.directions.formUnion(subject.enforces)
            }
        }
        for (i, hit) in enforcedTier0.sorted(by: { $0.key < $1.key }) {
            let o = context.objects[i]
            let directions = hit.directions.map(\.rawValue).sorted()
            let setting = directions.map { "\($0): false" }.joined(separator: ", ")
            out.append(Finding("\(o.displayName) selects Tier 0 \(hit.namespaces.sorted().joined(separator: ", ")) and puts \(directions.joined(separator: " and ")) there into default-deny; Tier 0 must stay unrestricted — set enableDefaultDeny: {\(setting)} on this allow policy, or exclude Tier 0 from its endpointSelector",
                               at: o.anchor, object: i))
        }
        if !found {
            let anchor = context.repositoryAnchor ?? context.objects.first.map(\.kindSpan)
            if let anchor {
                out.append(Finding("tiered-zero-trust requires a default-deny CCNP (endpointSelector excluding Tier 0, ingress: [{}], egress: [{}]); none was found",
                                   at: anchor))
            }
        }
        return out
    }

    /// The first excluded value: the list to edit.
    func valuesSpan(_ r: LabelRequirement) -> Span { r.values.first?.span ?? r.rawKey.span }

    func checkPerNamespace(_ context: LintContext, _ convention: Convention) -> [Finding] {
        var protected = Set<String>()
        for i in context.objects.indices where context.objects[i].kind == .networkPolicy {
            guard let np = context.objects[i].networkPolicy else { continue }
            guard np.podSelector?.isEmpty ?? false, np.isolates.contains(.ingress), np.ingress?.value.isEmpty ?? true else { continue }
            protected.formUnion(context.namespaces(of: i))
        }
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values.sorted(by: { $0.object < $1.object }) {
            guard !convention.isPlatform(ns.name), !Convention.systemNamespaces.contains(ns.name), !protected.contains(ns.name) else { continue }
            let o = context.objects[ns.object]
            out.append(Finding("namespace '\(ns.name)' has no default-deny-ingress NetworkPolicy (podSelector: {}, policyTypes: [Ingress], no ingress rules); every pod in it accepts traffic from anywhere",
                               at: o.anchor, object: ns.object))
        }
        return out
    }
}
