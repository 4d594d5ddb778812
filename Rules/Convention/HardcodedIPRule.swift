import NetpolLintCore

/// NP204: literal IPs / CIDRs in policies.
public struct HardcodedIPRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP204", name: "hardcoded-ip", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy, .ciliumCIDRGroup],
        summary: "A policy names a literal IP address or CIDR instead of selecting its peer",
        rationale: """
            The `homelab-profiles` convention: "NEVER hardcode IP addresses — use endpoint selectors and entities". Addresses change \
            (LoadBalancer pools, node replacement, DHCP), the policy silently stops matching, and nobody can tell \
            from `10.11.1.10/32` what it was meant to reach. Worse, Cilium CIDR rules never match Cilium-managed \
            pods (and by default not nodes): a CIDR written for a pod or Service IP never allows anything \
            (Cilium docs, *Layer 3 Examples*, CIDR based: "CIDR rules do not apply to traffic where both sides of the connection are either managed by Cilium or use an IP belonging to a node in the cluster").

            Checked: `fromCIDR` / `toCIDR`, `fromCIDRSet` / `toCIDRSet` `cidr`, and NetworkPolicy `ipBlock.cidr`. \
            A `CiliumCIDRGroup` (https://docs.cilium.io/en/stable/network/kubernetes/ciliumcidrgroup/) keeps its \
            addresses in one place: its literal `externalCIDRs` are reported once, at the group, and policies that \
            reference it with `cidrGroupRef` are not reported. A group spelling out the internet (at least half \
            of the address space, as "the internet minus private ranges" groups do) is `0.0.0.0/0` written out \
            and is not reported. \
            Not reported: the allow-list (169.254.0.0/16 for kubelet / Istio ambient health probes, plus \
            `allowedCIDRs` from the preset and configuration), `0.0.0.0/0` and `::/0` (the whole internet, see \
            NP303), and Flux `${VAR}` substitutions, which are not literals.
            """,
        remediation: """
            The message says which fix applies. A peer inside the cluster: select it — in a Cilium policy with \
            `toEndpoints` / `fromEndpoints` or an entity (`kube-apiserver`, `remote-node`, `host`), in a \
            NetworkPolicy with a `podSelector` / `namespaceSelector` (a NetworkPolicy has no entities). A host \
            outside the cluster (a public address always is; a NAS or the LAN usually): add its network to \
            `allowedCIDRs` in `.netpol-lint.yaml`, or, in a Flux repository, substitute it (`${NAS_CIDR}` from \
            `postBuild.substitute`) so that the address lives in one place.
            """,
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
            // One finding for the group, at its first literal CIDR; none at the policy that references it.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumCIDRGroup
                metadata:
                  name: nas
                spec:
                  externalCIDRs:
                    - ↓192.168.10.5/32
                    - 192.168.10.6/32
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: backup
                  namespace: backup
                spec:
                  description: the NAS, through its CIDR group
                  endpointSelector: {}
                  egress:
                    - toCIDRSet:
                        - cidrGroupRef: nas
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
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
            // A group that spells out the internet minus private ranges is 0.0.0.0/0 written out.
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumCIDRGroup
                metadata:
                  name: internet
                spec:
                  externalCIDRs: [0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/3,
                                  160.0.0.0/5, 168.0.0.0/6, 172.0.0.0/12, 172.32.0.0/11, 172.64.0.0/10, 172.128.0.0/9, 173.0.0.0/8,
                                  174.0.0.0/7, 176.0.0.0/4, 192.0.0.0/9, 192.128.0.0/11, 192.160.0.0/13, 192.169.0.0/16, 192.170.0.0/15,
                                  192.172.0.0/14, 192.176.0.0/12, 192.192.0.0/10, 193.0.0.0/8, 194.0.0.0/7, 196.0.0.0/6, 200.0.0.0/5,
                                  208.0.0.0/4, 224.0.0.0/3]
                """),
            // A policy referencing a CIDR group is not reported; the group is (see the triggering example).
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: backup
                  namespace: backup
                spec:
                  description: the NAS, through its CIDR group
                  endpointSelector: {}
                  egress:
                    - toCIDRSet:
                        - cidrGroupRef: nas
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                ---
                apiVersion: cilium.io/v2alpha1
                kind: CiliumCIDRGroup
                metadata:
                  name: nas
                spec:
                  externalCIDRs: [192.168.10.5/32]
                """, configuration: "allowedCIDRs: [192.168.10.0/24]"),
        ]
    )

    /// Private, shared and link-local ranges: an address in them may be a pod or Service of the cluster, or a host
    /// on the LAN. Anything else is a public address, outside the cluster for certain.
    static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fe80::/10"]
        .compactMap(CIDRParser.parse)

    /// The fix that applies to this peer, in this kind of policy, in this repository.
    static func advice(_ cidr: CIDRValue, field: String, cilium: Bool, flux: Bool) -> String {
        let keep = "list it in allowedCIDRs in .netpol-lint.yaml" + (flux ? " or substitute it with a Flux ${VAR} from postBuild.substitute" : "")
        guard let p = cidr.parsed, privateRanges.contains(where: { CIDRParser.contains($0, p) }) else {
            return "it is outside the cluster, so no selector can name it: \(keep)"
        }
        let selector = cilium
            ? "select it with \(field.hasPrefix("from") ? "fromEndpoints" : "toEndpoints") or an entity (Cilium CIDR rules never match Cilium-managed pods)"
            : "select it with a podSelector/namespaceSelector (pod IPs change)"
        return "if it is a pod or Service of the cluster, \(selector); if it is a host outside the cluster, \(keep)"
    }

    /// At least half of the IPv4 or of the IPv6 address space: "the internet minus private ranges" written out.
    static func spellsOutTheInternet(_ cidrs: [ParsedCIDR]) -> Bool {
        for v6 in [false, true] {
            let share = cidrs.filter { $0.isIPv6 == v6 }.reduce(0.0) { $0 + Double.pow2(-$1.prefixLength) }
            if share >= 0.5 { return true }
        }
        return false
    }

    /// The fix for a CIDR group's addresses: it already keeps them in one place.
    static func groupAdvice(_ cidrs: [CIDRValue]) -> String {
        let inside = cidrs.contains { c in c.parsed.map { p in privateRanges.contains { CIDRParser.contains($0, p) } } ?? false }
        return (inside ? "if they are pods or Services of the cluster, select them with toEndpoints or an entity (Cilium CIDR rules never match Cilium-managed pods); " : "")
            + "if they are hosts outside the cluster, list them in allowedCIDRs in .netpol-lint.yaml"
    }

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        let flux = context.objects.contains { $0.kind == .fluxKustomization }
        var out: [Finding] = []
        func visit(_ cidr: Located<CIDRValue>, _ field: String, _ object: KubeObject, _ index: Int) {
            guard !cidr.value.isEverything, !convention.isAllowed(cidr.value), cidr.value.parsed != nil else { return }
            let advice = Self.advice(cidr.value, field: field, cilium: object.cilium != nil, flux: flux)
            out.append(Finding("hardcoded CIDR '\(cidr.value.text)' in \(field) of \(object.displayName); \(advice)",
                               at: cidr.span, object: index))
        }
        // Only policies and CIDR groups hold addresses: the other objects are not copied out of the array.
        for i in context.objects.indices where context.objects[i].kind.isPolicy || context.objects[i].kind == .ciliumCIDRGroup {
            let o = context.objects[i]
            if let policy = o.cilium {
                for r in policy.allPeerRules {
                    let from = r.direction == .ingress
                    for c in r.cidrs?.value ?? [] { visit(c, from ? "fromCIDR" : "toCIDR", o, i) }
                    for set in r.cidrSets?.value ?? [] {
                        if let c = set.cidr { visit(c, from ? "fromCIDRSet" : "toCIDRSet", o, i) }
                    }
                }
            } else if let group = o.cidrGroup {
                // Once per group, at its first literal CIDR: the group is where the addresses are kept.
                let literal = group.externalCIDRs.filter { !$0.value.isEverything && !convention.isAllowed($0.value) && $0.value.parsed != nil }
                // A group that spells out the internet (the whole address space minus private ranges) is 0.0.0.0/0
                // written out, not reported (as 0.0.0.0/0 is not; see NP303).
                guard let first = literal.first, !Self.spellsOutTheInternet(literal.compactMap(\.value.parsed)) else { continue }
                let shown = literal.prefix(3).map(\.value.text).joined(separator: ", ") + (literal.count > 3 ? ", and \(literal.count - 3) more" : "")
                out.append(Finding("\(o.displayName) lists hardcoded CIDRs (\(shown)); policies referencing it by cidrGroupRef are not reported again; "
                                   + Self.groupAdvice(literal.map(\.value)), at: first.span, object: i))
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

extension Double {
    /// 2 to the power `n`.
    static func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}
