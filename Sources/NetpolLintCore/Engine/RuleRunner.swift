/// Runs rules over one context, on several threads when asked: each rule's findings, in the rules' order.
///
/// On several threads they start in this order: the rules that run long (`RuleDescription.runsLong`, which build the
/// semantics engine the others share), then those that do not ask the engine, then the other semantic rules, so that
/// no thread waits for the engine while there is other work and the longest rule does not end last.
enum RuleRunner {
    static func run(_ rules: [any Rule.Type], _ context: LintContext, jobs: Int) -> [[Finding]] {
        guard jobs > 1 else { return rules.map { run($0, context) } }
        let order = rules.indices.sorted { (startGroup(rules[$0]), $0) < (startGroup(rules[$1]), $1) }
        let found = Parallel.map(rules.count, jobs: jobs) { run(rules[order[$0]], context) }
        var out = [[Finding]](repeating: [], count: rules.count)
        for (k, i) in order.enumerated() { out[i] = found[k] }
        return out
    }

    /// One rule's findings (its time charged to it when `PhaseClock` is on).
    private static func run(_ rule: any Rule.Type, _ context: LintContext) -> [Finding] {
        PhaseClock.time(rule: rule.description.id) { rule.init().check(context) }
    }

    private static func startGroup(_ rule: any Rule.Type) -> Int {
        let d = rule.description
        return d.runsLong ? 0 : d.category == .semantics ? 2 : 1
    }
}
