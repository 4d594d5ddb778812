import NetpolLintCore

/// NP499: the user's own rules from `customRules:` in `.netpol-lint.yaml`.
public struct CustomRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP499", name: "custom", category: .custom, defaultSeverity: .warning,
        summary: "A field matches (or fails to match) a pattern declared in the configuration's customRules",
        rationale: """
            Every team has conventions no built-in rule knows: label values, name prefixes, forbidden FQDNs. \
            `customRules` in `.netpol-lint.yaml` declares them without writing code:

            ```yaml
            customRules:
              - id: no-rfc1918-egress          # shown in the message
                kind: CiliumNetworkPolicy      # an object kind netpol-lint reads
                path: spec.egress.toCIDR       # dotted field path; list items need no index
                pattern: "^(10|192\\\\.168)\\\\."  # PCRE2
                when: matches                  # or does-not-match (default: matches)
                message: egress to private ranges must go through the egress gateway
                severity: error                # default: warning
            ```

            Patterns are PCRE2, compiled once with JIT where available, and matched with a match limit and a depth \
            limit, so a pathological pattern cannot hang CI; an invalid pattern is a configuration error naming its \
            line. Each finding is reported at the field's value with the custom rule's own severity.
            """,
        remediation: "Change the value as the custom rule's message says, or adjust the rule in .netpol-lint.yaml.",
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: backup
                  namespace: backup
                spec:
                  description: NAS
                  endpointSelector: {}
                  egress:
                    - toCIDR: [↓192.168.10.5/32]
                      toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
                """, configuration: """
                customRules:
                  - id: no-private-egress
                    kind: CiliumNetworkPolicy
                    path: spec.egress.toCIDR
                    pattern: "^(10|192\\\\.168)\\\\."
                    message: egress to private ranges must go through the egress gateway
                    severity: error
                """),
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: ↓allow-web
                  namespace: shop
                spec:
                  podSelector: {}
                """, configuration: """
                customRules:
                  - id: np-prefix
                    kind: NetworkPolicy
                    path: metadata.name
                    pattern: "^np-"
                    when: does-not-match
                    message: NetworkPolicy names start with np-
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: np-allow-web
                  namespace: shop
                spec:
                  podSelector: {}
                """, configuration: """
                customRules:
                  - id: np-prefix
                    kind: NetworkPolicy
                    path: metadata.name
                    pattern: "^np-"
                    when: does-not-match
                    message: NetworkPolicy names start with np-
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        var out: [Finding] = []
        for spec in context.configuration.customRules {
            for i in context.objects.indices where context.objects[i].kind == spec.kind {
                let o = context.objects[i]
                for field in o.fields ?? [] where field.path == spec.path {
                    let matched = spec.pattern.matches(field.value)
                    guard matched == (spec.when == .matches) else { continue }
                    var f = Finding("[\(spec.id)] \(spec.message) (\(o.displayName), \(spec.path): '\(field.value)')", at: field.span, object: i)
                    f.severityOverride = spec.severity
                    out.append(f)
                }
            }
        }
        return out
    }
}
