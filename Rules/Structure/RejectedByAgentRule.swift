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
              CNPs unenforced for ~101 days, devantler-tech/platform#3501; cilium/cilium#35558);
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

    public func check(_ context: LintContext) -> [Finding] {
        context.ciliumPolicies.flatMap { index, object, _ in
            object.agentRejections(version: context.ciliumVersion).filter { $0.reportedBy == Self.description.id }
                .map { Finding($0.message, at: $0.span, object: index) }
        }
    }
}
