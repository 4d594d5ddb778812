#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall time per stage of a run, printed to standard error when `NETPOL_LINT_PHASES` is set (any value): how the
/// benchmark (benchmarks/run.sh) shows where a whole-repository run spends its time. Off, it costs one check per mark.
public enum PhaseClock {
    public static let enabled = getenv("NETPOL_LINT_PHASES") != nil
    private static let state = Locked<(last: UInt64, phases: [(String, UInt64)])>((now(), []))
    /// Time per rule (`time(rule:_:)`), summed over the threads that ran them.
    private static let rules = Locked<[(String, UInt64)]>([])

    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Starts the clock (the first stage is charged from here).
    public static func start() {
        guard enabled else { return }
        let t = now()
        state.withLock { $0 = (t, []) }
    }

    /// Ends the stage called `name`: the time since the previous mark (or since the first use) is charged to it.
    public static func mark(_ name: String) {
        guard enabled else { return }
        let t = now()
        state.withLock { s in
            s.phases.append((name, t - s.last))
            s.last = t
        }
    }

    /// Runs `body`, charging its time to the rule `id` (printed by `report` on a line of its own, the costliest first).
    static func time<T>(rule id: String, _ body: () -> T) -> T {
        guard enabled else { return body() }
        let t = now()
        let result = body()
        let d = now() - t
        rules.withLock { $0.append((id, d)) }
        return result
    }

    /// Prints the stages (`netpol-lint: phases: walk 34.1 ms, ...`) to standard error.
    public static func report() {
        guard enabled else { return }
        let phases = state.withLock { $0.phases }
        let total = phases.reduce(0) { $0 + $1.1 }
        func ms(_ ns: UInt64) -> String {
            let tenths = (ns + 50_000) / 100_000
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        FileOutput.standardError("netpol-lint: phases: " + phases.map { "\($0.0) \(ms($0.1))" }.joined(separator: ", ")
                                 + "; total \(ms(total))\n")
        let perRule = rules.withLock { $0 }.sorted { $0.1 > $1.1 }
        if !perRule.isEmpty {
            FileOutput.standardError("netpol-lint: rules: " + perRule.map { "\($0.0) \(ms($0.1))" }.joined(separator: ", ") + "\n")
        }
    }
}
