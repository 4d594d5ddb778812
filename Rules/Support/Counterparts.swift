import NetpolLintCore

/// Every allow rule between pods, with its other end checked: an egress allow from A to B:port needs B's ingress
/// to admit A (when B's ingress is enforced), and an ingress allow from A needs A's egress to allow B. Built once
/// per run and shared by NP210 (missing counterpart), NP308 (what a cluster-wide `{}` peer silently carries) and
/// NP214 (access labels).
struct Counterparts: Sendable {
    struct Flow: Sendable {
        /// The rule that allows the flow at one end.
        var rule: CompiledRule
        var source: Endpoint
        var destination: Endpoint
        var port: PortQuery
        /// The other end: ingress at the destination for an egress rule, egress at the source for an ingress rule.
        var counterpart: DirectionVerdict
    }

    var flows: [Flow] = []

    static func of(_ context: LintContext) -> Counterparts {
        context.cache.value("counterparts") { Counterparts(Convention.semantics(context)) }
    }

    init(_ semantics: Semantics) {
        // Representatives per selector are reused: many rules name the same peers.
        var memo: [Selector: [Endpoint]] = [:]
        var selectingMemo: [Endpoint: [(subject: Subject, match: Tri)]] = [:]
        func reps(_ s: Selector) -> [Endpoint] {
            if let r = memo[s] { return r }
            let r = semantics.representatives(of: s, limit: 32)
            memo[s] = r
            return r
        }
        let unresolved = Set(semantics.unresolvedPolicies)
        for subject in semantics.subjects where !unresolved.contains(subject.object) {
            let selves = reps(subject.selector)
            guard !selves.isEmpty else { continue }
            for rule in subject.rules where !rule.ref.isDeny && !rule.anyPeer {
                let queries = rule.portQueries
                for case .selector(let peerSelector, _) in rule.peers {
                    for me in selves {
                        for peer in reps(peerSelector) where !Semantics.isUnresolved(peer.namespace) {
                            // The other end's policies, looked up once per endpoint.
                            let selecting: [(subject: Subject, match: Tri)]
                            if let cached = selectingMemo[peer] {
                                selecting = cached
                            } else {
                                selecting = semantics.subjects(selecting: peer)
                                selectingMemo[peer] = selecting
                            }
                            // Nothing enforces that direction there: every flow to it passes; nothing to report.
                            let otherDirection: Direction = rule.ref.direction == .egress ? .ingress : .egress
                            guard selecting.contains(where: { $0.subject.enforces.contains(otherDirection) }) else { continue }
                            for port in queries {
                                let (src, dst) = rule.ref.direction == .egress ? (me, peer) : (peer, me)
                                let other = rule.ref.direction == .egress
                                    ? semantics.evaluate(.ingress, at: dst, peer: src, port: port, selecting: selecting)
                                    : semantics.evaluate(.egress, at: src, peer: dst, port: port, selecting: selecting)
                                flows.append(Flow(rule: rule, source: src, destination: dst, port: port, counterpart: other))
                            }
                        }
                    }
                }
            }
        }
    }
}
