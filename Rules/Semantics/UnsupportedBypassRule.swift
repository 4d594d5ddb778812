import NetpolLintCore

/// NP307: annotations or labels that claim to bypass Cilium policy but do nothing.
public struct UnsupportedBypassRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP307", name: "unsupported-bypass", category: .semantics, defaultSeverity: .warning,
        summary: "A policy.cilium.io/ annotation or label that Cilium does not have, such as policy.cilium.io/enforce",
        rationale: """
            Cilium defines only `policy.cilium.io/name` and `policy.cilium.io/no-track-port` (and, in older \
            releases, `policy.cilium.io/proxy-visibility`) in `pkg/annotation/k8s.go`; there is no per-pod or \
            per-namespace enforcement switch (a changelog notes "Removed the unsupported \
            policy.cilium.io/enforce namespace label"). Some teams document `policy.cilium.io/enforce: "false"` as a \
            debug bypass: it does nothing, so the "bypass" never works during an incident, and the team debugs the \
            wrong thing.

            The real switches are agent-side: the policy enforcement mode (`policyEnforcementMode`), policy audit \
            mode (globally or per endpoint with `cilium-dbg endpoint config <id> PolicyAuditMode=Enabled`), and a \
            policy's `enableDefaultDeny`.
            """,
        remediation: "Remove the key. To observe without dropping, use policy audit mode on the endpoint; to stop a policy from causing default-deny, set `enableDefaultDeny` on it.",
        references: ["https://docs.cilium.io/en/stable/security/policy-creation/#creating-policies-from-verdicts"],
        triggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: debug
                  namespace: business
                  annotations:
                    ↓policy.cilium.io/enforce: "false"
                spec:
                  containers:
                    - name: shell
                      image: busybox
                """),
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: api
                  namespace: business
                spec:
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata:
                      labels: {app: api}
                      annotations:
                        ↓policy.cilium.io/enforcement: disabled
                    spec:
                      containers: [{name: api, image: api}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: api
                  annotations:
                    policy.cilium.io/no-track-port: "8080"
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: business
                  annotations:
                    policy.cilium.io/name: business
                """),
        ]
    )

    static let prefix = Array("policy.cilium.io/".utf8)
    static let known: Set<String> = ["policy.cilium.io/name", "policy.cilium.io/no-track-port", "policy.cilium.io/proxy-visibility"]

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for (i, kv) in context.metadata(podTemplates: true, where: { kv in
            kv.key.value.utf8.starts(with: Self.prefix) && !Self.known.contains(kv.key.value)
        }) {
            let o = context.objects[i]
            out.append(Finding("'\(kv.key.value)' on \(o.kind.shortName) '\(o.name)' does nothing: Cilium has no such annotation or label, so it bypasses no policy (use policy audit mode or enableDefaultDeny)",
                               at: kv.key.span, object: i))
        }
        return out
    }
}
