import NetpolLintCore

/// NP107: something the semantic checks could not take into account, said instead of guessed.
public struct NotEvaluatedRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP107", name: "not-evaluated", category: .structure, defaultSeverity: .note,
        appliesTo: [.ciliumNetworkPolicy, .networkPolicy, .resourceSet],
        summary: "A policy or a generated Namespace is left out of the semantic checks because it cannot be resolved statically",
        rationale: """
            The semantic rules (NP206–NP214, NP304–NP308) and `trace` reason about the cluster the repository \
            declares. Two things can be unknowable from the files alone, and netpol-lint says so rather than \
            guessing: a namespaced policy whose namespace is set nowhere — no `metadata.namespace`, no kustomize \
            `namespace:` on its path, no Flux Kustomization `targetNamespace` whose `path` contains it — and a Flux \
            Operator ResourceSet whose `resourcesTemplate` (or a string of its `resources` list) uses a template \
            construct outside the supported subset \
            (field access, `if`/`else if`/`else`/`end`, `eq`, `ne`, `and`, `or`, `not`, `index`, `quote`, `default`, \
            `int`, `lower`, `upper`, `slugify`, `toString`, `<<-`/`->>` trimming) or takes its inputs from the cluster \
            (`inputsFrom`). The note names the construct; the Namespaces such a ResourceSet generates (and their \
            profile and access labels) are then unknown, which can hide findings about them.
            """,
        remediation: "Set metadata.namespace (or a kustomization namespace) on the policy; for a ResourceSet, keep the template within the supported subset or declare the Namespaces it generates.",
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: ↓orphan
                spec:
                  description: no namespace anywhere on its path
                  endpointSelector: {}
                  ingress:
                    - fromEndpoints: [{}]
                      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: fluxcd.controlplane.io/v1
                kind: ResourceSet
                metadata:
                  name: tenants
                  namespace: flux-system
                spec:
                  inputs:
                    - tenant: team-a
                  resourcesTemplate: |
                    <<- ↓range $i, $t := inputs.list >>
                    ---
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: << $t >>
                    << end >>
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: fluxcd.controlplane.io/v1
                kind: ResourceSet
                metadata:
                  name: teams
                  namespace: flux-system
                spec:
                  inputs:
                    - team: shop
                      profile: standard
                  resources:
                    - apiVersion: v1
                      kind: Namespace
                      metadata:
                        name: << inputs.team >>
                        labels:
                          network-policy.homelab/profile: << inputs.profile | quote >>
                """),
            Example("""
                apiVersion: fluxcd.controlplane.io/v1
                kind: ResourceSet
                metadata:
                  name: tenants
                  namespace: flux-system
                spec:
                  inputs:
                    - tenant: team-a
                      profile: standard
                    - tenant: team-b
                      profile: isolated
                  resourcesTemplate: |
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: << inputs.tenant >>
                      labels:
                        network-policy.homelab/profile: << inputs.profile | quote >>
                        <<- if eq inputs.tenant "team-a" >>
                        access.network-policy.homelab/postgres: "true"
                        <<- end >>
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.inventory.notes.map { Finding($0.message, at: $0.span, object: $0.object) }
    }
}
