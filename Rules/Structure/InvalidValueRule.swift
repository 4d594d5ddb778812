import NetpolLintCore

/// NP102: a value the API server or Cilium rejects, or that can never match.
public struct InvalidValueRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP102", name: "invalid-value", category: .structure, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A policy value is invalid: a bad port, range, protocol, CIDR, entity or selector",
        rationale: """
            Checked against the Cilium CRD and `pkg/policy/api` validation, and the Kubernetes NetworkPolicy API:

            - ports are numbers 0-65535 or IANA port names; `endPort` is not below `port` and not used with a named port;
            - protocols are `TCP`, `UDP`, `SCTP`, `ANY` (Cilium) — upper case;
            - CIDRs carry a prefix length (the CRD declares `format: cidr`, so a bare IP is rejected) and `except` \
              blocks lie inside their `cidr`;
            - entities are the CRD enum: all, world, cluster, host, init, ingress, unmanaged, remote-node, health, \
              none, kube-apiserver (`world-ipv4` is not in the enum);
            - selector operators are In, NotIn, Exists, DoesNotExist, with `values` exactly when In/NotIn;
            - a Cilium rule has exactly one of `endpointSelector` / `nodeSelector`; at most 40 ports per `toPorts` item;
            - `toFQDNs` is not combined with another peer kind in one rule ("Combining ToFQDNs and ... is not supported");
            - label keys that look reserved but are not (`io.kubernetes.pod.namespace.labels.x`) never match.

            Sources: Cilium's policy language reference (entities, ports, CIDRs) and its validation code, `pkg/policy/api/rule_validation.go`, `entity.go`, `cidr.go`.
            """,
        remediation: "Correct the value as the message says.",
        references: [
            "https://docs.cilium.io/en/stable/security/policy/language/",
            "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/",
        ],
        securitySeverity: 5.5,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  endpointSelector: {}
                  ingress:
                    - fromEntities: [↓world-ipv4]
                      toPorts:
                        - ports:
                            - port: ↓"99999"
                              protocol: ↓tcp
                  egress:
                    - toCIDR: [↓10.0.0.1]
                    - toEndpoints:
                        - matchLabels:
                            ↓io.kubernetes.pod.namespace.labels.team: payments
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: web
                  namespace: shop
                spec:
                  podSelector:
                    matchExpressions:
                      - key: tier
                        operator: ↓Exist
                  ingress:
                    - ports:
                        - port: 8000
                          endPort: ↓7000
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: dns
                spec:
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels:
                            k8s:io.kubernetes.pod.namespace: kube-system
                            k8s-app: kube-dns
                      toPorts:
                        - ports:
                            - port: "53"
                              protocol: ANY
                          rules:
                            dns:
                              - matchPattern: "*"
                    - toFQDNs:
                        - matchName: api.github.com
                      toPorts:
                        - ports:
                            - port: "443"
                              protocol: TCP
                    - toCIDRSet:
                        - cidr: 0.0.0.0/0
                          except: [10.0.0.0/8, 192.168.0.0/16]
                    - toCIDR: ["${LB_CIDR}"]
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.modelIssues.filter { $0.issue.kind == .invalidValue }
            .map { var f = Finding($0.issue.message, at: $0.issue.span, object: $0.object); f.fix = $0.issue.fix; return f }
            // Peer shapes the agent refuses that are reported as invalid values (the model's one place for them).
            + context.ciliumPolicies.flatMap { index, object, _ in
                object.agentRejections(version: context.ciliumVersion).filter { $0.reportedBy == Self.description.id }
                    .map { Finding($0.message, at: $0.span, object: index) }
            }
    }
}
