import NetpolLintCore

/// NP104: accepted by the API server, rejected by the Cilium agent (Valid=False) and so never enforced.
public struct RejectedByAgentRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP104", name: "rejected-by-agent", category: .structure, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy],
        summary: "The API server accepts this Cilium policy but the agent rejects it, so it is silently not enforced",
        rationale: """
            Some constraints are checked only by the Cilium agent (`pkg/policy/api/rule_validation.go`), not by \
            the CRD schema. `kubectl apply` and Flux report success, the CNP status shows `Valid=False`, and the \
            policy does nothing — it fails open. Checked (version-aware through `ciliumVersion`, default 1.19):

            - no `ingress`, `ingressDeny`, `egress` or `egressDeny` rule at all, e.g. `ingress: []` (Cilium ≥ 1.17: \
              "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny"; field evidence: 39 such \
              CNPs unenforced for ~101 days, research (b));
            - two L3 peer kinds in one rule ("Combining FromEndpoints and FromCIDR is not supported yet");
            - `nodeSelector` in a namespaced CNP ("rule cannot have NodeSelector");
            - `icmps` together with `toPorts` in one rule;
            - L7 HTTP rules on a port whose protocol is not explicitly TCP ("L7 rules can only apply to TCP");
            - L7 rules on port 0 ("L7 rules can not be used when a port is 0");
            - DNS rules on ingress;
            - `fromRequires` / `toRequires` on Cilium ≥ 1.19, where they were removed.
            """,
        remediation: "Split combined peers into separate rules, add the missing rule section, or drop the unsupported construct; then check `kubectl get cnp -o wide` shows VALID True.",
        references: [
            "https://docs.cilium.io/en/stable/security/policy/language/",
            "https://github.com/cilium/cilium/issues/35558",
        ],
        securitySeverity: 7.5,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: default-deny
                  namespace: shop
                ↓spec:
                  endpointSelector: {}
                  ingress: []
                  egress: []
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints:
                        - matchLabels: {app: lb}
                      fromCIDR: ↓[10.1.0.0/16]
                      toPorts:
                        - ports:
                            - port: "80"
                              protocol: ↓ANY
                          rules:
                            http:
                              - method: GET
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints:
                        - matchLabels: {app: lb}
                      toPorts:
                        - ports:
                            - port: "80"
                              protocol: TCP
                          rules:
                            http:
                              - method: GET
                    - fromCIDR: [10.1.0.0/16]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: empty-on-old-cilium
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress: []
                """, configuration: "ciliumVersion: '1.16'"),
        ]
    )

    static let combinable: Set<String> = ["fromRequires", "toRequires", "toFQDNs"]

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        let version = context.ciliumVersion
        for (index, object, policy) in context.ciliumPolicies {
            for rule in policy.rules {
                let sections = [rule.ingress, rule.ingressDeny, rule.egress, rule.egressDeny]
                if version >= CiliumVersion(major: 1, minor: 17), !sections.contains(where: { !($0?.value.isEmpty ?? true) }) {
                    out.append(Finding("\(object.displayName) has no ingress, ingressDeny, egress or egressDeny rule; Cilium ≥ 1.17 marks it Valid=False and enforces nothing",
                                       at: rule.keySpan, object: index))
                }
                if !policy.isClusterwide, rule.nodeSelector != nil {
                    out.append(Finding("nodeSelector is only valid in a CiliumClusterwideNetworkPolicy; the agent rejects \(object.displayName)",
                                       at: rule.nodeSelector!.span, object: index))
                }
                for r in rule.allPeerRules {
                    let kinds = r.peerKinds.filter { !Self.combinable.contains($0.key) }
                    if kinds.count > 1 {
                        out.append(Finding("combining \(kinds[0].key) and \(kinds[1].key) in one rule is not supported; the agent rejects \(object.displayName) — split them into two rules",
                                           at: kinds[1].span, object: index))
                    }
                    if version >= CiliumVersion(major: 1, minor: 19), let req = r.requires {
                        out.append(Finding("\(r.direction == .ingress ? "fromRequires" : "toRequires") was removed in Cilium 1.19; \(object.displayName) is rejected",
                                           at: req.span, object: index))
                    }
                    if let icmps = r.icmps, let ports = r.toPorts, !ports.value.isEmpty {
                        out.append(Finding("icmps and toPorts cannot be combined in one rule; the agent rejects \(object.displayName)",
                                           at: icmps.span, object: index))
                    }
                    for pr in r.toPorts?.value ?? [] {
                        if r.direction == .ingress, pr.dns != nil {
                            out.append(Finding("DNS rules are only allowed on egress; the agent rejects \(object.displayName)", at: pr.span, object: index))
                        }
                        guard pr.hasL7Rules else { continue }
                        for p in pr.ports {
                            if case .number(0)? = p.port?.value {
                                out.append(Finding("L7 rules cannot be used when the port is 0; the agent rejects \(object.displayName)", at: p.port!.span, object: index))
                            }
                            if pr.hasHTTP, p.proto?.value != "TCP" {
                                out.append(Finding("L7 HTTP rules apply only to TCP, and this port's protocol is \(p.proto?.value ?? "omitted (ANY)"); the agent rejects \(object.displayName)",
                                                   at: p.proto?.span ?? p.span, object: index))
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
