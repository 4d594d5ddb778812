import NetpolLintCore

/// NP212: an application namespace without the profile label.
public struct AppNamespaceWithoutProfileRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP212", name: "app-namespace-without-profile", category: .convention, defaultSeverity: .warning,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "An application namespace selects no profile, so it gets only the baselines (no gateway ingress, no internet egress)",
        rationale: """
            The `homelab-profiles` convention, "Deploy App with Network Policy": step 1 is choosing a profile and step 2 applying the label \
            `network-policy.homelab/profile: <profile>` to the namespace "committed to git, not kubectl apply". \
            Without it the namespace's pods still fall under the baselines' implicit default-deny, so ingress from \
            the gateways and HTTPS egress are silently dropped — the classic "works in dev, dropped in prod".

            Platform namespaces (hand-crafted CNPs) and `kube-public` / `kube-node-lease` are exempt.
            """,
        remediation: "Add `network-policy.homelab/profile: isolated|internal|internal-egress|standard` to the namespace (docs/conventions/homelab-profiles.md lists what each profile allows), or list it in `platformNamespaces` if it has its own CNP.",
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ↓my-app
                  labels:
                    access.network-policy.homelab/postgres: "true"
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: my-app
                  labels:
                    network-policy.homelab/profile: internal
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: database
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        guard let key = convention.preset?.profileLabel else { return [] }
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values {
            guard !convention.isPlatform(ns.name), !Convention.systemNamespaces.contains(ns.name),
                  !ns.labels.contains(where: { $0.key.value == key }) else { continue }
            out.append(Finding("namespace '\(ns.name)' has no \(key) label: it is neither a platform namespace nor on a profile, so only the baselines apply",
                               at: context.objects[ns.object].anchor, object: ns.object))
        }
        return out
    }
}
