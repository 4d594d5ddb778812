import NetpolLintCore

/// NP209: a mesh namespace cannot carry HBONE to and from ztunnel.
public struct PlatformMissingHBONERule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP209", name: "platform-missing-hbone", category: .convention, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .namespace],
        summary: "A platform namespace in the Istio ambient mesh lacks 15008/TCP (HBONE) to and from ztunnel",
        rationale: """
            In Istio ambient mode, mesh traffic is tunnelled between ztunnels over HBONE on port 15008/TCP. The \
            `homelab-profiles` convention ("HBONE Traffic") requires platform CNPs of mesh namespaces to allow 15008/TCP from and \
            to `istio-system/app=ztunnel`; Istio's "Ambient and Kubernetes NetworkPolicy" page requires inbound \
            15008 on ambient pods. Without it, mesh traffic to and from the namespace is dropped \
            while plain-text probes still pass, which makes the failure look like an Istio bug.

            A namespace is in the mesh when it carries the preset's mesh label (`istio.io/dataplane-mode: \
            ambient`) or is listed in `meshNamespaces`. Both directions are checked at the namespace's pods (a \
            refusal at ztunnel is NP210's); `mode: effective` (default) lets any policy provide them, `mode: \
            explicit` also wants the namespace's own CNP to state them.
            """,
        remediation: "Add HBONE rules to the namespace's CNP: ingress `fromEndpoints` and egress `toEndpoints` `{io.kubernetes.pod.namespace: istio-system, app: ztunnel}` on 15008/TCP.",
        references: ["https://istio.io/latest/docs/ambient/usage/networkpolicy/"],
        parameters: [PlatformRequirement.modeParameter],
        triggeringExamples: [
            Example(files: [
                ("namespaces/database.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: database
                      labels:
                        istio.io/dataplane-mode: ambient
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: ↓database-default
                      namespace: database
                    spec:
                      description: in the mesh, HBONE in only
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: istio-system, app: ztunnel}
                          toPorts: [{ports: [{port: "15008", protocol: TCP}]}]
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("namespaces/database.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: database
                      labels:
                        istio.io/dataplane-mode: ambient
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: HBONE both ways
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: istio-system, app: ztunnel}
                          toPorts: [{ports: [{port: "15008", protocol: TCP}]}]
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: istio-system, app: ztunnel}
                          toPorts: [{ports: [{port: "15008", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
            Example(files: [
                ("namespaces/database.yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: database
                    """),
                ("platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: not in the mesh, no HBONE needed
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints: [{}]
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        let ztunnel = Convention.semantics(context).wellKnownEndpoints("ztunnel")
        let hbone = [PortQuery(15008, "TCP")]
        return PlatformRequirement(what: "HBONE (15008/TCP) with ztunnel", flows: [
            .init(direction: .ingress, peers: ztunnel, ports: hbone),
            .init(direction: .egress, peers: ztunnel, ports: hbone),
        ]).check(context, rule: Self.description, only: { ns in
            convention.isMesh(ns, context) && !ztunnel.contains { $0.namespace == ns }
        })
    }
}
