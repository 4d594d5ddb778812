import NetpolLintCore

/// Looks at a repository and picks the preset whose convention it follows (`netpol-lint init`).
public enum PresetDetector {
    public struct Result: Sendable {
        public var preset: Preset?
        /// Why, one line per piece of evidence.
        public var reasons: [String]
        /// Namespaces whose CNPs live under a `platform/` folder.
        public var platformNamespaces: [String]
    }

    public static func detect(_ context: LintContext) -> Result {
        let homelab = Presets.homelabProfiles
        let profileKey = homelab.profileLabel ?? ""
        var reasons: [String] = []
        func place(_ o: KubeObject) -> String { "\(context.path(of: o.anchor)):\(o.anchor.line)" }

        // homelab-profiles: namespaces carry the profile label, or policies select on it.
        let labelled = context.inventory.namespaces.values.filter { $0.labels.contains { $0.key.value == profileKey } }
            .sorted { $0.name < $1.name }
        let selecting = context.ciliumPolicies.filter { _, _, p in
            p.rules.contains { r in
                (r.endpointSelector?.requirements ?? []).contains { $0.key == .namespaceLabel(profileKey) }
            }
        }
        let platform = Set(context.ciliumPolicies.compactMap { i, o, _ in
            o.kind == .ciliumNetworkPolicy && context.folder(of: i).split(separator: "/").contains("platform") ? context.namespace(of: i) : nil
        }).sorted()
        if !labelled.isEmpty || !selecting.isEmpty {
            if let n = labelled.first {
                reasons.append("\(labelled.count) namespace\(labelled.count == 1 ? "" : "s") carry \(profileKey) (e.g. '\(n.name)' at \(place(context.objects[n.object])))")
            }
            if let p = selecting.first {
                reasons.append("\(selecting.count) polic\(selecting.count == 1 ? "y selects" : "ies select") namespaces by that label (e.g. \(p.object.displayName) at \(place(p.object)))")
            }
            return Result(preset: homelab, reasons: reasons, platformNamespaces: platform)
        }

        // tiered-zero-trust: a default-deny CCNP that exempts system namespaces with NotIn.
        for (_, o, p) in context.ciliumPolicies where p.isClusterwide {
            for rule in p.rules where DefaultDenyRequiredRule.isDefaultDeny(rule) {
                if let ex = rule.endpointSelector?.requirements.first(where: { $0.key == .namespaceName && $0.op == .notIn }),
                   ex.values.contains(where: { $0.value == "kube-system" }) {
                    reasons.append("\(o.displayName) at \(place(o)) is a default-deny excluding \(ex.values.map(\.value).joined(separator: ", ")) (Tier 0)")
                    return Result(preset: Presets.tieredZeroTrust, reasons: reasons, platformNamespaces: platform)
                }
            }
        }

        // kubernetes: plain NetworkPolicy only.
        let knps = context.objects.filter { $0.kind == .networkPolicy }
        if !knps.isEmpty && context.ciliumPolicies.isEmpty {
            reasons.append("\(knps.count) NetworkPolic\(knps.count == 1 ? "y" : "ies") and no Cilium policy (e.g. \(knps[0].displayName) at \(place(knps[0])))")
            return Result(preset: Presets.kubernetes, reasons: reasons, platformNamespaces: platform)
        }
        let cilium = context.ciliumPolicies.count
        reasons.append(cilium + knps.count == 0
            ? "no network policy found"
            : "\(cilium) Cilium and \(knps.count) Kubernetes policies, but no profile labels and no Tier 0 default-deny")
        return Result(preset: nil, reasons: reasons, platformNamespaces: platform)
    }

    /// The commented `.netpol-lint.yaml` that `init` writes.
    public static func configuration(for result: Result) -> String {
        var y = "# netpol-lint configuration. Every key is checked when netpol-lint runs; `netpol-lint rules` lists the\n"
        y += "# rules and `netpol-lint explain NP204` says why one exists and how to fix its findings.\n"
        y += "# Written by `netpol-lint init`, which found:\n"
        for r in result.reasons { y += "#   - \(r)\n" }
        y += "\n"
        if let p = result.preset {
            y += "# The \(p.name) convention: " + p.summary.prefix(1).lowercased() + p.summary.dropFirst() + ".\n"
            var names: [String] = []
            for r in builtInRules.map({ $0.description }) where r.presets.contains(p.name) { names.append(r.id + " " + r.name) }
            y += "# It turns on " + names.sorted().joined(separator: ", ") + ".\n"
            y += "preset: \(p.name)\n\n"
        } else {
            y += "# No convention recognised: only the convention-free rules run. Presets: homelab-profiles,\n"
            y += "# tiered-zero-trust, kubernetes.\n# preset: homelab-profiles\n\n"
        }
        y += "# The Cilium version your cluster runs; version-aware rules (NP104) use it.\nciliumVersion: \"\(CiliumVersion.newestKnown)\"\n\n"
        y += "# Namespaces with hand-crafted policies, in addition to the preset's"
        if let p = result.preset, !p.platformNamespaces.isEmpty { y += " (\(p.platformNamespaces.joined(separator: ", ")))" }
        y += ".\n"
        if result.platformNamespaces.isEmpty {
            y += "platformNamespaces: []\n\n"
        } else {
            y += "# Found under platform/ folders:\n"
            y += "platformNamespaces: [\(result.platformNamespaces.joined(separator: ", "))]\n\n"
        }
        y += "# CIDRs that are not \"hardcoded IPs\" (NP204); 169.254.0.0/16 (probes) is always allowed.\nallowedCIDRs: []\n\n"
        y += "# Ports that may be open to the internet (NP303).\npublicPorts: []\n\n"
        y += "# Paths not to read (globs relative to this file).\nexclude: []\n\n"
        y += "# Per rule, by id or name: a severity (error, warning, note, off) or settings.\n"
        y += "rules: {}\n"
        y += "#   NP105: off\n#   naming:\n#     patterns: {baselines: \"^baseline-\"}\n"
        return y
    }
}
