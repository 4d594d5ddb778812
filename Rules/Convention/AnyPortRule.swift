import NetpolLintCore

/// NP205: an allow rule that opens every port.
public struct AnyPortRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP205", name: "any-port", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "An allow rule opens every port to its peers",
        rationale: """
            The `homelab-profiles` convention: "NEVER allow `any` port — always specify explicit port lists". A rule with peers and no \
            `toPorts` (Cilium) or no `ports` (NetworkPolicy) admits every TCP, UDP and SCTP port, so a peer allowed \
            to reach the web port can also reach the admin port, the metrics endpoint and the debug listener. Also \
            any-port: `port: "0"` (Cilium: all ports of that protocol; cilium/cilium#21184), a ports item with a protocol \
            but no port, and a range covering 1-65535.

            Not reported: rules whose only peers are the `host` / `health` entities or allow-listed CIDRs \
            (169.254.0.0/16): kubelet and Istio ambient probes target whatever container port a probe names, and \
            the convention's own platform template admits them without ports. Deny rules are not allows and are not checked.
            """,
        remediation: "List the ports the peer needs in `toPorts` (Cilium) or `ports` (NetworkPolicy).",
        securitySeverity: 5.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: grafana
                  namespace: observability
                spec:
                  description: gateway to grafana
                  endpointSelector: {matchLabels: {app.kubernetes.io/name: grafana}}
                  ingress:
                    - ↓fromEndpoints:
                        - matchLabels: {k8s:io.kubernetes.pod.namespace: network}
                    - fromEndpoints:
                        - matchLabels: {app: prometheus}
                      toPorts:
                        - ports:
                            - port: ↓"0"
                              protocol: TCP
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: api-allow-frontend
                  namespace: voting-api
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress:
                    - ↓from:
                        - podSelector: {matchLabels: {app: frontend}}
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: kube-system-default
                  namespace: kube-system
                spec:
                  description: probes and DNS
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [health, host]
                    - fromCIDR: [169.254.0.0/16]
                    - fromEndpoints: [{}]
                      toPorts:
                        - ports:
                            - port: "53"
                              protocol: UDP
                            - port: "8000"
                              endPort: 8080
                              protocol: TCP
                  ingressDeny:
                    - fromEntities: [world]
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            if let policy = o.cilium {
                for r in policy.allPeerRules where !r.isDeny && !r.hasNoPeer {
                    if Self.isProbeOnly(r, convention) { continue }
                    guard let ports = r.toPorts?.value, !ports.isEmpty else {
                        if r.icmps == nil {
                            out.append(Finding("\(o.displayName): this \(r.direction.rawValue) rule allows every port to its peers; list the ports in toPorts",
                                               at: r.span, object: i))
                        }
                        continue
                    }
                    for pr in ports {
                        for p in pr.ports where p.coversAllPorts {
                            out.append(Finding("\(o.displayName): \(Self.describe(p)) allows every port\(p.proto.map { " of \($0.value)" } ?? ""); name the ports",
                                               at: p.port?.span ?? p.span, object: i))
                        }
                    }
                }
            } else if let np = o.networkPolicy {
                for rule in np.allRules where !rule.isEmptyRule {
                    guard let ports = rule.ports?.value, !ports.isEmpty else {
                        out.append(Finding("\(o.displayName): this \(rule.direction.rawValue) rule allows every port to its peers; add ports",
                                           at: rule.span, object: i))
                        continue
                    }
                    for p in ports where p.coversAllPorts && p.port != nil {
                        out.append(Finding("\(o.displayName): \(Self.describe(p)) allows every port; name the ports", at: p.port!.span, object: i))
                    }
                }
            }
        }
        return out
    }

    static func describe(_ p: PortProtocol) -> String {
        switch p.port?.value {
        case .number(0)?: "port 0"
        case .number(let n)?: "the range \(n)-\(p.endPort?.value ?? n)"
        default: "a ports item without a port"
        }
    }

    /// Rules admitting only kubelet / health-probe sources.
    static func isProbeOnly(_ r: CiliumPeerRule, _ convention: Convention) -> Bool {
        let kinds = r.peerKinds.map(\.key)
        let onlyEntitiesOrCIDRs = kinds.allSatisfy { ["fromEntities", "fromCIDR", "fromCIDRSet"].contains($0) }
        guard r.direction == .ingress, onlyEntitiesOrCIDRs else { return false }
        let entitiesOK = (r.entities?.value ?? []).allSatisfy { ["host", "health"].contains($0.value) }
        let cidrsOK = (r.cidrs?.value ?? []).allSatisfy { convention.isAllowed($0.value) && !$0.value.isEverything }
        let setsOK = (r.cidrSets?.value ?? []).allSatisfy { $0.cidr.map { convention.isAllowed($0.value) && !$0.value.isEverything } ?? false }
        return entitiesOK && cidrsOK && setsOK
    }
}
