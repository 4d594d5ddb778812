import NetpolLintCore

/// The convention in force: the preset's data merged with `.netpol-lint.yaml` (docs/configuration.md, docs/conventions/). Rules read conventions
/// only through this type.
public struct Convention: Sendable {
    public let preset: Preset?
    public let platformNamespaces: Set<String>
    public let allowedCIDRs: [ParsedCIDR]
    public let allowedCIDRTexts: [String]
    public let publicPorts: Set<Int>
    /// Pods the convention relies on: kube-dns always, plus the preset's (Prometheus, ztunnel, gateways).
    public let wellKnown: [WellKnownEndpoint]
    /// Health-probe sources (entities and CIDRs), any one of which counts (NP207).
    public let healthSources: [String]

    /// kube-dns as every Kubernetes distribution labels it (`k8s-app: kube-dns` in kube-system).
    public static let kubeDNS = WellKnownEndpoint(role: "dns", namespace: "kube-system", podLabels: ["k8s-app": "kube-dns"])
    /// Istio ambient's ztunnel as Istio installs it, when the preset names none (NP209).
    public static let ztunnel = WellKnownEndpoint(role: "ztunnel", namespace: "istio-system", podLabels: ["app": "ztunnel"])

    /// The convention of this run, built once and shared by every rule.
    public static func of(_ context: LintContext) -> Convention {
        context.cache.value("convention") { Convention(context) }
    }

    /// The repository's policies, all together, with this convention's well-known endpoints.
    public static func semantics(_ context: LintContext) -> Semantics {
        context.semantics(wellKnown: of(context).wellKnown)
    }

    /// The audit's engine over the repository, with this convention's platform namespaces and well-known endpoints
    /// (`audit` and `diff` build it the same way).
    public static func auditEngine(_ context: LintContext, spec: BaselineSpec? = nil) -> AuditEngine {
        AuditEngine(context: context, semantics: semantics(context), platformNamespaces: of(context).platformNamespaces, spec: spec)
    }

    /// Link-local, where kubelet / Istio ambient health probes come from (docs/conventions/homelab-profiles.md; https://docs.cilium.io/en/stable/security/policy/language/#entities-based on `host` and `--allow-localhost`).
    public static let defaultAllowedCIDRs = ["169.254.0.0/16"]
    /// Namespaces Kubernetes creates that never hold workloads.
    public static let systemNamespaces: Set<String> = ["kube-public", "kube-node-lease"]

    init(_ context: LintContext) {
        let config = context.configuration
        preset = config.preset.flatMap(Presets.named)
        var platform = Set(preset?.platformNamespaces ?? [])
        platform.formUnion(config.platformNamespaces)
        // "A namespace whose policy file sits under a platform/ folder is platform too" (the homelab-profiles layout, docs/conventions/homelab-profiles.md).
        for i in context.objects.indices where context.objects[i].kind == .ciliumNetworkPolicy {
            let folder = context.folder(of: i)
            if folder.split(separator: "/").contains("platform") { platform.formUnion(context.namespaces(of: i)) }
        }
        platformNamespaces = platform
        let texts = Self.defaultAllowedCIDRs + (preset?.allowedCIDRs ?? []) + config.allowedCIDRs
        allowedCIDRTexts = texts
        allowedCIDRs = texts.compactMap(CIDRParser.parse)
        publicPorts = Set(config.publicPorts)
        let presetEndpoints = preset?.wellKnown ?? []
        wellKnown = [Self.kubeDNS] + presetEndpoints + (presetEndpoints.contains { $0.role == "ztunnel" } ? [] : [Self.ztunnel])
        healthSources = preset?.healthSources ?? []
    }

    /// A namespace in the mesh: it carries the preset's mesh label (Istio ambient) or is listed in the config.
    public func isMesh(_ namespace: String, _ context: LintContext) -> Bool {
        if context.configuration.meshNamespaces.contains(namespace) { return true }
        let (key, value) = preset?.meshLabel ?? ("istio.io/dataplane-mode", "ambient")
        guard let ns = context.inventory.namespaces[namespace] else { return false }
        return ns.effectiveLabels[key] == value
    }

    public func isPlatform(_ namespace: String) -> Bool { platformNamespaces.contains(namespace) }

    /// Inside an allowed CIDR (or a substitution, which is not a literal).
    public func isAllowed(_ cidr: CIDRValue) -> Bool {
        if cidr.isSubstitution { return true }
        guard let p = cidr.parsed else { return true }
        return allowedCIDRs.contains { CIDRParser.contains($0, p) }
    }
}

extension CIDRValue {
    /// 0.0.0.0/0 or ::/0: "everywhere", better written as the `world` entity but not an address.
    public var isEverything: Bool { parsed.map { $0.prefixLength == 0 } ?? false }
}
