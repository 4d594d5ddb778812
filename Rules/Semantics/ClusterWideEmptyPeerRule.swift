import NetpolLintCore

/// NP308: `{}` as a peer in a CCNP is every pod in every namespace.
public struct ClusterWideEmptyPeerRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP308", name: "cluster-wide-empty-peer", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumClusterwideNetworkPolicy],
        summary: "In a CCNP, fromEndpoints/toEndpoints {} selects every Cilium-managed pod in every namespace, not the same namespace",
        rationale: """
            In a CiliumNetworkPolicy an empty endpoint selector is limited to the policy's own namespace (Cilium \
            injects `k8s:io.kubernetes.pod.namespace=<ns>`). A CiliumClusterwideNetworkPolicy has no namespace, so \
            Cilium injects `io.kubernetes.pod.namespace Exists` instead: `{}` is every Cilium-managed pod in the \
            cluster — and still no reserved identity (host, world, remote-node, health), so it does not admit \
            kubelet probes either (Cilium docs, *Example: Allow all ingress to kube-dns*; cilium/cilium#12890). A real repository's "allow-intra-namespace" CCNP, \
            commented "Same namespace only (implicit)", therefore flattens the whole cluster into one network.

            Not reported when the CCNP's endpointSelector pins one namespace and the rule names its ports — e.g. \
            "every pod may query kube-dns on 53", where every pod is meant — nor when the same direction also allows \
            the `cluster` or `all` entity, which states the whole-cluster intent explicitly.
            """,
        remediation: "For same-namespace traffic, use one CNP per namespace with `fromEndpoints: [{}]`, or match `io.kubernetes.pod.namespace` explicitly; to mean every pod on purpose, restrict the ports and say so in the description.",
        references: ["https://docs.cilium.io/en/stable/security/policy/kubernetes/#example-allow-all-ingress-to-kube-dns"],
        securitySeverity: 6.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: allow-intra-namespace
                spec:
                  description: same namespace only (implicit)
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints:
                        - ↓{}
                  egress:
                    - toEndpoints:
                        - ↓{}
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: allow-dns-ingress
                spec:
                  description: every pod may query kube-dns
                  endpointSelector:
                    matchLabels:
                      k8s:io.kubernetes.pod.namespace: kube-system
                      k8s-app: kube-dns
                  ingress:
                    - fromEndpoints:
                        - {}
                      toPorts:
                        - ports:
                            - port: "53"
                              protocol: UDP
                ---
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: allow-cluster-egress
                spec:
                  description: every pod may reach the whole cluster and the internet
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - {}
                    - toEntities: [cluster]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: intra-namespace
                  namespace: shop
                spec:
                  description: a CNP's {} is its own namespace
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{}]
                """),
        ]
    )

    /// The consequence (docs/rules/NP308.md): allow rules elsewhere whose other end is admitted by this rule alone, across
    /// namespaces — the flows that break when `{}` is scoped the way its author meant.
    static func carriedFlows(_ context: LintContext, object: Int, rule span: Span) -> [RelatedLocation] {
        var out: [RelatedLocation] = []
        var seen = Set<RuleRef>()
        for f in Counterparts.of(context).flows where f.rule.object != object && f.other.enforced == .yes {
            guard f.source.namespace != f.destination.namespace, !seen.contains(f.rule) else { continue }
            guard f.other.admittingCount >= 1,
                  f.other.admitting.allSatisfy({ $0.object == object && $0.span == span }),
                  f.other.admittingCount <= f.other.admitting.count else { continue }
            seen.insert(f.rule)
            let other = context.objects[f.rule.object]
            // The related location is the other policy, often in another file: name the {} peer it relies on.
            out.append(RelatedLocation(f.rule.span, "\(other.displayName) \(f.rule.path): \(f.source) -> \(f.destination) on \(f.port) is admitted only by the {} peer of \(context.objects[object].displayName) (\(context.path(of: span)):\(span.line))"))
        }
        return out
    }

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for (i, o, policy) in context.ciliumPolicies where policy.isClusterwide {
            for rule in policy.rules {
                let pinned = (rule.endpointSelector?.namespaceNames?.count ?? 0) == 1
                // When the same direction also allows the `cluster` (or `all`) entity, the author evidently means
                // the whole cluster: `{}` adds nothing and misleads no one.
                func meansWholeCluster(_ direction: Direction) -> Bool {
                    (direction == .ingress ? rule.ingress : rule.egress)?.value.contains { r in
                        (r.entities?.value ?? []).contains { $0.value == "cluster" || $0.value == "all" }
                    } ?? false
                }
                for r in rule.allPeerRules where !r.isDeny && !meansWholeCluster(r.direction) {
                    let hasPorts = !(r.toPorts?.value.isEmpty ?? true)
                    if pinned && hasPorts { continue }
                    for sel in r.endpoints?.value ?? [] where sel.isEmpty {
                        let field = r.direction == .ingress ? "fromEndpoints" : "toEndpoints"
                        let carried = Self.carriedFlows(context, object: i, rule: r.span)
                        var message = "\(o.displayName): \(field) {} selects every Cilium-managed pod in every namespace, not only this namespace (and no host, world or health identity)"
                        if !carried.isEmpty {
                            message += "; \(carried.count) cross-namespace allow\(carried.count == 1 ? "" : "s") elsewhere rel\(carried.count == 1 ? "ies" : "y") on it alone and would break if it were scoped to one namespace"
                        }
                        out.append(Finding(message, at: sel.span, object: i, related: Array(carried.prefix(10))))
                    }
                }
            }
        }
        return out
    }
}
