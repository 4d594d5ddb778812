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
            Proxy"). So every endpoint with `toFQDNs` needs an egress rule to its resolver on port 53 \
            with `rules: {dns: [...]}` whose `matchName` / `matchPattern` cover the names; a lookup not covered is \
            answered REFUSED and its IPs are never learned. Without it the FQDN rule silently allows nothing — \
            a cert-manager policy seen in a real repository has a port-53 rule but no `rules.dns`.

            DNS rules are looked for in every policy that may select the same endpoints, with the semantics \
            engine's selector algebra: a policy's own other rules, CCNPs (an empty endpointSelector, namespace \
            labels evaluated against the declared Namespaces) and CNPs of the same namespace. The policy's pods are \
            the declared workloads it selects, with their labels; when none is declared, they are taken to carry \
            the labels its own selector names: a DNS policy that selects pods by another label \
            (an opt-in label set in a Helm release netpol-lint cannot read) does not count, since nothing in the \
            policy guarantees it. The pods of a bjw-s app-template HelmRelease are declared workloads, with the \
            labels the chart gives them (docs/semantics.md), so an opt-in label set in its values does count. \
            A namespace the repository does not declare may carry any label, so a DNS policy selecting by \
            namespace label is then assumed to apply. Pattern coverage follows Cilium's matchPattern \
            (`*` alone matches every name; otherwise `*` matches within one label).

            Rules of all policies selecting an endpoint are merged, and "If a layer 4 rule is specified in the \
            policy, and a similar layer 4 rule with layer 7 rules is also specified, then the layer 7 portions of \
            the latter rule will have no effect" (https://docs.cilium.io/en/stable/security/policy/layer7/). So an \
            allow without L7 rules on port 53 toward the same DNS server — a NetworkPolicy allowing 53/UDP to \
            kube-dns, say — beside a DNS rule makes every name visible: no finding then. An allow toward another \
            peer (world) or another port does not. An allow of every port (no `ports`) toward the same peer is \
            merged differently across Cilium versions: no finding either.
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
            // The app-template pods do not carry the opt-in label the DNS policy selects.
            Example(files: [
                ("apps/openclaw/hr.yaml", """
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata: {name: openclaw, namespace: openclaw}
                    spec:
                      chartRef: {kind: OCIRepository, name: app-template}
                      values:
                        controllers:
                          app:
                            pod:
                              labels: {egress.home.arpa/internet: allow}
                    """),
                ("apps/openclaw/oci.yaml", """
                    apiVersion: source.toolkit.fluxcd.io/v1
                    kind: OCIRepository
                    metadata: {name: app-template, namespace: openclaw}
                    spec:
                      url: oci://ghcr.io/bjw-s-labs/helm/app-template
                      ref: {tag: 4.6.2}
                    """),
                ("baselines/dns-l7.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: dns-l7-opt-in
                    spec:
                      description: DNS with visibility for pods that opt in
                      endpointSelector: {matchLabels: {dns.home.arpa/l7: "true"}}
                      egress:
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules: {dns: [{matchPattern: "*"}]}
                    """),
                ("apps/openclaw/netpol.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: openclaw
                      namespace: openclaw
                    spec:
                      description: the model APIs
                      endpointSelector: {matchLabels: {app.kubernetes.io/name: openclaw}}
                      egress:
                        - toFQDNs:
                            ↓- matchName: openrouter.ai
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    """),
            ]),
            // An allow without L7 rules on port 53 to another peer (world) does not cancel the DNS rule toward kube-dns.
            Example(files: [
                ("apps/media/fqdn.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: downloader
                      namespace: media
                    spec:
                      description: downloads, DNS restricted to the index
                      endpointSelector: {matchLabels: {app: downloader}}
                      egress:
                        - toFQDNs:
                            - ↓matchName: cdn.example.org
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: UDP}]
                              rules: {dns: [{matchName: index.example.org}]}
                    """),
                ("apps/media/netpol.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: downloader-dns, namespace: media}
                    spec:
                      podSelector: {matchLabels: {app: downloader}}
                      policyTypes: [Egress]
                      egress:
                        - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
                          ports: [{port: 53, protocol: UDP}, {port: 5353, protocol: UDP}]
                        - to:
                            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                              podSelector: {matchLabels: {k8s-app: kube-dns}}
                          ports: [{port: 5353, protocol: UDP}]
                    """),
            ]),
        ],
        nonTriggeringExamples: [
            // A NetworkPolicy allowing 53/UDP to kube-dns without L7 rules cancels the CNP's DNS restriction on the
            // same port and peer: every name is visible to the DNS proxy.
            Example(files: [
                ("apps/media/fqdn.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: downloader, namespace: media}
                    spec:
                      description: downloads, DNS restricted to the index
                      endpointSelector: {matchLabels: {app: downloader}}
                      egress:
                        - toFQDNs:
                            - matchName: cdn.example.org
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules: {dns: [{matchName: index.example.org}]}
                    """),
                ("apps/media/netpol.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: downloader-dns, namespace: media}
                    spec:
                      podSelector: {matchLabels: {app: downloader}}
                      policyTypes: [Egress]
                      egress:
                        - to:
                            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                              podSelector: {matchLabels: {k8s-app: kube-dns}}
                          ports: [{port: 53, protocol: UDP}]
                    """),
            ]),
            // An allow of every port to the same DNS server may cancel the restriction too (Cilium's merging of such
            // a wildcard with L7 rules is not certain across versions): not reported, no finding rests on a guess.
            Example(files: [
                ("apps/media/fqdn.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: downloader, namespace: media}
                    spec:
                      description: downloads, DNS restricted to the index
                      endpointSelector: {matchLabels: {app: downloader}}
                      egress:
                        - toFQDNs:
                            - matchName: cdn.example.org
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules: {dns: [{matchName: index.example.org}]}
                    """),
                ("apps/media/netpol.yaml", """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: downloader-dns, namespace: media}
                    spec:
                      podSelector: {matchLabels: {app: downloader}}
                      policyTypes: [Egress]
                      egress:
                        - to:
                            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                              podSelector: {matchLabels: {k8s-app: kube-dns}}
                    """),
            ]),
            Example(files: [
                ("apps/ci/fqdn.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: runner-github}
                    spec:
                      description: no namespace here; the folder's other policy gives DNS visibility
                      endpointSelector: {matchLabels: {app: runner}}
                      egress:
                        - toFQDNs: [{matchName: api.github.com}]
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    """),
                ("apps/ci/dns.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: dns-visibility}
                    spec:
                      description: DNS visibility for the whole namespace
                      endpointSelector: {}
                      egress:
                        - toEndpoints:
                            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules: {dns: [{matchPattern: "*"}]}
                    """),
            ]),
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
            // The pods of the app-template release opt in to DNS visibility in its values.
            Example(files: [
                ("apps/openclaw/hr.yaml", """
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata: {name: openclaw, namespace: openclaw}
                    spec:
                      chartRef: {kind: OCIRepository, name: app-template}
                      values:
                        controllers:
                          app:
                            pod:
                              labels: {dns.home.arpa/l7: "true"}
                    """),
                ("apps/openclaw/oci.yaml", """
                    apiVersion: source.toolkit.fluxcd.io/v1
                    kind: OCIRepository
                    metadata: {name: app-template, namespace: openclaw}
                    spec:
                      url: oci://ghcr.io/bjw-s-labs/helm/app-template
                      ref: {tag: 4.6.2}
                    """),
                ("baselines/dns-l7.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumClusterwideNetworkPolicy
                    metadata:
                      name: dns-l7-opt-in
                    spec:
                      description: DNS with visibility for pods that opt in
                      endpointSelector: {matchLabels: {dns.home.arpa/l7: "true"}}
                      egress:
                        - toEndpoints:
                            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                          toPorts:
                            - ports: [{port: "53", protocol: ANY}]
                              rules: {dns: [{matchPattern: "*"}]}
                    """),
                ("apps/openclaw/netpol.yaml", """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: openclaw
                      namespace: openclaw
                    spec:
                      description: the model APIs
                      endpointSelector: {matchLabels: {app.kubernetes.io/name: openclaw}}
                      egress:
                        - toFQDNs:
                            - matchName: openrouter.ai
                          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                    """),
            ]),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let semantics = Convention.semantics(context)
        // The DNS-visibility patterns of each subject (policy spec), nil when it has no DNS rule with L7 visibility.
        let patterns: [[String]?] = semantics.subjects.map { s in
            var out: [String]?
            for r in Self.rule(of: s, context)?.egress?.value ?? [] {
                for pr in r.toPorts?.value ?? [] where pr.dns != nil && pr.ports.contains(where: Self.isDNSPort) {
                    out = (out ?? []) + (pr.dns ?? []).compactMap { $0.matchPattern?.value ?? $0.matchName?.value }
                }
            }
            return out
        }
        // The declared workloads' pods, made once for every spec below.
        let workloadPods = context.inventory.workloads.map { w in
            semantics.endpoint(namespace: w.namespace, podLabels: w.podLabels, complete: true)
        }
        var out: [Finding] = []
        // Findings land on the subject's own toFQDNs: only the reported files' policies are looked at.
        let everything = context.reportsEverything
        for (n, me) in semantics.subjects.enumerated() where everything || context.reports(object: me.object) {
            guard let rule = Self.rule(of: me, context) else { continue }
            let fqdnRules = (rule.egress?.value ?? []).compactMap(\.fqdns)
            guard !fqdnRules.isEmpty else { continue }
            // The endpoints this spec selects, as representatives carrying exactly the pod labels its selector
            // names: a DNS policy that selects pods by another label (an opt-in like `dns.home.arpa/l7: "true"`)
            // is not assumed to cover them. Namespace labels come from the declared Namespaces (unknown otherwise).
            // The declared workloads the spec selects stand for its pods when there are any (with their labels).
            let declared = workloadPods.filter { me.selector.matches($0) == .yes }
            let representatives = !declared.isEmpty ? declared : semantics.representatives(of: me.selector, anyNamespace: true).map { e -> Endpoint in
                var e = e
                e.podLabelsComplete = true
                return e
            }
            // Whether another policy (spec) applies to these endpoints. When in doubt it does, so no finding rests
            // on a guess.
            func applies(_ m: Int) -> Bool {
                let other = semantics.subjects[m]
                return m == n || (representatives.isEmpty
                    ? other.selector.intersects(me.selector)
                    : representatives.allSatisfy { rep in
                        // Pods of every namespace: a DNS policy limited to some namespaces does not cover them all.
                        if rep.namespace == nil, other.selector.namespaceNames != nil || !other.selector.namespaceLabelRequirements.isEmpty { return false }
                        return other.selector.matches(rep) != .no
                    })
                // (No representative only for a `reserved:` selector.)
            }
            var collected: [String]?
            var dnsSubjects: [Int] = []
            for m in semantics.subjects.indices {
                guard let p = patterns[m], applies(m) else { continue }
                collected = (collected ?? []) + p
                dnsSubjects.append(m)
            }
            let o = context.objects[me.object]
            guard let collected else {
                for f in fqdnRules {
                    out.append(Finding("\(o.displayName): toFQDNs never matches — no egress rule for these endpoints allows port 53 with 'rules: dns', so Cilium's DNS proxy never learns the names' IPs",
                                       at: f.span, object: me.object))
                }
                continue
            }
            let matchers = collected.map(DNSPattern.init)
            // An allow without L7 rules on the same port and peer as a DNS rule (from any policy applying to these
            // endpoints, NetworkPolicies included) cancels its restriction: every name is then visible.
            lazy var opened: Bool = {
                let applying = semantics.subjects.indices.filter { semantics.subjects[$0].rules.contains(where: \.hasL4OnlyPorts) && applies($0) }
                return dnsSubjects.contains { m in
                    semantics.subjects[m].rules.contains { dns in
                        dns.dnsVisibility != nil && applying.contains { k in
                            semantics.subjects[k].rules.contains { semantics.cancels($0, dnsRuleOf: dns) != .no }
                        }
                    }
                }
            }()
            for f in fqdnRules {
                for sel in f.value {
                    guard let name = sel.matchName ?? sel.matchPattern else { continue }
                    let isPattern = sel.matchPattern != nil
                    if matchers.contains(where: { $0.covers(name.value, isPattern: isPattern) }) || opened { continue }
                    out.append(Finding("\(o.displayName): '\(name.value)' is not covered by the DNS rules for these endpoints (\(collected.map { "'\($0)'" }.joined(separator: ", "))): its lookups are refused and toFQDNs never matches it",
                                       at: sel.span, object: me.object))
                }
            }
        }
        return out
    }

    /// The Cilium rule (spec or `specs` item) a subject was compiled from.
    static func rule(of subject: Subject, _ context: LintContext) -> CiliumRule? {
        guard let policy = context.objects[subject.object].cilium, subject.specIndex < policy.rules.count else { return nil }
        return policy.rules[subject.specIndex]
    }

    static func isDNSPort(_ p: PortProtocol) -> Bool {
        if case .number(53)? = p.port?.value { return true }
        return false
    }
}
