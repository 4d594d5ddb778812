import NetpolLintCore

/// NP204: literal IPs / CIDRs in policies.
public struct HardcodedIPRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP204", name: "hardcoded-ip", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A policy names a literal IP address or CIDR instead of endpoints or entities",
        rationale: """
            Seed 000: "NEVER hardcode IP addresses — use endpoint selectors and entities". Addresses change \
            (LoadBalancer pools, node replacement, DHCP), the policy silently stops matching, and nobody can tell \
            from `10.11.1.10/32` what it was meant to reach. Worse, Cilium CIDR rules never match Cilium-managed \
            pods (and by default not nodes): a CIDR written for a pod or Service IP never allows anything \
            (research, "CIDR rules never match Cilium-managed pods").

            Checked: `fromCIDR` / `toCIDR`, `fromCIDRSet` / `toCIDRSet` `cidr`, and NetworkPolicy `ipBlock.cidr`. \
            Not reported: the allow-list (169.254.0.0/16 for kubelet / Istio ambient health probes, plus \
            `allowedCIDRs` from the preset and configuration), `0.0.0.0/0` and `::/0` (the whole internet, see \
            NP303), and Flux `${VAR}` substitutions, which are not literals.
            """,
        remediation: "Select the peer with `toEndpoints` / `fromEndpoints` or an entity (`world`, `kube-apiserver`, `remote-node`); for an external network that has no selector, add it to `allowedCIDRs` in `.netpol-lint.yaml` or substitute it (`${LAN_CIDR}`).",
        securitySeverity: 4.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: postgres-cluster
                  namespace: dbms
                spec:
                  description: LoadBalancer clients
                  endpointSelector: {matchLabels: {cnpg.io/cluster: postgres}}
                  ingress:
                    - fromCIDR:
                        - ↓10.0.0.0/8
                      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                  egress:
                    - toCIDRSet:
                        - cidr: ↓192.168.1.20/32
                      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: nas
                  namespace: backup
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - to:
                        - ipBlock:
                            cidr: ↓192.168.10.5/32
                      ports:
                        - port: 2049
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: baseline-health-probes
                spec:
                  description: kubelet and ambient probes
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [host, health]
                    - fromCIDR: [169.254.7.127/32]
                  egress:
                    - toCIDRSet:
                        - cidr: 0.0.0.0/0
                          except: [10.0.0.0/8]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - toCIDR: ["${NAS_CIDR}"]
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: nas
                  namespace: backup
                spec:
                  description: the NAS, allowed in the configuration
                  endpointSelector: {}
                  egress:
                    - toCIDR: [192.168.10.5/32]
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                """, configuration: "allowedCIDRs: [192.168.10.0/24]"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        var out: [Finding] = []
        func visit(_ cidr: Located<CIDRValue>, _ field: String, _ object: KubeObject, _ index: Int) {
            guard !cidr.value.isEverything, !convention.isAllowed(cidr.value), cidr.value.parsed != nil else { return }
            out.append(Finding("hardcoded CIDR '\(cidr.value.text)' in \(field) of \(object.displayName); select the peer with endpoints or an entity, or add it to allowedCIDRs",
                               at: cidr.span, object: index))
        }
        for (i, o) in context.objects.enumerated() {
            if let policy = o.cilium {
                for r in policy.allPeerRules {
                    let from = r.direction == .ingress
                    for c in r.cidrs?.value ?? [] { visit(c, from ? "fromCIDR" : "toCIDR", o, i) }
                    for set in r.cidrSets?.value ?? [] {
                        if let c = set.cidr { visit(c, from ? "fromCIDRSet" : "toCIDRSet", o, i) }
                    }
                }
            } else if let np = o.networkPolicy {
                for rule in np.allRules {
                    for peer in rule.peers?.value ?? [] {
                        if let c = peer.ipBlock?.cidr { visit(c, "ipBlock", o, i) }
                    }
                }
            }
        }
        return out
    }
}
