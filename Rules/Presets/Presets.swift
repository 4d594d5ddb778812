import NetpolLintCore

/// A documented convention (docs/conventions/), with the values its convention page states.
public struct Preset: Sendable {
    public enum DefaultDenyPolicy: String, Sendable { case forbidden, required, perNamespace }

    public var name: String
    public var summary: String
    /// The page that states the convention's rules (in this project's documentation).
    public var docs: String
    public var platformNamespaces: [String]
    public var profileLabel: String?
    public var profiles: [String]
    public var accessLabelPrefix: String?
    public var enforcementLabel: String?
    public var allowedCIDRs: [String]
    public var meshLabel: (key: String, value: String)?
    public var tier0: [String]
    public var tier1: [String]
    public var defaultDeny: DefaultDenyPolicy
    /// Pods the convention relies on, declared in the repository or not (NP206–NP209, NP305, `trace`).
    public var wellKnown: [WellKnownEndpoint] = []
    /// Where health probes come from, any one of which counts (NP207): entities and CIDRs. Empty: the convention
    /// requires no health-probe rule (tiered-zero-trust and kubernetes do not; plain Cilium admits kubelet probes from `host`).
    public var healthSources: [String] = []
}

public enum Presets {
    /// docs/conventions/homelab-profiles.md: implicit deny through baseline CCNPs, namespace profiles, platform CNPs, access labels.
    public static let homelabProfiles = Preset(
        name: "homelab-profiles",
        summary: "Implicit default-deny via baseline CCNPs; namespaces pick a profile by label; platform namespaces have hand-crafted CNPs",
        docs: "docs/conventions/homelab-profiles.md",
        platformNamespaces: ["kube-system", "monitoring", "database", "istio-system", "istio-gateway"],
        profileLabel: "network-policy.homelab/profile",
        profiles: ["isolated", "internal", "internal-egress", "standard"],
        accessLabelPrefix: "access.network-policy.homelab/",
        enforcementLabel: "network-policy.homelab/enforcement",
        allowedCIDRs: ["169.254.0.0/16"],
        meshLabel: ("istio.io/dataplane-mode", "ambient"),
        tier0: [], tier1: [],
        defaultDeny: .forbidden,
        wellKnown: [
            WellKnownEndpoint(role: "prometheus", namespace: "monitoring", podLabels: ["app.kubernetes.io/name": "prometheus"]),
            WellKnownEndpoint(role: "gateway", namespace: "istio-gateway", podLabels: [:]),
        ],
        healthSources: ["health", "host", "169.254.0.0/16"])

    /// docs/conventions/tiered-zero-trust.md: an explicit default-deny CCNP that excludes exactly the Tier 0 namespaces.
    public static let tieredZeroTrust = Preset(
        name: "tiered-zero-trust",
        summary: "Explicit default-deny CCNP excluding Tier 0; Tier 1 platform services; Tier 2 applications",
        docs: "docs/conventions/tiered-zero-trust.md",
        platformNamespaces: ["kube-system", "flux-system", "cilium", "cilium-secrets", "observability", "cert-manager", "external-secrets"],
        profileLabel: nil, profiles: [], accessLabelPrefix: nil, enforcementLabel: nil,
        allowedCIDRs: [],
        meshLabel: nil,
        tier0: ["kube-system", "flux-system", "cilium", "cilium-secrets"],
        tier1: ["observability", "cert-manager", "external-secrets"],
        defaultDeny: .required,
        wellKnown: [
            WellKnownEndpoint(role: "prometheus", namespace: "observability", podLabels: ["app.kubernetes.io/name": "prometheus"]),
        ],
        healthSources: [])

    /// docs/conventions/kubernetes.md: plain Kubernetes NetworkPolicy with a default-deny-ingress policy per application namespace.
    public static let kubernetes = Preset(
        name: "kubernetes",
        summary: "Plain Kubernetes NetworkPolicy: every application namespace has a default-deny-ingress policy",
        docs: "docs/conventions/kubernetes.md",
        platformNamespaces: ["kube-system"],
        profileLabel: nil, profiles: [], accessLabelPrefix: nil, enforcementLabel: nil,
        allowedCIDRs: [],
        meshLabel: nil,
        tier0: [], tier1: [],
        defaultDeny: .perNamespace)

    public static let all = [homelabProfiles, tieredZeroTrust, kubernetes]

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }
}
