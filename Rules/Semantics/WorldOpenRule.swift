import NetpolLintCore

/// NP303: ingress from the internet to a port not declared public.
public struct WorldOpenRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP303", name: "world-open", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "Ingress is open to the internet on a port that is not declared public",
        rationale: """
            Reported for ingress allow rules that admit any address outside the cluster:

            - `fromEntities: [world]` or `[all]`, `fromCIDR` / `fromCIDRSet` `0.0.0.0/0` or `::/0`, a NetworkPolicy \
              `ipBlock` of `0.0.0.0/0`;
            - an L4-only rule — `toPorts` and no `from*` peer at all. Cilium treats it as a wildcard at L3: "an \
              empty slice of EndpointSelector indicates that the rule allows all at L3", world included \
              (Cilium docs, *Layer 4 Examples*); a NetworkPolicy rule with `ports` and no `from` likewise matches all sources.

            Ports listed in `publicPorts` in `.netpol-lint.yaml` (say 80 and 443 on the gateway) are deliberate and \
            not reported. A real repository's "GitHub webhooks" rule (`fromCIDR: 0.0.0.0/0` to port 8080) is the pattern.
            """,
        remediation: "Admit the real sources (the gateway's endpoints, a CIDR of known clients), or declare the port in `publicPorts` if it is meant to be reachable from the internet.",
        securitySeverity: 8.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: actions-runner
                  namespace: actions-runner-system
                spec:
                  description: webhooks from GitHub
                  endpointSelector: {}
                  ingress:
                    - fromCIDR:
                        - ↓0.0.0.0/0
                      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                    - fromEntities: [↓world]
                    - ↓toPorts: [{ports: [{port: "9443", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: metrics
                  namespace: web
                spec:
                  podSelector: {}
                  ingress:
                    - ↓ports:
                        - port: 9090
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-unreachable
                  namespace: shop
                spec:
                  description: ICMP destination-unreachable from the internet (PMTU discovery) opens no port
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [world]
                      icmps: [{fields: [{type: 3, family: IPv4}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: gateway
                  namespace: istio-gateway
                spec:
                  description: public HTTPS
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [world]
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - fromEntities: [cluster]
                      toPorts: [{ports: [{port: "15021", protocol: TCP}]}]
                  ingressDeny:
                    - fromEntities: [world]
                      toPorts: [{ports: [{port: "15000", protocol: TCP}]}]
                """, configuration: "publicPorts: [443]"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let publicPorts = Convention.of(context).publicPorts
        var out: [Finding] = []
        /// The ports a rule opens that are not public; nil when it opens every port.
        func nonPublic(_ ports: [PortProtocol]?) -> [String]? {
            guard let ports, !ports.isEmpty else { return nil }
            var out: [String] = []
            for p in ports {
                if p.coversAllPorts { return nil }
                switch p.port?.value {
                case .number(let n)?:
                    let end = p.endPort?.value ?? n
                    if !(n...max(n, end)).allSatisfy(publicPorts.contains) { out.append(end > n ? "\(n)-\(end)" : "\(n)") }
                case .named(let name)?: out.append(name)
                default: break
                }
            }
            var seen = Set<String>()
            return out.filter { seen.insert($0).inserted }
        }
        func report(_ where_: String, _ ports: [PortProtocol]?, _ span: Span, _ o: KubeObject, _ i: Int) {
            guard let open = nonPublic(ports) else {
                out.append(Finding("\(o.displayName) admits \(where_) on every port", at: span, object: i))
                return
            }
            guard !open.isEmpty else { return }
            out.append(Finding("\(o.displayName) admits \(where_) on port\(open.count == 1 ? "" : "s") \(open.joined(separator: ", ")), not declared in publicPorts",
                               at: span, object: i))
        }
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            if let policy = o.cilium {
                for rule in policy.rules {
                    // An ICMP-only rule opens no port (PMTU discovery needs ICMP from the internet).
                    for r in rule.ingress?.value ?? [] where !(r.icmps != nil && (r.toPorts?.value.isEmpty ?? true)) {
                        let ports = r.toPorts.map { $0.value.flatMap(\.ports) }
                        if r.hasNoPeer {
                            if r.toPorts != nil {
                                report("every source, the internet included (a rule with ports and no peer is a wildcard at L3),", ports, r.span, o, i)
                            }
                            continue
                        }
                        for e in r.entities?.value ?? [] where e.value == "world" || e.value == "all" {
                            report("the internet (entity '\(e.value)')", ports, e.span, o, i)
                        }
                        for c in r.cidrs?.value ?? [] where c.value.isEverything {
                            report("the internet (\(c.value.text))", ports, c.span, o, i)
                        }
                        for set in r.cidrSets?.value ?? [] {
                            if let c = set.cidr, c.value.isEverything { report("the internet (\(c.value.text))", ports, c.span, o, i) }
                        }
                    }
                }
            } else if let np = o.networkPolicy {
                for rule in np.ingress?.value ?? [] where !rule.isEmptyRule {
                    let ports = rule.ports?.value
                    if rule.peers?.value.isEmpty ?? true {
                        report("every source, the internet included (ports with no from),", ports, rule.span, o, i)
                        continue
                    }
                    for peer in rule.peers?.value ?? [] {
                        if let c = peer.ipBlock?.cidr, c.value.isEverything { report("the internet (\(c.value.text))", ports, c.span, o, i) }
                    }
                }
            }
        }
        return out
    }
}
