import NetpolLintCore

/// NP110: a document that looks like a policy (or another object netpol-lint reads) but is not one the API server
/// accepts as such.
public struct UnrecognizedObjectRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP110", name: "unrecognized-object", category: .structure, defaultSeverity: .warning,
        summary: "An object is not what it seems: no apiVersion or a wrong one, a kind that is not a string or has the wrong case, or a list of objects in one document",
        rationale: """
            A policy that the API server rejects is never enforced, and a policy netpol-lint cannot recognise is \
            never checked: silence would let its author believe it is fine. This rule reports the documents that \
            look like a policy (or a Namespace, a workload, a kustomization) but are not read as one — a missing \
            `apiVersion`, the API group of another kind (`networking.k8s.io/v1` with `kind: CiliumNetworkPolicy`), \
            a `kind` that is a list or written in the wrong case (kinds are case-sensitive), and a YAML list of \
            objects at the top of a document (a manifest holds one object per document) — and the policies whose \
            version does not exist (`cilium.io/v3`), which the API server rejects although netpol-lint reads them.

            An object of the same kind name in an API group netpol-lint does not know (a Calico or Antrea \
            `NetworkPolicy`) is another product's object and is not reported.
            """,
        remediation: "Write the apiVersion and kind the object's documentation gives (`cilium.io/v2` CiliumNetworkPolicy, `networking.k8s.io/v1` NetworkPolicy), and put each object in a document of its own, separated by `---`.",
        references: ["https://kubernetes.io/docs/concepts/overview/working-with-objects/#required-fields",
                     "https://docs.cilium.io/en/stable/network/kubernetes/policy/"],
        triggeringExamples: [
            Example("""
                apiVersion: ↓networking.k8s.io/v1
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-dns
                  namespace: shop
                spec:
                  endpointSelector: {}
                  egress:
                    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: ↓ciliumnetworkpolicy
                metadata:
                  name: allow-dns
                  namespace: shop
                spec:
                  endpointSelector: {}
                """),
            Example("""
                ↓- apiVersion: networking.k8s.io/v1
                  kind: NetworkPolicy
                  metadata: {name: default-deny, namespace: shop}
                  spec: {podSelector: {}, policyTypes: [Ingress]}
                - apiVersion: networking.k8s.io/v1
                  kind: NetworkPolicy
                  metadata: {name: allow-web, namespace: shop}
                  spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{}]}
                """),
            // The kinds read beside the policies (Services, for their ports) are checked the same way.
            Example("""
                apiVersion: v1
                kind: ↓service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: default-deny, namespace: shop}
                spec: {podSelector: {}, policyTypes: [Ingress]}
                ---
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: calico-policy, namespace: shop}
                spec: {selector: all()}
                """),
            // Another product's kinds that share a name with one netpol-lint reads (Dapr's Component, Knative's
            // Service) are not reported.
            Example("""
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata: {name: store, namespace: shop}
                spec: {type: state.redis, version: v1}
                ---
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: hello, namespace: shop}
                spec: {template: {spec: {containers: [{image: ghcr.io/example/hello}]}}}
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.fileIssues.filter { $0.rule == Self.description.id }.map { Finding($0.message, at: $0.span) }
    }
}
