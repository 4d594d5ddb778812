import NetpolLintCore

/// NP203: a platform namespace carries the profile label.
public struct ProfileOnPlatformNamespaceRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP203", name: "profile-on-platform-namespace", category: .convention, defaultSeverity: .error,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "A platform namespace selects a profile, although platform namespaces must use hand-crafted policies",
        rationale: """
            The `homelab-profiles` convention: "NEVER use profiles for platform namespaces — they need custom CNPs". A profile CCNP selects \
            namespaces by `io.cilium.k8s.namespace.labels.network-policy.homelab/profile`, so the label on \
            `kube-system`, `monitoring` or `database` applies generic gateway / HTTPS rules on top of the \
            namespace's precise CNP — widening what the platform accepts, or (with `isolated`) cutting it off.

            Platform namespaces are the preset's list, `platformNamespaces` in the configuration, and every \
            namespace whose CNP lives under a `platform/` folder.
            """,
        remediation: "Remove the profile label from the platform namespace; put its traffic rules in its own CNP under platform/.",
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: monitoring
                  labels:
                    ↓network-policy.homelab/profile: standard
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: my-app
                  labels:
                    network-policy.homelab/profile: standard
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: monitoring
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        guard let key = convention.preset?.profileLabel else { return [] }
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values where convention.isPlatform(ns.name) {
            guard let label = ns.labels.first(where: { $0.key.value == key }) else { continue }
            out.append(Finding("platform namespace '\(ns.name)' selects profile '\(label.value.value)'; platform namespaces use hand-crafted CNPs, never profiles (the homelab-profiles convention)",
                               at: label.key.span, object: ns.object))
        }
        return out
    }
}
