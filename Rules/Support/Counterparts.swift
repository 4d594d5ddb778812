import NetpolLintCore

/// Every allow rule between pods, with its other end checked: an egress allow from A to B:port needs B's ingress
/// to admit A (when B's ingress is enforced), and an ingress allow from A needs A's egress to allow B. Built once
/// per run and shared by NP210 (missing counterpart), NP308 (what a cluster-wide `{}` peer silently carries) and
/// NP214 (access labels).
struct Counterparts: Sendable {
    /// What the other end decides, kept small: many flows share one answer.
    struct OtherEnd: Sendable {
        var direction: Direction
        var endpoint: Endpoint
        var enforced: Tri
        var result: Tri
        /// Allow rules that (possibly) admit the flow; at most two are kept — NP308 asks "exactly this one?".
        var admitting: [RuleRef]
        var admittingCount: Int
        /// When the flow is refused: deny rules that match, and policies that definitely enforce the direction.
        var denying: [RuleRef]
        /// Objects of the policies that definitely enforce the direction, the namespace's own first (that is where
        /// a counterpart belongs), cluster-wide ones after.
        var enforcing: [Int]
    }

    struct Flow: Sendable {
        /// The rule that allows the flow at one end.
        var rule: RuleRef
        var source: Endpoint
        var destination: Endpoint
        var port: PortQuery
        var other: OtherEnd
    }

    var flows: [Flow] = []

    static func of(_ context: LintContext) -> Counterparts {
        context.cache.value("counterparts") { Counterparts(Convention.semantics(context), objects: context.objects) }
    }

    /// The flows of the allow rules in the files whose findings are reported (see `LintContext.reports`): what NP210
    /// reports on. When only some files are reported (`check --stdin`, the language server) the rules of the others
    /// are not followed, which keeps an edit's re-lint short; their other ends are still evaluated against every policy.
    static func ofReported(_ context: LintContext) -> Counterparts {
        if context.reportsEverything { return of(context) }
        return context.cache.value("counterparts-reported") {
            Counterparts(Convention.semantics(context), objects: context.objects, only: { context.reports(object: $0) })
        }
    }

    /// A question to the other end, its endpoints by number (`Interned`): hashing a number is cheap, an endpoint's
    /// labels are not.
    struct Question: Hashable {
        var egress: Bool
        var at: Int
        var peer: Int
        var port: PortQuery
    }

    /// The endpoints met so far, each numbered once.
    struct Interned {
        var ids: [Endpoint: Int] = [:]
        var endpoints: [Endpoint] = []

        mutating func id(_ e: Endpoint) -> Int {
            if let id = ids[e] { return id }
            ids[e] = endpoints.count
            endpoints.append(e)
            return endpoints.count - 1
        }

        mutating func ids(_ es: [Endpoint]) -> [Int] { es.map { id($0) } }
    }

    /// `only`: the objects whose rules are followed (all by default).
    init(_ semantics: Semantics, objects: [KubeObject], only: (Int) -> Bool = { _ in true }) {
        // Representatives per selector, the policies selecting an endpoint, and the answers are reused: many rules
        // name the same peers (and copies of a repository repeat every question).
        var interned = Interned()
        var representatives: [Selector: [Int]] = [:]
        func reps(_ s: Selector) -> [Int] {
            if let r = representatives[s] { return r }
            let r = interned.ids(semantics.representatives(of: s, limit: 32))
            representatives[s] = r
            return r
        }
        var selectingMemo: [Int: [(subject: Subject, match: Tri)]] = [:]
        var answers: [Question: OtherEnd?] = [:]
        func answer(_ q: Question) -> OtherEnd? {
            if let a = answers[q] { return a }
            let selecting: [(subject: Subject, match: Tri)]
            let direction: Direction = q.egress ? .egress : .ingress
            // Per endpoint and direction: only the subjects deciding something in that direction.
            let memoKey = q.at * 2 + (q.egress ? 1 : 0)
            if let cached = selectingMemo[memoKey] {
                selecting = cached
            } else {
                selecting = semantics.subjects(selecting: interned.endpoints[q.at], for: direction)
                selectingMemo[memoKey] = selecting
            }
            var result: OtherEnd?
            // Nothing there enforces the direction: every flow passes, nothing to say.
            if selecting.contains(where: { $0.subject.isEnforcing(direction) }) {
                let at = interned.endpoints[q.at]
                let v = semantics.evaluate(direction, at: at, peer: interned.endpoints[q.peer], port: q.port, selecting: selecting)
                let admitting = v.allows.filter { $0.match != .no }.map(\.rule.ref)
                let refused = v.result == .no
                result = OtherEnd(
                    direction: direction, endpoint: at, enforced: v.enforced, result: v.result,
                    admitting: Array(admitting.prefix(2)), admittingCount: admitting.count,
                    denying: refused ? v.denies.filter { $0.match == .yes }.prefix(3).map(\.rule.ref) : [],
                    enforcing: refused ? Array(v.enforcedBy.filter { $0.match == .yes }.map(\.subject.object)
                        .sorted { (objects[$0].kind == .ciliumClusterwideNetworkPolicy ? 1 : 0) < (objects[$1].kind == .ciliumClusterwideNetworkPolicy ? 1 : 0) }
                        .prefix(5)) : [])
            }
            answers[q] = .some(result)
            return result
        }
        // One flow per port entry: its alternatives (protocols) are asked in turn; the first the other end does not
        // refuse stands for the entry, else the first refused one. Returns whether an answer was only *maybe*.
        func record(_ rule: CompiledRule, me: Int, peer: Int) -> Bool {
            let egress = rule.ref.direction == .egress
            let (src, dst) = egress ? (me, peer) : (peer, me)
            var uncertain = false
            groups: for group in rule.portGroups {
                var refused: (PortQuery, OtherEnd)?
                for port in group {
                    let q = Question(egress: !egress, at: egress ? dst : src, peer: egress ? src : dst, port: port)
                    // Not enforced there: the entry passes, nothing to record.
                    guard let other = answer(q) else { continue groups }
                    if other.result != .no {
                        if other.result == .maybe { uncertain = true }
                        flows.append(Flow(rule: rule.ref, source: interned.endpoints[src], destination: interned.endpoints[dst],
                                          port: port, other: other))
                        continue groups
                    }
                    if refused == nil { refused = (port, other) }
                }
                if let (port, other) = refused {
                    flows.append(Flow(rule: rule.ref, source: interned.endpoints[src], destination: interned.endpoints[dst],
                                      port: port, other: other))
                }
            }
            return uncertain
        }
        let unresolved = Set(semantics.unresolvedPolicies)
        for subject in semantics.subjects where !unresolved.contains(subject.object) && only(subject.object) {
            // A cluster-wide subject (`endpointSelector: {}` in a CCNP) stands first for one pod of any namespace;
            // when the other end's answer depends on the namespace, for a pod of each of a few declared namespaces.
            var selves = reps(subject.selector)
            let wide = selves.isEmpty
            if wide { selves = interned.ids(semantics.representatives(of: subject.selector, anyNamespace: true)) }
            guard !selves.isEmpty else { continue }
            var samples: [Int]?
            for rule in subject.rules where !rule.ref.isDeny && !rule.anyPeer {
                for case .selector(let peerSelector, _) in rule.peers {
                    for peer in reps(peerSelector) where !Semantics.isUnresolved(interned.endpoints[peer].namespace) {
                        for me in selves where record(rule, me: me, peer: peer) && wide {
                            if samples == nil {
                                samples = interned.ids(semantics.representatives(of: subject.selector, limit: 8, everyDeclaredNamespace: true))
                            }
                            for sample in samples ?? [] where interned.endpoints[sample].namespace != interned.endpoints[peer].namespace {
                                _ = record(rule, me: sample, peer: peer)
                            }
                        }
                    }
                }
            }
        }
    }
}
