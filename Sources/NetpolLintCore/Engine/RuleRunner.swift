import Dispatch
import Synchronization

/// Runs rules over one context, on several threads when asked: each rule's findings, in the rules' order.
enum RuleRunner {
    final class Results: @unchecked Sendable {
        var items: [[Finding]]
        init(count: Int) { items = Array(repeating: [], count: count) }
    }

    static func run(_ rules: [any Rule.Type], _ context: LintContext, jobs: Int) -> [[Finding]] {
        let workers = min(max(1, jobs), rules.count)
        if workers <= 1 { return rules.map { $0.init().check(context) } }
        let results = Results(count: rules.count)
        let next = Atomic<Int>(0)
        results.items.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= rules.count { break }
                    out[i] = rules[i].init().check(context)
                }
            }
        }
        return results.items
    }
}
