/// Runs rules over one context, on several threads when asked: each rule's findings, in the rules' order.
enum RuleRunner {
    static func run(_ rules: [any Rule.Type], _ context: LintContext, jobs: Int) -> [[Finding]] {
        Parallel.map(rules.count, jobs: jobs) { rules[$0].init().check(context) }
    }
}
