import NetpolLintCore

/// NP302: toFQDNs that can never match because Cilium's DNS proxy does not see the lookups.
public struct FQDNWithoutDNSVisibilityRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP302", name: "fqdn-without-dns-visibility", category: .semantics, defaultSeverity: .error,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy],
        summary: "A toFQDNs rule can never match: no DNS rule with L7 visibility covers its names",
        rationale: """
            Cilium learns which IPs belong to a name by intercepting DNS answers in its DNS proxy, and only for \
            lookups an L7 DNS rule lets through: "This requires ... an L7 policy allowing DNS requests" and "Only \
            IPs in intercepted DNS responses ... will be allowed" (DOC layer3.rst "DNS based", layer7.rst "DNS \
            Proxy"; research (e)). So every endpoint with `toFQDNs` needs an egress rule to its resolver on port 53 \
            with `rules: {dns: [...]}` whose `matchName` / `matchPattern` cover the names; a lookup not covered is \
            answered REFUSED and its IPs are never learned. Without it the FQDN rule silently allows nothing — \
            seed 002's cert-manager policy has a port-53 rule but no `rules.dns`.

            DNS rules are looked for in the same policy, in CCNPs that select the same endpoints (an empty \
            endpointSelector, or one whose requirements the policy's selector also has), and in CNPs of the same \
            namespace whose selector the policy's selector includes. Pattern coverage follows Cilium's matchPattern \
            (`*` alone matches every name; otherwise `*` matches within one label).
            """,
        remediation: "Add `rules: {dns: [{matchPattern: \"*\"}]}` (or patterns covering the names) to the port-53 egress rule toward kube-dns for these endpoints.",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#dns-based"],
        securitySeverity: 3.0,
        triggeringExamples: [
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: tier1-cert-manager-egress
                spec:
                  description: cert-manager to ACME
                  endpointSelector:
                    matchLabels:
                      k8s:io.kubernetes.pod.namespace: cert-manager
                  egress:
                    - toFQDNs:
                        ↓- matchPattern: "*.letsencrypt.org"
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - toEndpoints:
                        - matchLabels:
                            k8s:io.kubernetes.pod.namespace: kube-system
                            k8s-app: kube-dns
                      toPorts: [{ports: [{port: "53", protocol: UDP}]}]
                """),
            Example("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: onepassword-connect
                  namespace: external-secrets
                spec:
                  description: 1Password API
                  endpointSelector: {matchLabels: {app.kubernetes.io/name: onepassword-connect}}
                  egress:
                    - toFQDNs:
                        - matchName: my.1password.com
                        - ↓matchName: my.1password.eu
                      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    - toEndpoints:
                        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                      toPorts:
                        - ports: [{port: "53", protocol: ANY}]
                          rules:
                            dns:
                              - matchPattern: "*.1password.com"
                """),
        ],
        nonTriggeringExamples: [
            Example(files: [
                ("baselines/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: baseline-dns
                    spec:
                      description: DNS with visibility for every pod
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules:
                                dns:
                                  - matchPattern: "*"
                    """),
                ("apps/github.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: runner
                      namespace: ci
                    spec:
                      description: GitHub API
                      endpointSelector: {matchLabels: {app: runner}}
                      egress:
                        - toFQDNs:
                            - matchName: api.github.com
                            - matchPattern: "*.githubusercontent.com"
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    """),
            ]),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        // Every rule (spec) with its object, namespace and DNS-visibility patterns.
        struct Spec {
            var object: Int
            var clusterwide: Bool
            var namespace: String?
            var selector: LabelSelector?
            var dns: [String]?  // nil: no DNS-visibility rule
        }
        var specs: [Spec] = []
        for (i, _, policy) in context.ciliumPolicies {
            for rule in policy.rules {
                var patterns: [String]?
                for r in rule.egress?.value ?? [] {
                    for pr in r.toPorts?.value ?? [] where pr.dns != nil && pr.ports.contains(where: Self.isDNSPort) {
                        patterns = (patterns ?? []) + (pr.dns ?? []).compactMap { $0.matchPattern?.value ?? $0.matchName?.value }
                    }
                }
                specs.append(Spec(object: i, clusterwide: policy.isClusterwide, namespace: policy.isClusterwide ? nil : context.namespace(of: i),
                                  selector: rule.endpointSelector, dns: patterns))
            }
        }
        var out: [Finding] = []
        var specIndex = 0
        for (i, o, policy) in context.ciliumPolicies {
            for rule in policy.rules {
                defer { specIndex += 1 }
                let me = specs[specIndex]
                let fqdnRules = (rule.egress?.value ?? []).compactMap(\.fqdns)
                guard !fqdnRules.isEmpty else { continue }
                let namespace = me.namespace ?? me.selector?.namespaceNames.flatMap { $0.count == 1 ? $0[0].value : nil }
                var patterns: [String]?
                for s in specs where s.dns != nil {
                    let applies: Bool
                    if s.object == me.object && s.selector == me.selector {
                        applies = true
                    } else if s.clusterwide {
                        applies = Self.covers(s.selector, me.selector, namespace: namespace, context: context)
                    } else {
                        applies = s.namespace != nil && s.namespace == namespace && Self.covers(s.selector, me.selector, namespace: namespace, context: context)
                    }
                    if applies { patterns = (patterns ?? []) + s.dns! }
                }
                guard let patterns else {
                    for f in fqdnRules {
                        out.append(Finding("\(o.displayName): toFQDNs never matches — no egress rule for these endpoints allows port 53 with 'rules: dns', so Cilium's DNS proxy never learns the names' IPs",
                                           at: f.span, object: i))
                    }
                    continue
                }
                let matchers = patterns.map(DNSPattern.init)
                for f in fqdnRules {
                    for sel in f.value {
                        guard let name = sel.matchName ?? sel.matchPattern else { continue }
                        let isPattern = sel.matchPattern != nil
                        if matchers.contains(where: { $0.covers(name.value, isPattern: isPattern) }) { continue }
                        out.append(Finding("\(o.displayName): '\(name.value)' is not covered by the DNS rules for these endpoints (\(patterns.map { "'\($0)'" }.joined(separator: ", "))): its lookups are refused and toFQDNs never matches it",
                                           at: sel.span, object: i))
                    }
                }
            }
        }
        return out
    }

    static func isDNSPort(_ p: PortProtocol) -> Bool {
        if case .number(53)? = p.port?.value { return true }
        return false
    }

    /// Whether a DNS rule's selector `outer` applies to every endpoint `inner` selects (conservatively: when in
    /// doubt, it applies, so no finding is made on a guess).
    static func covers(_ outer: LabelSelector?, _ inner: LabelSelector?, namespace: String?, context: LintContext) -> Bool {
        guard let outer else { return false }
        let innerReqs = Set((inner?.requirements ?? []).map { RequirementKey($0) })
        for r in outer.requirements {
            switch r.key {
            case .namespaceName:
                guard let ns = namespace else { continue }
                let values = Set(r.values.map(\.value))
                switch r.op {
                case .in: if !values.contains(ns) { return false }
                case .notIn: if values.contains(ns) { return false }
                case .exists: continue
                case .doesNotExist: return false
                }
            case .namespaceLabel(let key):
                guard let ns = namespace, let declared = context.inventory.namespaces[ns] else { continue }
                let value = declared.effectiveLabels[key]
                let values = Set(r.values.map(\.value))
                switch r.op {
                case .in: if !(value.map(values.contains) ?? false) { return false }
                case .notIn: if value.map(values.contains) ?? false { return false }
                case .exists: if value == nil { return false }
                case .doesNotExist: if value != nil { return false }
                }
            default:
                if !innerReqs.contains(RequirementKey(r)) { return false }
            }
        }
        return true
    }

    struct RequirementKey: Hashable {
        var key: LabelKey
        var op: SelectorOperator
        var values: [String]
        init(_ r: LabelRequirement) {
            key = r.key
            op = r.op
            values = r.values.map(\.value).sorted()
        }
    }
}

/// A Cilium DNS `matchPattern` / `matchName` as a matcher (pkg/fqdn/matchpattern: `*` alone matches every
/// name; otherwise `*` matches DNS characters within one label, `**.` one or more labels).
struct DNSPattern {
    let text: String
    let matchesAll: Bool
    let regex: Regex?

    init(_ pattern: String) {
        let p = DNSPattern.normalize(pattern)
        text = p
        matchesAll = p == "*" || p == "**"
        var re = "^"
        let chars = Array(p)
        var i = 0
        while i < chars.count {
            if chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                re += "([-a-z0-9_]+\\.)+"
                i += 2
                if i < chars.count && chars[i] == "." { i += 1 }
                continue
            }
            switch chars[i] {
            case "*": re += "[-a-z0-9_]*"
            case ".": re += "\\."
            default: re.append(chars[i])
            }
            i += 1
        }
        regex = try? Regex(re + "$")
    }

    static func normalize(_ s: String) -> String {
        var t = s.lowercased()
        while t.hasSuffix(".") && t.count > 1 { t.removeLast() }
        return t
    }

    /// Whether every name `name` denotes is covered. For a pattern, its wildcards are given the benefit of the
    /// doubt (replaced by a sample label), so an uncertain case never produces a finding.
    func covers(_ name: String, isPattern: Bool) -> Bool {
        if matchesAll { return true }
        let n = DNSPattern.normalize(name)
        if n == text { return true }
        let sample = isPattern ? n.replacingAll("**", with: "x").replacingAll("*", with: "x") : n
        return regex?.matches(sample) ?? true
    }
}
