import NetpolLintCore

extension LintContext {
    /// Whether findings located in object `i`'s file are reported in this run: every file for `check PATH`, only the
    /// buffer for `check --stdin`, only the open documents for the language server. The engine drops the others'
    /// findings anyway; a rule whose findings lie in the object they are about may skip the others' work.
    func reports(object i: Int) -> Bool { files[Int(objects[i].span.file)].isTarget }

    /// Whether every file is a target (a whole-repository run), so that no work can be skipped.
    var reportsEverything: Bool { files.allSatisfy(\.isTarget) }

    /// The namespaces of the reported files' policies, nil when every namespace may be concerned: every file is
    /// reported, or a reported file holds a cluster-wide policy.
    var reportedPolicyNamespaces: Set<String>? {
        if reportsEverything { return nil }
        var out = Set<String>()
        for (i, o) in objects.enumerated() where o.kind.isPolicy && reports(object: i) {
            if o.kind == .ciliumClusterwideNetworkPolicy { return nil }
            out.formUnion(namespaces(of: i))
        }
        return out
    }
}

