import NetpolLintCore

/// The only list of rules. A new rule adds one line here.
public let builtInRules: [any Rule.Type] = [
    YAMLSyntaxRule.self,
    UnknownFieldRule.self,
    InvalidValueRule.self,
    DuplicatePolicyRule.self,
    RejectedByAgentRule.self,
    HelmTemplateRule.self,
    FileSkippedRule.self,
]
