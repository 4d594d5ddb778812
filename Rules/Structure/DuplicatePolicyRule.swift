import NetpolLintCore

/// NP103: two policies with the same kind, namespace and name.
public struct DuplicatePolicyRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP103", name: "duplicate-policy", category: .structure, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "Two policies have the same kind, namespace and name, so one silently replaces the other",
        rationale: """
            Kubernetes identifies an object by kind, namespace and name. When a kustomization or a Flux \
            Kustomization applies two manifests with the same identity, the later one wins (or the build fails \
            with "may not add resource with an already registered id"), and the rules of the other policy are \
            lost without any warning in the cluster.

            Only policies in the same file or folder are compared: the same name in two clusters' overlays \
            (`clusters/dev`, `clusters/prod`) is the normal GitOps layout, not a conflict.
            """,
        remediation: "Rename one of the policies, or merge their rules into one.",
        securitySeverity: 5.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-web
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓allow-web
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: admin}}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-web
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: allow-web
                  namespace: shop
                spec:
                  podSelector: {}
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-web
                  namespace: blog
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                """),
            Example(files: [
                ("clusters/dev/policy.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns
                    spec:
                      endpointSelector: {}
                      egress:
                        - toEntities: [cluster]
                    """),
                ("clusters/prod/policy.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns
                    spec:
                      endpointSelector: {}
                      egress:
                        - toEntities: [cluster]
                    """),
            ]),
        ]
    )

    struct Identity: Hashable {
        var kind: ObjectKind
        var namespace: String
        var name: String
        var folder: String
    }

    public func check(_ context: LintContext) -> [Finding] {
        var first: [Identity: Int] = [:]
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            guard let name = o.meta.name else { continue }
            let folder = context.folder(of: i)
            let id = Identity(kind: o.kind, namespace: o.kind.isNamespaced ? (o.meta.namespace?.value ?? "") : "",
                              name: name.value, folder: folder)
            if let j = first[id] {
                let other = context.objects[j]
                let where_ = id.namespace.isEmpty ? "" : " in namespace '\(id.namespace)'"
                out.append(Finding("\(o.displayName)\(where_) is defined twice; one replaces the other when applied",
                                   at: name.span, object: i,
                                   related: [RelatedLocation(other.anchor, "first definition of \(other.displayName)")]))
            } else {
                first[id] = i
            }
        }
        return out
    }
}
