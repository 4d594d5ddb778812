import NetpolLintCore

/// NP211: the escape hatch committed to git.
public struct EnforcementDisabledRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP211", name: "enforcement-disabled", category: .convention, defaultSeverity: .error,
        presets: ["homelab-profiles"], appliesTo: [.namespace],
        summary: "The network-policy escape hatch is committed to git, so enforcement stays off for good",
        rationale: """
            The `homelab-profiles` convention describes the escape hatch as a temporary, alerted `kubectl label namespace <ns> \
            network-policy.homelab/enforcement=disabled`, removed again once the root cause is fixed ("NEVER \
            disable enforcement without following the escape hatch runbook"; alerts fire after 5 minutes and 24 \
            hours). Written into a manifest, GitOps re-applies it on every reconcile: the namespace is permanently \
            exempt and the alert becomes noise.
            """,
        remediation: "Remove the label from the manifest; if traffic is blocked, fix the policy (`netpol-lint trace` shows which rule decides a connection; Hubble shows the drops) and use the escape hatch only with kubectl, following the runbook.",
        securitySeverity: 8.0,
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: my-app
                  labels:
                    network-policy.homelab/profile: standard
                    ↓network-policy.homelab/enforcement: disabled
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
                    network-policy.homelab/enforcement: enabled
                """, configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        guard let key = Convention.of(context).preset?.enforcementLabel else { return [] }
        var out: [Finding] = []
        for (i, kv) in context.metadata(where: { $0.key.value == key && $0.value.value == "disabled" }) {
            let o = context.objects[i]
            out.append(Finding("\(o.kind.shortName) '\(o.name)' has \(key)=disabled committed: policy enforcement is off every time GitOps reconciles; the escape hatch is a temporary kubectl label (the homelab-profiles convention)",
                               at: kv.key.span, object: i))
        }
        return out
    }
}
