import NetpolLintCore

/// NP213: a profile label value that no profile defines.
public struct UnknownProfileRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP213", name: "unknown-profile", category: .convention, defaultSeverity: .error,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "A namespace selects a profile that does not exist, so no profile policy matches it",
        rationale: """
            Profile CCNPs select namespaces by the exact label value. A typo (`standart`, `Internal`) matches no \
            profile: the namespace keeps only the baselines and its gateway ingress and egress are dropped, with \
            nothing in the cluster saying why. The known profiles are the preset's (`homelab-profiles`: isolated, internal, \
            internal-egress, standard) unless the rule's `profiles` parameter lists others.
            """,
        remediation: "Use one of the known profile names (the message suggests the closest).",
        parameters: [RuleParameter("profiles", .strings, default: "the preset's: isolated, internal, internal-egress, standard",
                                   "the profile names that exist")],
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: blog
                  labels:
                    network-policy.homelab/profile: ↓standart
                """, configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: blog
                  labels:
                    network-policy.homelab/profile: internal-egress
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let convention = Convention.of(context)
        guard let key = convention.preset?.profileLabel else { return [] }
        let profiles = context.parameters(Self.description)["profiles"]?.strings ?? convention.preset?.profiles ?? []
        var out: [Finding] = []
        for ns in context.inventory.namespaces.values {
            guard let label = ns.labels.first(where: { $0.key.value == key }), !profiles.contains(label.value.value),
                  !label.value.value.hasSubstitution else { continue }
            var message = "namespace '\(ns.name)' selects profile '\(label.value.value)', which does not exist (profiles: \(profiles.joined(separator: ", ")))"
            if let s = Suggest.closest(label.value.value, in: profiles, caseInsensitive: true) { message += "; did you mean '\(s)'?" }
            out.append(Finding(message, at: label.value.span, object: ns.object))
        }
        return out
    }
}
