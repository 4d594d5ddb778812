/// Evaluates a documented baseline against the repository's policies with the semantics engine `trace` uses (one
/// engine, no second evaluator), and enumerates the cross-namespace flows the policies allow (docs/audit.md).
///
/// Pod groups. Every question is asked about concrete pod groups, the same everywhere in the audit:
/// - the namespace's declared workloads (Deployment, StatefulSet, ...; host-network ones are `host`, not pods);
/// - where a namespace declares none, the pods its own policies select (a pod with exactly the labels each
///   `endpointSelector` / `podSelector` fixes) and the spec's components there;
/// - where there is nothing of that either, one pod whose labels the repository does not show (answers about it
///   are often conditional, and say so).
public struct AuditEngine {
    public let context: LintContext
    public let semantics: Semantics
    /// The platform namespaces: the spec's, else the convention's.
    public let platformNamespaces: Set<String>
    public let spec: BaselineSpec?
    /// At most this many verdicts are computed for the flow enumeration (bounded work); the report says when the
    /// budget ran out.
    public var flowBudget = 200_000
    /// At most this many pod pairs per capability or row, and for the whole spec.
    public var pairBudget = 50_000
    public var totalPairBudget = 100_000

    public init(context: LintContext, semantics: Semantics, platformNamespaces: Set<String>, spec: BaselineSpec?) {
        self.context = context
        self.semantics = semantics
        self.spec = spec
        self.platformNamespaces = spec?.platformNamespaces.map(Set.init) ?? platformNamespaces
        // The repository's namespaces: declared ones and those its policies and workloads are in.
        var repository = Set(semantics.inventory.namespaces.keys)
        repository.formUnion(semantics.inventory.workloads.map(\.namespace))
        for s in semantics.subjects {
            if let names = s.selector.namespaceNames, names.count == 1, let n = names.first, !Semantics.isUnresolved(n),
               context.objects[s.object].kind.isNamespaced { repository.insert(n) }
        }
        repository.subtract(Self.systemNamespaces)
        self.repositoryNamespaces = repository
        var namespaces = repository
        if let spec {
            namespaces.formUnion(spec.platformNamespaces ?? [])
            namespaces.formUnion(spec.components.values.map(\.namespace))
        }
        self.namespaces = namespaces.sorted()
        for ns in self.namespaces { groupCache[ns] = buildGroups(ns) }
    }

    /// Namespaces Kubernetes creates that hold no workloads.
    static let systemNamespaces: Set<String> = ["kube-public", "kube-node-lease"]

    /// The namespaces the audit shows: the repository's, plus those the spec names as platform namespaces or
    /// component homes.
    public let namespaces: [String]
    /// The namespaces the repository declares or puts policies and workloads in. `all` is these and the platform
    /// namespaces; `workload` is these less the platform namespaces.
    public let repositoryNamespaces: Set<String>

    // MARK: Pod groups

    /// A group of pods that policies treat alike.
    public struct PodGroup: Sendable {
        public var namespace: String
        /// The workload's name, nil for a group that is not a declared workload.
        public var workload: String?
        public var endpoint: Endpoint
    }

    /// The pod groups of every audited namespace, built once.
    private var groupCache: [String: [PodGroup]] = [:]

    /// The pod groups of a namespace (see the type's documentation), optionally only those a selector may pick.
    public func podGroups(_ namespace: String, selector: Selector? = nil) -> [PodGroup] {
        let groups = groupCache[namespace] ?? buildGroups(namespace)
        return pick(groups, namespace, selector)
    }

    func buildGroups(_ namespace: String) -> [PodGroup] {
        var groups: [PodGroup] = []
        var hostNetworkOnly = false
        let workloads = semantics.inventory.workloads(in: namespace)
        var nameCount: [String: Int] = [:]
        for w in workloads { nameCount[w.name, default: 0] += 1 }
        for w in workloads {
            if w.hostNetwork { hostNetworkOnly = true; continue }
            var e = semantics.endpoint(namespace: namespace, podLabels: w.podLabels, complete: true)
            e.serviceAccount = w.serviceAccount
            // A Deployment and a StatefulSet may share a name: the kind tells them apart.
            e.name = "\(namespace)/\(w.name)" + ((nameCount[w.name] ?? 0) > 1 ? " (\(context.objects[w.object].kind.rawValue))" : "")
            groups.append(PodGroup(namespace: namespace, workload: w.name, endpoint: e))
        }
        do {
            // Nobody writes a policy for nothing: the pods a namespace's own policies select exist, even where the
            // repository declares no workload carrying their labels.
            var seen = Set<[String: String]>()
            let declared = groups
            func add(_ s: Selector) {
                let fixed = Semantics.fixedLabels(s)
                guard !fixed.labels.isEmpty || !fixed.present.isEmpty, seen.insert(fixed.labels).inserted else { return }
                if declared.contains(where: { s.matches($0.endpoint) == .yes }) { return }
                var e = semantics.endpoint(namespace: namespace, podLabels: fixed.labels, complete: true)
                e.podLabelsPresent = fixed.present
                e.podLabelsComplete = fixed.present.isEmpty
                if let sa = fixed.serviceAccount { e.serviceAccount = sa }
                groups.append(PodGroup(namespace: namespace, workload: nil, endpoint: e))
            }
            for s in semantics.subjects(inNamespace: namespace) { add(s.selector) }
            for c in (spec?.components.values.sorted { $0.name < $1.name } ?? []) where c.namespace == namespace { add(c.selector) }
        }
        if groups.isEmpty && !(hostNetworkOnly && workloads.allSatisfy(\.hostNetwork)) {
            var e = semantics.endpoint(namespace: namespace, podLabels: [:], complete: false)
            e.name = namespace
            groups.append(PodGroup(namespace: namespace, workload: nil, endpoint: e))
        }
        return groups
    }

    func pick(_ groups: [PodGroup], _ namespace: String, _ selector: Selector?) -> [PodGroup] {
        guard let selector else { return groups }
        var picked = groups.filter { selector.matches($0.endpoint) != .no }
        if picked.isEmpty || picked.allSatisfy({ selector.matches($0.endpoint) != .yes }) {
            // No declared group is surely picked: the pods the selector describes stand for themselves.
            let fixed = Semantics.fixedLabels(selector)
            var e = semantics.endpoint(namespace: namespace, podLabels: fixed.labels, complete: fixed.present.isEmpty)
            e.podLabelsPresent = fixed.present
            if let sa = fixed.serviceAccount { e.serviceAccount = sa }
            if selector.matches(e) != .no, !picked.contains(where: { $0.endpoint.podLabels == e.podLabels && $0.workload == nil }) {
                picked.append(PodGroup(namespace: namespace, workload: nil, endpoint: e))
            }
        }
        return picked
    }

    func namespaces(_ set: BaselineSpec.NamespaceSet) -> [String] {
        switch set {
        case .all: namespaces.filter { repositoryNamespaces.contains($0) || platformNamespaces.contains($0) }
        case .platform: namespaces.filter(platformNamespaces.contains)
        case .workload: namespaces.filter { repositoryNamespaces.contains($0) && !platformNamespaces.contains($0) }
        case .names(let names): names
        }
    }

    /// The endpoints one side of a row or capability stands for.
    func endpoints(_ side: BaselineSpec.Side) -> [PodGroup] {
        switch side {
        case .namespaceOrEntity(let name) where repositoryNamespaces.contains(name):
            return podGroups(name)
        case .entity(let name), .namespaceOrEntity(let name):
            let e: Endpoint = name == "world" ? .world : .entity(name)
            return [PodGroup(namespace: "", workload: nil, endpoint: e)]
        case .component(let name):
            guard let c = spec?.components[name] else { return [] }
            // Pods that stand for the component itself (no declared workload) are named after it.
            return podGroups(c.namespace, selector: c.selector).map { g in
                guard g.workload == nil, c.selector.matches(g.endpoint) == .yes else { return g }
                var named = g
                named.endpoint.name = "\(c.namespace)/\(name)"
                return named
            }
        case .namespaces(let set, let selector, _):
            return namespaces(set).flatMap { podGroups($0, selector: selector) }
        }
    }

    // MARK: Verdicts

    func query(_ port: BaselineSpec.Port) -> PortQuery { PortQuery(port.number, port.proto) }

    /// One pair on one port, as an `AuditCheck`.
    public func check(_ from: Endpoint, _ to: Endpoint, _ port: PortQuery, portName: String? = nil) -> AuditCheck {
        check(semantics.allowed(from: from, to: to, port: port), portName: portName)
    }

    /// A verdict of the engine as an `AuditCheck`: its result, why, and the deciding rules.
    func check(_ v: Verdict, portName: String? = nil) -> AuditCheck {
        let (from, to, port) = (v.source, v.destination, v.port)
        var result = v.result
        var reasons: [String] = []
        if portName != nil, result == .yes, !(v.egress.enforced == .no && v.ingress.enforced == .no) {
            // A named port: which number it is depends on the pods' container ports, which the audit does not read.
            let everyPort = [v.egress, v.ingress].allSatisfy { $0.enforced == .no || $0.allows.contains { $0.match == .yes } }
            if !everyPort { result = .maybe }
        }
        if portName != nil && result == .maybe {
            reasons.append("the spec names port '\(portName!)'; named ports resolve through the pods' container ports, which the audit does not read")
        }
        var evidence: [AuditEvidence] = []
        for d in [v.egress, v.ingress] {
            evidence += self.evidence(d)
            if let r = reason(d) { reasons.append(r) }
        }
        let shownPort = portName.map { "\($0)/\(port.proto)" } ?? port.description
        return AuditCheck(from: from.name, to: to.name, port: shownPort, verdict: AuditVerdict(result),
                          reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "), decidedBy: evidence)
    }

    func describe(_ object: Int) -> String { context.objects[object].displayName }

    /// Why a direction refuses a connection or is not sure.
    func reason(_ d: DirectionVerdict) -> String? {
        let at = d.direction == .egress ? "egress at \(d.endpoint)" : "ingress at \(d.endpoint)"
        switch d.result {
        case .yes: return nil
        case .no:
            if let deny = d.denies.first(where: { $0.match == .yes }) {
                return "\(at) is denied by \(describe(deny.rule.ref.object)) \(deny.rule.ref.path)"
            }
            let by = d.enforcedBy.filter { $0.match == .yes }.map { describe($0.subject.object) }
            return "\(at) is enforced by \(by.prefix(3).joined(separator: ", "))\(by.count > 3 ? ", ..." : "") and no rule allows it"
        case .maybe:
            var parts: [String] = []
            if d.enforced == .maybe {
                let by = d.enforcedBy.filter { $0.match == .maybe }.map { describe($0.subject.object) }
                parts.append("whether \(by.prefix(2).joined(separator: ", ")) selects \(d.endpoint) depends on labels the repository does not fix")
            }
            let maybeAllows = d.allows.filter { $0.match == .maybe }
            if !maybeAllows.isEmpty && !d.allows.contains(where: { $0.match == .yes }) {
                let names = maybeAllows.prefix(2).map { "\(describe($0.rule.ref.object)) \($0.rule.ref.path)" }
                parts.append("\(names.joined(separator: ", ")) allows it only if labels, named ports, FQDNs or addresses the repository does not fix match")
            }
            if let deny = d.denies.first(where: { $0.match == .maybe }) {
                parts.append("\(describe(deny.rule.ref.object)) \(deny.rule.ref.path) may deny it")
            }
            if parts.isEmpty { parts.append("depends on labels, ports or addresses the repository does not fix") }
            return "\(at): " + parts.joined(separator: "; ")
        }
    }

    /// The policies and rules that decide one direction.
    func evidence(_ d: DirectionVerdict) -> [AuditEvidence] {
        guard d.enforced != .no || !d.denies.isEmpty else { return [] }
        var out: [AuditEvidence] = []
        let result = d.result
        for (r, m) in d.denies where m != .no { out.append(evidence(r.ref, "denies", m)) }
        if result != .no {
            for (r, m) in d.allows where m != .no { out.append(evidence(r.ref, "allows", m)) }
        } else if out.isEmpty {
            for (s, m) in d.enforcedBy where m != .no {
                let o = context.objects[s.object]
                out.append(AuditEvidence(kind: o.kind.rawValue, namespace: semantics.inventory.namespace(of: s.object), name: o.name,
                                         rule: nil, effect: "enforces", direction: d.direction.rawValue,
                                         path: context.path(of: o.anchor), line: Int(o.anchor.line), certain: m == .yes))
            }
        }
        return out
    }

    func evidence(_ ref: RuleRef, _ effect: String, _ m: Tri) -> AuditEvidence {
        let o = context.objects[ref.object]
        return AuditEvidence(kind: o.kind.rawValue, namespace: semantics.inventory.namespace(of: ref.object), name: o.name,
                             rule: ref.path, effect: effect, direction: ref.direction.rawValue,
                             path: context.path(of: ref.span), line: Int(ref.span.line), certain: m == .yes)
    }

    /// The verdict of several checks together: allowed when all are, denied when all are, else conditional — unless
    /// the expectation is already contradicted by one of them.
    static func aggregate(_ checks: [AuditCheck], expect: AuditExpectation) -> (verdict: AuditVerdict, status: AuditStatus) {
        if checks.isEmpty { return (.conditional, .conditional) }
        let contrary: AuditVerdict = expect == .allow ? .denied : .allowed
        if checks.contains(where: { $0.verdict == contrary }) { return (contrary, .fail) }
        if checks.allSatisfy({ $0.verdict == expect.satisfiedBy }) { return (expect.satisfiedBy, .pass) }
        return (.conditional, .conditional)
    }

    /// A check in one sentence: its reason, or for an allowed flow the rules that allow it.
    static func explain(_ c: AuditCheck) -> String {
        if let r = c.reason { return "\(c.from) -> \(c.to): \(r)" }
        let allows = c.decidedBy.filter { $0.effect == "allows" }
        if allows.isEmpty { return "\(c.from) -> \(c.to): neither side enforces policy in that direction" }
        return "\(c.from) -> \(c.to) is allowed by " + allows.prefix(3).map(\.description).joined(separator: " and ")
    }

    static func unique(_ evidence: [AuditEvidence]) -> [AuditEvidence] {
        var seen = Set<AuditEvidence>()
        return evidence.filter { seen.insert($0).inserted }
    }

    /// The pairs of one row or capability (`from` × `to` × ports), at most `pairBudget`.
    func pairs(_ from: [PodGroup], _ to: [PodGroup], _ ports: [BaselineSpec.Port], budget: Int? = nil) -> (checks: [(PodGroup, PodGroup, AuditCheck)], truncated: Bool) {
        let pairBudget = min(pairBudget, budget ?? pairBudget)
        var out: [(PodGroup, PodGroup, AuditCheck)] = []
        let ports = ports.isEmpty ? [BaselineSpec.Port(number: nil, name: nil, proto: "TCP")] : ports
        for f in from {
            for t in to {
                // A pod does not talk to itself through the network policy: the same group is left out.
                if f.endpoint.kind == .pod && f.namespace == t.namespace && f.endpoint.podLabels == t.endpoint.podLabels && f.workload == t.workload { continue }
                for p in ports {
                    if out.count >= pairBudget { return (out, true) }
                    out.append((f, t, check(f.endpoint, t.endpoint, query(p), portName: p.name)))
                }
            }
        }
        return (out, false)
    }

    public func evaluateRow(_ row: BaselineSpec.Row, budget: Int? = nil) -> MatrixResult {
        let (pairs, truncated) = self.pairs(endpoints(row.from), endpoints(row.to), [row.port], budget: budget)
        let checks = pairs.map(\.2)
        let (verdict, status) = Self.aggregate(checks, expect: row.expect)
        var deciding = checks
        var reason: String?
        switch status {
        case .fail:
            deciding = checks.filter { $0.verdict != row.expect.satisfiedBy && $0.verdict != .conditional }
            reason = "\(deciding.count) of \(checks.count) pod pair\(checks.count == 1 ? "" : "s") \(deciding.count == 1 ? "is" : "are") \(verdict.rawValue): "
                + (deciding.first.map(Self.explain) ?? "")
        case .conditional:
            deciding = checks.filter { $0.verdict == .conditional }
            reason = checks.isEmpty ? "no pods to check: the spec names no namespace or component the audit can resolve" : deciding.first?.reason
        case .pass:
            break
        }
        if truncated { reason = (reason.map { $0 + "; " } ?? "") + "only the first \(checks.count) pod pairs were checked (the audit's budget)" }
        // The report keeps the pairs that decide first, at most `storedChecks` of them; `checked` counts them all.
        let kept = Array((checks.filter { $0.verdict != row.expect.satisfiedBy } + checks.filter { $0.verdict == row.expect.satisfiedBy })
            .prefix(Self.storedRowChecks))
        var result = MatrixResult(name: row.name, from: row.fromText, to: row.toText, port: row.port.description, expect: row.expect,
                                  verdict: verdict, status: status, reason: reason,
                                  decidedBy: Array(Self.unique(deciding.flatMap(\.decidedBy)).prefix(50)), checks: kept, specLine: row.line,
                                  specPath: row.path == spec?.path ? nil : row.path)
        result.checked = checks.count
        return result
    }

    /// Pod pairs kept per row and gaps per capability in the report (the counts cover them all).
    static let storedRowChecks = 20
    static let storedChecks = 200

    public func evaluateCapability(_ c: BaselineSpec.Capability, budget: Int? = nil) -> CapabilityResult {
        let from = endpoints(c.from), to = endpoints(c.to)
        let (pairs, truncated) = self.pairs(from, to, c.ports, budget: budget)
        var gaps: [CapabilityGap] = []
        var checks = pairs.map(\.2)
        // The quantified side is the side of pods: `from` unless it is an entity or a single component.
        let quantifiedIsFrom: Bool = if case .entity = c.from { false } else if case .namespaces = c.to { false } else { true }
        for (f, t, check) in pairs where check.verdict != c.expect.satisfiedBy {
            let g = quantifiedIsFrom ? f : t
            gaps.append(CapabilityGap(namespace: g.namespace.isEmpty ? nil : g.namespace, workload: g.workload, check: check))
        }
        var otherwiseChecked = 0
        if c.otherwiseDeny, case .namespaces(let set, let selector?, _) = c.from {
            // Pods of the same namespaces that the selector does not pick must be refused.
            var others: [PodGroup] = []
            for ns in namespaces(set) {
                var outside = podGroups(ns).filter { selector.matches($0.endpoint) == .no }
                var plain = semantics.endpoint(namespace: ns, podLabels: [:], complete: true)
                plain.name = "\(ns)/<pods without \(Self.selectorText(c.from))>"
                if selector.matches(plain) == .no { outside.append(PodGroup(namespace: ns, workload: nil, endpoint: plain)) }
                others += outside
            }
            let (deny, _) = self.pairs(others, to, c.ports, budget: budget.map { max(0, $0 - pairs.count) })
            otherwiseChecked = deny.count
            checks += deny.map(\.2)
            for (f, _, check) in deny where check.verdict != .denied {
                gaps.append(CapabilityGap(namespace: f.namespace, workload: f.workload, clause: "otherwise", check: check))
            }
        }
        var status: AuditStatus = .pass
        if pairs.isEmpty { status = .conditional }
        if gaps.contains(where: { $0.check.verdict == .conditional }) { status = .conditional }
        if gaps.contains(where: { $0.check.verdict != .conditional }) { status = .fail }
        var reason: String?
        if pairs.isEmpty { reason = "no pods to check: the spec's namespaces are not declared in the repository" }
        else if !gaps.isEmpty {
            let failing = gaps.filter { $0.check.verdict != .conditional }.count
            reason = "\(gaps.count) of \(checks.count) pod pairs do not meet the expectation (\(failing) contradict it, \(gaps.count - failing) conditional)"
        }
        if truncated { reason = (reason.map { $0 + "; " } ?? "") + "only the first \(pairs.count) pod pairs were checked (the audit's budget)" }
        let allGaps = gaps
        gaps = Array(gaps.filter { $0.check.verdict != .conditional }.prefix(Self.storedChecks))
        gaps += allGaps.filter { $0.check.verdict == .conditional }.prefix(Self.storedChecks - gaps.count)
        if allGaps.count > gaps.count { reason = (reason.map { $0 + "; " } ?? "") + "the first \(gaps.count) gaps are listed" }
        return CapabilityResult(name: c.name, description: c.description, from: Self.sideText(c.from), to: Self.sideText(c.to),
                                ports: c.ports.map(\.description), expect: c.expect, status: status, reason: reason,
                                checked: pairs.count, gaps: gaps, otherwiseChecked: otherwiseChecked, specLine: c.line)
    }

    static func selectorText(_ side: BaselineSpec.Side) -> String {
        if case .namespaces(_, _, let text?) = side { return text }
        return "the selector"
    }

    static func sideText(_ side: BaselineSpec.Side) -> String {
        switch side {
        case .entity(let e), .namespaceOrEntity(let e): return e
        case .component(let c): return c
        case .namespaces(let set, _, let text):
            let ns: String = switch set {
            case .all: "all namespaces"
            case .workload: "workload namespaces"
            case .platform: "platform namespaces"
            case .names(let n): n.joined(separator: ", ")
            }
            return text.map { "\(ns) (\($0))" } ?? ns
        }
    }

    // MARK: Flows

    /// An allowed (or conditional) flow between pod groups of two namespaces. Pod groups that every policy treats
    /// alike (the same policies select them, the same rules name them as peers) travel together: `from` and `to`
    /// hold every such group, and the verdict is computed once.
    public struct Flow: Sendable {
        public var from: [PodGroup]
        public var to: [PodGroup]
        public var port: PortQuery
        public var check: AuditCheck
        public var fromNamespace: String { from[0].namespace }
        public var toNamespace: String { to[0].namespace }
    }

    /// Allowed cross-namespace flows over the pod groups of every namespace and the ports the policies name.
    /// Pod groups are first merged into classes that no policy tells apart; the candidates come from the allow rules
    /// themselves (a rule's subjects × the classes its peers match, on the rule's ports), and each candidate is
    /// decided by the engine, denies included. At most `flowBudget` verdicts are computed.
    public func enumerateFlows() -> FlowEnumeration {
        var groups: [String: [PodGroup]] = [:]
        for ns in namespaces { groups[ns] = podGroups(ns) }
        let all = namespaces.flatMap { groups[$0] ?? [] }
        let subjects = semantics.subjects
        var subjectIndex: [ObjectIdentifier: Int] = [:]
        for (i, s) in subjects.enumerated() { subjectIndex[ObjectIdentifier(s)] = i }
        // Every rule by (subject, rule) index with its port questions. Deny rules tell pods apart as much as allow
        // rules do (they are part of the classes' signatures) but propose no candidate. A named port or `${var}`
        // asks "some port" of its protocols: which number it is, the repository does not say (conditional).
        var ruleList: [(subject: Int, rule: CompiledRule, ports: [PortQuery])] = []
        for (si, s) in subjects.enumerated() {
            for r in s.rules {
                var ports = r.portQueries
                for e in r.ports.entries ?? [] where e.unresolved {
                    for proto in e.protocols.sorted() where !ports.contains(PortQuery(nil, proto)) { ports.append(PortQuery(nil, proto)) }
                }
                if !ports.isEmpty || r.ref.isDeny { ruleList.append((si, r, ports)) }
            }
        }
        // The signature of a group: its namespace, the subjects selecting it and the rules whose peers match it.
        struct Signature: Hashable {
            var namespace: String
            var selecting: [Int]
            var peerOf: [Int]
        }
        var classOf: [Signature: Int] = [:]
        var members: [[Int]] = []
        var selectingCache: [[(subject: Subject, match: Tri)]] = []
        var selectedBy: [[Int]] = Array(repeating: [], count: subjects.count)
        var peerClasses: [[Int]] = Array(repeating: [], count: ruleList.count)
        for (gi, g) in all.enumerated() {
            let selecting = semantics.subjects(selecting: g.endpoint)
            var sig = Signature(namespace: g.namespace, selecting: [], peerOf: [])
            for (s, m) in selecting { sig.selecting.append(2 * (subjectIndex[ObjectIdentifier(s)] ?? 0) + (m == .yes ? 1 : 0)) }
            for (ri, r) in ruleList.enumerated() {
                let m = r.rule.matchesPeer(g.endpoint)
                if m != .no { sig.peerOf.append(2 * ri + (m == .yes ? 1 : 0)) }
            }
            if let c = classOf[sig] {
                members[c].append(gi)
                continue
            }
            let c = members.count
            classOf[sig] = c
            members.append([gi])
            selectingCache.append(selecting)
            for x in sig.selecting { selectedBy[x / 2].append(c) }
            for x in sig.peerOf { peerClasses[x / 2].append(c) }
        }
        struct Key: Hashable { var from: Int; var to: Int; var port: PortQuery }
        var candidates: [Key] = []
        var seen = Set<Key>()
        var truncated = false
        outer: for (ri, r) in ruleList.enumerated() where !r.rule.ref.isDeny {
            let selected = selectedBy[r.subject], peers = peerClasses[ri]
            guard !selected.isEmpty, !peers.isEmpty else { continue }
            for a in selected {
                for b in peers {
                    let (f, t) = r.rule.ref.direction == .egress ? (a, b) : (b, a)
                    guard all[members[f][0]].namespace != all[members[t][0]].namespace else { continue }
                    for p in r.ports {
                        let k = Key(from: f, to: t, port: p)
                        guard seen.insert(k).inserted else { continue }
                        candidates.append(k)
                        if candidates.count >= flowBudget { truncated = true; break outer }
                    }
                }
            }
        }
        var flows: [Flow] = []
        var conditional: [String: Set<String>] = [:]
        var conditionalCount = 0
        // One engine call per pair of classes and direction, all its ports at once.
        struct Pair: Hashable { var from: Int; var to: Int }
        var portsOf: [Pair: [PortQuery]] = [:]
        var pairs: [Pair] = []
        for k in candidates {
            let p = Pair(from: k.from, to: k.to)
            if portsOf[p] == nil { pairs.append(p) }
            portsOf[p, default: []].append(k.port)
        }
        for pair in pairs {
            let ports = portsOf[pair] ?? []
            let src = all[members[pair.from][0]], dst = all[members[pair.to][0]]
            let egress = semantics.evaluate(.egress, at: src.endpoint, peer: dst.endpoint, ports: ports, selecting: selectingCache[pair.from])
            // Refused at the source on every port: the destination need not be asked.
            if egress.allSatisfy({ $0.result == .no }) { continue }
            let ingress = semantics.evaluate(.ingress, at: dst.endpoint, peer: src.endpoint, ports: ports, selecting: selectingCache[pair.to])
            for (i, port) in ports.enumerated() {
                let v = Verdict(source: src.endpoint, destination: dst.endpoint, port: port, egress: egress[i], ingress: ingress[i])
                guard v.result != .no else { continue }
                if v.result == .maybe {
                    // Allowed only if pods carry labels (or ports, addresses) the repository does not fix: counted per
                    // namespace pair, not listed — in a repository of opt-in labels there are tens of thousands.
                    conditional[src.namespace + "\u{0}" + dst.namespace, default: []].insert(Self.portText(port))
                    conditionalCount += 1
                    continue
                }
                let fromGroups = members[pair.from].map { all[$0] }, toGroups = members[pair.to].map { all[$0] }
                var c = check(v)
                c.from = Self.label(fromGroups, of: groups[src.namespace]?.count ?? 0)
                c.to = Self.label(toGroups, of: groups[dst.namespace]?.count ?? 0)
                flows.append(Flow(from: fromGroups, to: toGroups, port: port, check: c))
            }
        }
        return FlowEnumeration(flows: flows, conditional: conditional, conditionalCount: conditionalCount,
                               truncated: truncated, groups: groups)
    }

    /// What `enumerateFlows` found.
    public struct FlowEnumeration: Sendable {
        /// Flows the policies surely allow.
        public var flows: [Flow]
        /// Ports of the flows allowed only conditionally, by namespace pair (`from\u{0}to`).
        public var conditional: [String: Set<String>]
        public var conditionalCount: Int
        public var truncated: Bool
        public var groups: [String: [PodGroup]]
    }

    static func portText(_ p: PortQuery) -> String { p.port == nil ? "any/\(p.proto)" : p.description }

    /// How a class of pod groups is shown: the group, `ns/*` when it is every group of the namespace, else the
    /// first few groups.
    static func label(_ groups: [PodGroup], of total: Int) -> String {
        if groups.count == 1 { return groups[0].endpoint.name }
        if groups.count == total { return "\(groups[0].namespace)/*" }
        let names = groups.prefix(3).map(\.endpoint.name).joined(separator: ", ")
        return groups.count > 3 ? "\(names) and \(groups.count - 3) more" : names
    }

    /// Whether a row or capability of the spec speaks about a flow (whatever it expects).
    func documents(_ flow: Flow) -> Bool {
        guard let spec else { return false }
        func contains(_ side: BaselineSpec.Side, _ g: PodGroup) -> Bool {
            switch side {
            case .namespaceOrEntity(let name) where repositoryNamespaces.contains(name):
                return g.namespace == name
            case .entity(let e), .namespaceOrEntity(let e): return g.endpoint.kind == .entity(e) || (e == "world" && g.endpoint.isWorld)
            case .component(let name):
                guard let c = spec.components[name], c.namespace == g.namespace else { return false }
                return c.selector.matches(g.endpoint) == .yes
            case .namespaces(let set, let selector, _):
                guard namespaces(set).contains(g.namespace) else { return false }
                return selector.map { $0.matches(g.endpoint) == .yes } ?? true
            }
        }
        func portCovers(_ p: BaselineSpec.Port) -> Bool {
            // A named port cannot be matched to a number here: it documents no numbered flow.
            guard p.name == nil, p.proto == flow.port.proto else { return false }
            guard let n = p.number else { return true }  // any port of the protocol
            return flow.port.port == n && (flow.port.endPort ?? n) == n
        }
        /// A capability without ports speaks about some TCP port.
        let anyTCP = [BaselineSpec.Port(number: nil, name: nil, proto: "TCP")]
        func documented(_ f: PodGroup, _ t: PodGroup) -> Bool {
            for row in spec.rows where portCovers(row.port) && contains(row.from, f) && contains(row.to, t) { return true }
            for c in spec.capabilities where (c.ports.isEmpty ? anyTCP : c.ports).contains(where: portCovers) && contains(c.from, f) && contains(c.to, t) {
                return true
            }
            return false
        }
        return flow.from.allSatisfy { f in flow.to.allSatisfy { t in documented(f, t) } }
    }

    // MARK: The report

    public func run(paths: [String], preset: String?) -> AuditReport {
        var report = AuditReport(specName: spec?.name, specPath: spec?.path, paths: paths, preset: preset)
        if let spec {
            // One budget of pod pairs for the whole spec: a spec of many `*` rows cannot make the audit run for hours.
            var remaining = totalPairBudget
            for row in spec.rows {
                if remaining <= 0 {
                    report.matrix.append(MatrixResult(name: row.name, from: row.fromText, to: row.toText, port: row.port.description,
                                                      expect: row.expect, verdict: .conditional, status: .conditional,
                                                      reason: "not evaluated: the audit's budget of \(totalPairBudget) pod pairs is spent",
                                                      decidedBy: [], checks: [], specLine: row.line,
                                                      specPath: row.path == spec.path ? nil : row.path))
                    continue
                }
                let r = evaluateRow(row, budget: remaining)
                remaining -= r.checked
                report.matrix.append(r)
            }
            for c in spec.capabilities {
                if remaining <= 0 {
                    report.capabilities.append(CapabilityResult(name: c.name, description: c.description, from: Self.sideText(c.from),
                                                                to: Self.sideText(c.to), ports: c.ports.map(\.description), expect: c.expect,
                                                                status: .conditional, reason: "not evaluated: the audit's budget of \(totalPairBudget) pod pairs is spent",
                                                                checked: 0, gaps: [], specLine: c.line))
                    continue
                }
                let r = evaluateCapability(c, budget: remaining)
                remaining -= r.checked + r.otherwiseChecked
                report.capabilities.append(r)
            }
            if remaining <= 0 { report.notes.append("the spec's rows and capabilities stand for more than \(totalPairBudget) pod pairs; the rest are not evaluated (conditional)") }
        }
        let enumeration = enumerateFlows()
        let (flows, truncated, groups) = (enumeration.flows, enumeration.truncated, enumeration.groups)
        report.undocumentedTruncated = truncated
        report.undocumented = flows.filter { !documents($0) }.map { f in
            UndocumentedFlow(from: f.check.from, to: f.check.to, fromNamespace: f.fromNamespace,
                             toNamespace: f.toNamespace, port: f.port.description, verdict: f.check.verdict,
                             allowedBy: f.check.decidedBy)
        }
        report.namespaces = namespaces
        report.cells = cells(enumeration)
        if enumeration.conditionalCount > 0 {
            report.notes.append("\(enumeration.conditionalCount) more cross-namespace flow\(enumeration.conditionalCount == 1 ? " is" : "s are") allowed only if pods carry labels (or use ports or addresses) the repository does not fix; they are not listed one by one but shown as conditional (?) in the namespace matrix")
        }
        report.coverage = namespaces.map { coverage($0, groups[$0] ?? []) }
        if !semantics.unresolvedPolicies.isEmpty {
            report.notes.append("\(semantics.unresolvedPolicies.count) namespaced polic\(semantics.unresolvedPolicies.count == 1 ? "y is" : "ies are") left out: their namespace cannot be resolved (no metadata.namespace, kustomization namespace or Flux targetNamespace)")
        }
        if !semantics.rejectedPolicies.isEmpty {
            report.notes.append("\(semantics.rejectedPolicies.count) Cilium polic\(semantics.rejectedPolicies.count == 1 ? "y is" : "ies are") left out: the Cilium agent rejects \(semantics.rejectedPolicies.count == 1 ? "it" : "them") (NP104), so \(semantics.rejectedPolicies.count == 1 ? "it is" : "they are") not enforced")
        }
        let undeclared = namespaces.filter { semantics.inventory.namespaces[$0] == nil }
        if !undeclared.isEmpty {
            report.notes.append("namespace\(undeclared.count == 1 ? "" : "s") \(undeclared.joined(separator: ", ")) \(undeclared.count == 1 ? "is" : "are") not declared in the repository: \(undeclared.count == 1 ? "its" : "their") only label is taken to be kubernetes.io/metadata.name (as `trace` does) and \(undeclared.count == 1 ? "its" : "their") pods carry labels the repository does not show")
        }
        if report.coverage.contains(where: { $0.health == .denied }) {
            report.notes.append("health coverage is what the policies say about the `host` entity; by default Cilium (--allow-localhost=auto) admits the local node's kubelet probes whatever the policies say")
        }
        if truncated {
            report.notes.append("the flow enumeration stopped after \(flowBudget) candidate flows: the undocumented flows are incomplete")
        }
        return report
    }

    /// What each namespace allows each other one, from the enumerated flows; `open` where a pair of pod groups has
    /// neither direction enforced (anything goes, no rule needed).
    func cells(_ e: FlowEnumeration) -> [NamespaceCell] {
        let groups = e.groups
        var byPair: [String: (state: AuditVerdict, ports: [String])] = [:]
        for f in e.flows {
            let key = f.fromNamespace + "\u{0}" + f.toNamespace
            var entry = byPair[key] ?? (.allowed, [])
            let p = Self.portText(f.port)
            if !entry.ports.contains(p) { entry.ports.append(p) }
            byPair[key] = entry
        }
        for (key, ports) in e.conditional where byPair[key] == nil {
            byPair[key] = (.conditional, ports.sorted())
        }
        var egressOpen: [String: Bool] = [:], ingressOpen: [String: Bool] = [:]
        for ns in namespaces {
            let gs = groups[ns] ?? []
            egressOpen[ns] = gs.contains { enforced(.egress, $0.endpoint) == .no }
            ingressOpen[ns] = gs.contains { enforced(.ingress, $0.endpoint) == .no }
        }
        var out: [NamespaceCell] = []
        for a in namespaces {
            for b in namespaces where a != b {
                if egressOpen[a] == true && ingressOpen[b] == true {
                    out.append(NamespaceCell(from: a, to: b, state: "open", ports: ["any"]))
                } else if let e = byPair[a + "\u{0}" + b] {
                    out.append(NamespaceCell(from: a, to: b, state: e.state.rawValue, ports: e.ports))
                } else {
                    out.append(NamespaceCell(from: a, to: b, state: "denied", ports: []))
                }
            }
        }
        return out
    }

    func enforced(_ direction: Direction, _ e: Endpoint) -> Tri {
        var t = Tri.no
        for (s, m) in semantics.subjects(selecting: e) where s.enforces.contains(direction) { t = t || m }
        return t
    }

    /// DNS, health-probe and metrics coverage of one namespace's pod groups.
    func coverage(_ ns: String, _ groups: [PodGroup]) -> NamespaceCoverage {
        func state(_ d: Direction) -> String {
            let values = groups.map { enforced(d, $0.endpoint) }
            if !values.isEmpty && values.allSatisfy({ $0 == .yes }) { return "yes" }
            if values.allSatisfy({ $0 == .no }) { return "no" }
            return "partly"
        }
        func combined(_ verdicts: [Tri]) -> AuditVerdict {
            if verdicts.isEmpty { return .conditional }
            if verdicts.contains(.no) { return .denied }
            return verdicts.allSatisfy { $0 == .yes } ? .allowed : .conditional
        }
        let dnsServers = semantics.wellKnownEndpoints("dns")
        let dns = combined(groups.flatMap { g in dnsServers.map { semantics.allowed(from: g.endpoint, to: $0, port: PortQuery(53, "UDP")).result } })
        let health = combined(groups.map { semantics.allowed(from: .entity("host"), to: $0.endpoint, port: PortQuery(nil, "TCP")).result })
        let scrapers = semantics.wellKnownEndpoints("prometheus")
        let metrics: AuditVerdict? = scrapers.isEmpty ? nil
            : combined(groups.flatMap { g in scrapers.map { semantics.allowed(from: $0, to: g.endpoint, port: PortQuery(nil, "TCP")).result } })
        return NamespaceCoverage(namespace: ns, platform: platformNamespaces.contains(ns), ingressEnforced: state(.ingress),
                                 egressEnforced: state(.egress), dns: dns, health: health, metrics: metrics,
                                 workloads: semantics.inventory.workloads(in: ns).count)
    }
}
