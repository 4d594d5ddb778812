import NetpolLintCore

/// NP401: policy names follow the per-folder naming convention.
public struct NamingRule: Rule {
    public init() {}

    public static let defaultPatterns = ["baselines": "^baseline-", "profiles": "^profile-", "shared-resources": "^access-"]

    public static let description = RuleDescription(
        id: "NP401", name: "naming", category: .convention, defaultSeverity: .note,
        presets: ["homelab-profiles"],
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A policy's name does not follow the naming pattern of the folder it is in",
        rationale: """
            The `homelab-profiles` layout gives each folder a role — `baselines/` (universal allows), `profiles/` (namespace \
            profiles), `shared-resources/` (opt-in access) — and names follow it (`baseline-dns-egress`, \
            `profile-standard`, `access-postgres`). The names are what `kubectl get ccnp | grep -E \
            'baseline|profile'` and Hubble's policy verdicts show; a policy named off-pattern is missed \
            by both, and a misplaced file is usually a misplaced policy.

            The patterns are PCRE2 expressions per folder name (any path segment); the preset's are \
            `baselines: ^baseline-`, `profiles: ^profile-`, `shared-resources: ^access-`. Configure others with \
            `rules: {NP401: {patterns: {folder: "regex"}}}`, which also enables the rule without the preset.
            """,
        remediation: "Rename the policy to match its folder's pattern, or move it to the folder its name says.",
        parameters: [RuleParameter("patterns", .regexMap, default: "baselines: ^baseline-, profiles: ^profile-, shared-resources: ^access-",
                                   "folder name → PCRE2 pattern the names of policies in it must match")],
        triggeringExamples: [
            Example(files: [
                ("network-policy/baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: ↓allow-dns
                    spec:
                      description: all pods to kube-dns
                      endpointSelector: {}
                      egress:
                        - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("network-policy/baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns-egress
                    spec:
                      description: all pods to kube-dns
                      endpointSelector: {}
                      egress:
                        - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                          toPorts: [{ports: [{port: "53", protocol: ANY}]}]
                    """),
                ("network-policy/platform/database.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: database-default
                      namespace: database
                    spec:
                      description: no pattern for platform/
                      endpointSelector: {}
                      ingress:
                        - fromEndpoints: [{}]
                          toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                    """),
            ], configuration: "preset: homelab-profiles"),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let configured = context.parameters(Self.description)["patterns"]?.map
        let patterns = (configured ?? Self.defaultPatterns).compactMap { k, v in (try? Regex(v)).map { (k, v, $0) } }
            .sorted { $0.0 < $1.0 }
        var out: [Finding] = []
        for i in context.objects.indices where context.objects[i].kind.isPolicy {
            let o = context.objects[i]
            guard let name = o.meta.name, !name.value.hasSubstitution else { continue }
            let segments = Set(context.folder(of: i).split(separator: "/").map(String.init))
            for (folder, text, regex) in patterns where segments.contains(folder) && !regex.matches(name.value) {
                out.append(Finding("\(o.displayName) is in '\(folder)/', whose policies are named '\(text)'", at: name.span, object: i))
            }
        }
        return out
    }
}
