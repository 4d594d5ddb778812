import NetpolLintCore

extension LintContext {
    /// Whether findings located in object `i`'s file are reported in this run: every file for `check PATH`, only the
    /// buffer for `check --stdin`, only the open documents for the language server. The engine drops the others'
    /// findings anyway; a rule whose findings lie in the object they are about may skip the others' work.
    func reports(object i: Int) -> Bool { files[Int(objects[i].span.file)].isTarget }

    /// Whether every file is a target (a whole-repository run), so that no work can be skipped.
    var reportsEverything: Bool { files.allSatisfy(\.isTarget) }
}

