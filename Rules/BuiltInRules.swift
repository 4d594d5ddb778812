import NetpolLintCore

/// The only list of rules. A new rule adds one line here.
public let builtInRules: [any Rule.Type] = [
    // Structure and validity
    YAMLSyntaxRule.self,
    UnknownFieldRule.self,
    InvalidValueRule.self,
    DuplicatePolicyRule.self,
    RejectedByAgentRule.self,
    HelmTemplateRule.self,
    FileSkippedRule.self,
    NotEvaluatedRule.self,
    InvalidSuppressionRule.self,
    UnusedSuppressionRule.self,
    UnrecognizedObjectRule.self,
    // The documented conventions (docs/conventions/)
    ExplicitDefaultDenyRule.self,
    DefaultDenyRequiredRule.self,
    ProfileOnPlatformNamespaceRule.self,
    HardcodedIPRule.self,
    AnyPortRule.self,
    EnforcementDisabledRule.self,
    AppNamespaceWithoutProfileRule.self,
    UnknownProfileRule.self,
    AccessLabelUnservedRule.self,
    PlatformNamespaceWithoutPolicyRule.self,
    PlatformMissingDNSRule.self,
    PlatformMissingHealthRule.self,
    PlatformMissingMetricsRule.self,
    PlatformMissingHBONERule.self,
    // Semantic pitfalls
    KubernetesEmptyRuleAllowsAllRule.self,
    FQDNWithoutDNSVisibilityRule.self,
    WorldOpenRule.self,
    UnsupportedBypassRule.self,
    ClusterWideEmptyPeerRule.self,
    ForeignNamespaceSelectorRule.self,
    SplitRuleRule.self,
    EgressAnyPeerRule.self,
    MissingCounterpartRule.self,
    SelectorMatchesNothingRule.self,
    EgressBlocksDNSRule.self,
    DenyShadowsAllowRule.self,
    // Naming and documentation
    NamingRule.self,
    MissingDescriptionRule.self,
    CustomRule.self,
]
