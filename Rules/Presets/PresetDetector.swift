import NetpolLintCore

/// Looks at a repository and picks the preset whose convention it follows (`netpol-lint init`).
public enum PresetDetector {
    public struct Result: Sendable {
        public var preset: Preset?
        /// Why, one line per piece of evidence.
        public var reasons: [String]
        /// Namespaces whose CNPs live under a `platform/` folder.
        public var platformNamespaces: [String]
        /// The Cilium version the repository deploys, and how it was found.
        public var cilium = CiliumVersionFinding()
    }

    /// The Cilium version `init` writes: read from the `cilium` chart the repository deploys, else the newest known.
    public struct CiliumVersionFinding: Sendable {
        public var version: CiliumVersion = .newestKnown
        /// Where the version was read (`path:line`), nil when the default is kept.
        public var source: String?
        /// What was found and why this version, one line each.
        public var reasons: [String] = []
    }

    public static func detect(_ context: LintContext) -> Result {
        var result = detectPreset(context)
        result.cilium = ciliumVersion(context)
        return result
    }

    /// The version of the `cilium` chart the repository deploys (`Inventory.charts`: Flux HelmRelease, its
    /// OCIRepository, k3s HelmChart, kustomize `helmCharts:`). Only an exact `x.y` or `x.y.z` (a leading `v`
    /// allowed) is taken; ranges and `${VAR}` are not guessed. Several versions: the newest, said so with every
    /// place; none: the newest release netpol-lint knows, said so.
    public static func ciliumVersion(_ context: LintContext) -> CiliumVersionFinding {
        var out = CiliumVersionFinding()
        var exact: [(version: CiliumVersion, patch: Int, text: String, place: String)] = []
        var seen = Set<String>()
        for chart in context.inventory.charts where chart.name == "cilium" {
            let object = context.objects[chart.object]
            guard let version = chart.version else {
                let place = "\(context.path(of: object.anchor)):\(object.anchor.line)"
                if seen.insert(place).inserted { out.reasons.append("\(object.displayName) at \(place) installs the cilium chart without a version") }
                continue
            }
            let place = "\(context.path(of: version.span)):\(version.span.line)"
            guard seen.insert(place).inserted else { continue }
            guard let parsed = exactVersion(version.value) else {
                out.reasons.append("'\(version.value)' at \(place) is not an exact version (a range or a variable); not used")
                continue
            }
            exact.append((parsed.version, parsed.patch, version.value, place))
        }
        exact.sort { ($0.version, $0.patch, $1.place) > ($1.version, $1.patch, $0.place) }
        guard let chosen = exact.first else {
            out.reasons.append("no exact version of the cilium chart found: writing \(CiliumVersion.newestKnown), the newest release netpol-lint knows")
            return out
        }
        if Set(exact.map(\.text)).count > 1 {
            var all = exact.prefix(5).map { "\($0.text) at \($0.place)" }.joined(separator: ", ")
            if exact.count > 5 { all += " and \(exact.count - 5) more" }
            out.reasons.append("several cilium chart versions: \(all); using the newest (set ciliumVersion to the one your cluster runs)")
        } else {
            out.reasons.append("the cilium chart is version \(chosen.text) at \(exact.prefix(5).map(\.place).joined(separator: ", "))\(exact.count > 5 ? " and \(exact.count - 5) more" : "")")
        }
        out.source = chosen.place
        if chosen.version > CiliumVersion.newestKnown {
            out.reasons.append("\(chosen.version) is newer than the newest release netpol-lint knows: writing \(CiliumVersion.newestKnown)")
        } else if !CiliumVersion.isKnown(chosen.version) {
            out.source = nil
            out.reasons.append("\(chosen.version) is not a Cilium release netpol-lint knows: writing \(CiliumVersion.newestKnown)")
        } else {
            out.version = chosen.version
        }
        return out
    }

    /// `1.19`, `1.19.2` or `v1.19.2`, nothing else (no range, no pre-release, no variable).
    static func exactVersion(_ text: String) -> (version: CiliumVersion, patch: Int)? {
        var t = Substring(text)
        if t.hasPrefix("v") { t = t.dropFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (CiliumVersion(major: major, minor: minor), parts.count == 3 ? Int(parts[2]) ?? 0 : 0)
    }

    static func detectPreset(_ context: LintContext) -> Result {
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
        y += "# The Cilium version your cluster runs; version-aware rules (NP104) use it.\n"
        for r in result.cilium.reasons { y += "# - \(r)\n" }
        y += "ciliumVersion: \"\(result.cilium.version)\"\n\n"
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
