import Dispatch
import Synchronization

/// Work spread over threads the one way the engine does it (files, rules, fingerprints): each thread takes the next
/// index when it finishes one, and the results come back in index order, the same whatever the number of threads.
enum Parallel {
    /// `body(&state, i)` for every index below `count`, on up to `jobs` threads; each thread keeps a `state` of its
    /// own (made by `makeState`: a parser whose buffers are reused from one file to the next).
    static func map<State, T>(_ count: Int, jobs: Int, state makeState: @Sendable () -> State,
                              _ body: @Sendable (inout State, Int) -> T) -> [T] {
        let workers = min(max(1, jobs), count)
        if workers <= 1 {
            var state = makeState()
            return (0..<count).map { body(&state, $0) }
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let out = buffer
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                var state = makeState()
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= count { break }
                    (out.baseAddress! + i).initialize(to: body(&state, i))
                }
            }
            initialized = count
        }
    }

    /// `body(i)` for every index below `count`, on up to `jobs` threads.
    static func map<T>(_ count: Int, jobs: Int, _ body: @Sendable (Int) -> T) -> [T] {
        map(count, jobs: jobs, state: {}, { _, i in body(i) })
    }
}
