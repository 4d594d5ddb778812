/// What a change to the repository does to who can reach whom (`netpol-lint diff`, docs/diff.md): two revisions, each
/// resolved into the model and asked the same questions by the same engine, and every flow whose verdict changed,
/// with the rules that decide it on each side.

/// One flow whose verdict changed between the two revisions.
public struct ConnectivityChange: Sendable, Hashable {
    public var from: String
    public var to: String
    /// Empty for an entity.
    public var fromNamespace: String
    public var toNamespace: String
    public var port: String
    public var before: AuditVerdict
    public var after: AuditVerdict
    public var beforeRules: [AuditEvidence]
    public var afterRules: [AuditEvidence]
    public var beforeReason: String?
    public var afterReason: String?

    /// `newly-allowed`, `newly-denied`, `now-conditional`.
    public var change: String {
        switch after {
        case .allowed: "newly-allowed"
        case .denied: "newly-denied"
        case .conditional: "now-conditional"
        }
    }
}

/// An object added, removed, changed or moved (same object, other file) between the revisions.
public struct ObjectChange: Sendable, Hashable {
    /// `added`, `removed`, `changed`, `moved`.
    public var change: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var fields: [FieldDifference]
    public var basePath: String?
    public var baseLine: Int?
    public var headPath: String?
    public var headLine: Int?
}

public struct ConnectivityDiffReport: Sendable {
    /// `origin/main (3f2a9c1)`, `the work tree`.
    public var base: String
    public var head: String
    public var changes: [ConnectivityChange] = []
    public var objects: [ObjectChange] = []
    /// Pod pairs asked about (each on every port in question), and whether the budget cut the list short.
    public var pairsChecked = 0
    public var truncated = false
    public var notes: [String] = []

    public init(base: String, head: String) {
        self.base = base
        self.head = head
    }

    /// Flows newly allowed, newly denied and now conditional, all of them (the list may be cut short).
    public var counts: (allowed: Int, denied: Int, conditional: Int) = (0, 0, 0)
    public var newlyAllowed: Int { counts.allowed }
    public var newlyDenied: Int { counts.denied }
    public var nowConditional: Int { counts.conditional }
    public var changed: Int { counts.allowed + counts.denied + counts.conditional }
}

public enum ConnectivityDiff {
    /// At most this many pod pairs are asked about (each on all the ports in question).
    public static let pairBudget = 20_000
    /// At most this many changes are listed (the counts cover them all).
    public static let changeLimit = 2_000
    /// At most this many ports are asked about per pair.
    public static let portLimit = 48

    /// Compares two revisions. `baseRoot` / `headRoot`: the folders their contexts' relative paths are relative to.
    public static func compute(base: AuditEngine, head: AuditEngine, baseRoot: String, headRoot: String,
                               baseName: String, headName: String) -> ConnectivityDiffReport {
        var report = ConnectivityDiffReport(base: baseName, head: headName)
        var leftOut: (base: [Int], head: [Int]) = ([], [])
        var objectKeys: [[Int: String]] = [[:], [:]]
        report.objects = objectChanges(base: base.context, baseRoot: baseRoot, head: head.context, headRoot: headRoot,
                                       notes: &report.notes, leftOut: &leftOut, objectKeys: &objectKeys)
        let leftOutSets = [Set(leftOut.base), Set(leftOut.head)]
        let changedKeys = Set(report.objects.filter { $0.change != "moved" }.map { "\($0.kind)\u{0}\($0.namespace ?? "")\u{0}\($0.name)" })

        // Pod groups of both revisions by name; entities stand for themselves.
        func groups(_ e: AuditEngine) -> [String: AuditEngine.PodGroup] {
            var out: [String: AuditEngine.PodGroup] = [:]
            for ns in e.namespaces { for g in e.podGroups(ns) where out[g.endpoint.name] == nil { out[g.endpoint.name] = g } }
            return out
        }
        let baseGroups = groups(base), headGroups = groups(head)
        var names = Array(Set(baseGroups.keys).union(headGroups.keys)).sorted()
        let entities = ["world", "host", "kube-apiserver"]

        // The subjects of changed policies, in each revision.
        func changedSubjects(_ e: AuditEngine, _ side: Int) -> [Subject] {
            e.semantics.subjects.filter { s in
                // Objects the comparison could not read are taken as changed: asking costs time, missing costs trust.
                return leftOutSets[side].contains(s.object) || objectKeys[side][s.object].map(changedKeys.contains) ?? true
            }
        }
        let baseChanged = changedSubjects(base, 0), headChanged = changedSubjects(head, 1)

        // Affected groups: selected by a changed policy in either revision, or not the same pods in both.
        var affected = Set<String>()
        for name in names {
            let b = baseGroups[name], h = headGroups[name]
            if let b, let h {
                if b.endpoint.podLabels != h.endpoint.podLabels || b.endpoint.namespaceLabels != h.endpoint.namespaceLabels
                    || b.endpoint.serviceAccount != h.endpoint.serviceAccount || b.endpoint.podLabelsPresent != h.endpoint.podLabelsPresent {
                    affected.insert(name)
                    continue
                }
            } else {
                affected.insert(name)
                continue
            }
            if baseChanged.contains(where: { $0.selector.matches(b!.endpoint) != .no })
                || headChanged.contains(where: { $0.selector.matches(h!.endpoint) != .no }) {
                affected.insert(name)
            }
        }
        // A changed host or cluster-wide policy may select reserved identities: the entities are affected too.
        let reservedChanged = (baseChanged + headChanged).contains { $0.selector.reserved != nil }
        // Endpoints that are not pod groups: the usual entities, and the addresses, DNS names and entities the changed
        // rules name (a CIDR swapped for another opens and closes flows no pod group shows).
        var fixed: [String: Endpoint] = [:]
        for name in entities { fixed[name] = name == "world" ? .world : .entity(name) }
        for s in baseChanged + headChanged {
            for r in s.rules {
                for peer in r.peers {
                    switch peer {
                    case .entity(let name, _) where !["all", "cluster", "none"].contains(name):
                        fixed[name] = name == "world" ? .world : .entity(name)
                    case .cidr(let c?, let except, _), .ipBlock(let c?, let except, _):
                        for range in [c] + except {
                            let text = CIDRParser.format(range)
                            fixed[text] = .address(range, text: text)
                        }
                    case .fqdn(let patterns, _):
                        for p in patterns where !p.text.contains("*") {
                            fixed[p.text] = Endpoint(kind: .dnsName(p.text), namespace: nil, name: p.text)
                        }
                    default:
                        continue
                    }
                }
            }
        }
        let fixedNames = fixed.keys.sorted()
        names += fixedNames.filter { baseGroups[$0] == nil && headGroups[$0] == nil }

        // Ports in question: those of the changed policies and of the rules that apply to the affected groups, and
        // "some port" of TCP and UDP for everything else.
        var ports: [PortQuery] = []
        func addPorts(_ s: Subject) {
            for r in s.rules {
                for q in r.portQueries where !ports.contains(q) { ports.append(q) }
            }
        }
        for s in baseChanged + headChanged { addPorts(s) }
        // The changed policies' own ports come first: a limit never drops them.
        let changedPorts = ports.count
        for (e, gs) in [(base, baseGroups), (head, headGroups)] {
            let affectedEndpoints = affected.compactMap { gs[$0]?.endpoint }
            for g in affectedEndpoints {
                for (s, _) in e.semantics.subjects(selecting: g) { addPorts(s) }
            }
            // Rules that name an affected group as a peer (a relabelled namespace leaves or joins their peers).
            for s in e.semantics.subjects {
                for r in s.rules where affectedEndpoints.contains(where: { r.matchesPeer($0) != .no }) {
                    for q in r.portQueries where !ports.contains(q) { ports.append(q) }
                }
            }
        }
        for q in [PortQuery(nil, "TCP"), PortQuery(nil, "UDP")] where !ports.contains(q) { ports.append(q) }
        func byNumber(_ a: PortQuery, _ b: PortQuery) -> Bool { (a.port ?? 70_000, a.proto, a.endPort ?? 0) < (b.port ?? 70_000, b.proto, b.endPort ?? 0) }
        ports = ports.prefix(changedPorts).sorted(by: byNumber) + ports.dropFirst(changedPorts).sorted(by: byNumber)
        if ports.count > max(portLimit, changedPorts) {
            report.truncated = true
            report.notes.append("\(ports.count) ports are in question; the changed policies' own and the first others, \(max(portLimit, changedPorts)) in all, are checked")
            ports = Array(ports.prefix(max(portLimit, changedPorts)))
        }

        // The endpoint of a group in one revision: its own, else the same pods placed in that revision.
        func endpoint(_ name: String, _ e: AuditEngine, _ own: [String: AuditEngine.PodGroup], _ other: [String: AuditEngine.PodGroup]) -> Endpoint {
            if let f = fixed[name], own[name] == nil, other[name] == nil { return f }
            if let g = own[name] { return g.endpoint }
            let g = other[name]!
            // The same workload on the host network in this revision: policies see the node (`host`), as trace does.
            let workload = g.workload ?? ""
            if e.semantics.inventory.workloads(in: g.namespace).contains(where: { $0.name == workload && $0.hostNetwork }) {
                var host = Endpoint.entity("host")
                host.name = "\(name) (host network)"
                return host
            }
            var x = e.semantics.endpoint(namespace: g.namespace, podLabels: g.endpoint.podLabels, complete: g.endpoint.podLabelsComplete)
            x.podLabelsPresent = g.endpoint.podLabelsPresent
            x.serviceAccount = g.endpoint.serviceAccount
            x.name = name
            return x
        }
        var selecting: [Int: [String: [(subject: Subject, match: Tri)]]] = [0: [:], 1: [:]]
        func verdicts(_ side: Int, _ from: String, _ to: String) -> [Verdict] {
            let (e, own, other) = side == 0 ? (base, baseGroups, headGroups) : (head, headGroups, baseGroups)
            let src = endpoint(from, e, own, other), dst = endpoint(to, e, own, other)
            if selecting[side]![from] == nil { selecting[side]![from] = e.semantics.subjects(selecting: src) }
            if selecting[side]![to] == nil { selecting[side]![to] = e.semantics.subjects(selecting: dst) }
            let egress = e.semantics.evaluate(.egress, at: src, peer: dst, ports: ports, selecting: selecting[side]![from])
            let ingress = e.semantics.evaluate(.ingress, at: dst, peer: src, ports: ports, selecting: selecting[side]![to])
            return ports.indices.map { Verdict(source: src, destination: dst, port: ports[$0], egress: egress[$0], ingress: ingress[$0]) }
        }
        func namespace(_ name: String) -> String {
            (headGroups[name] ?? baseGroups[name])?.namespace ?? ""
        }

        // Classes: names whose pods every policy of both revisions treats alike (the same subjects select them, the
        // same rules name them as peers, in each revision). One verdict per pair of classes.
        struct ClassKey: Hashable { var namespace: String; var signature: [Int] }
        let rules = [base, head].map { e in e.semantics.subjects.flatMap(\.rules) }
        var subjectIndex: [[ObjectIdentifier: Int]] = [[:], [:]]
        for (side, e) in [base, head].enumerated() {
            for (i, s) in e.semantics.subjects.enumerated() { subjectIndex[side][ObjectIdentifier(s)] = i }
        }
        var classOf: [ClassKey: Int] = [:]
        var members: [[String]] = []
        var classIndex: [String: Int] = [:]
        // Worth it only when many pairs are affected: a narrow change asks few questions anyway.
        let useClasses = affected.count * names.count > 4_000
        for (n, name) in names.enumerated() {
            var sig: [Int] = []
            if !useClasses {
                sig = [-4, n]
            } else if fixed[name] != nil && baseGroups[name] == nil && headGroups[name] == nil {
                sig = [-3, fixedNames.firstIndex(of: name)!]
            } else {
                for (side, e) in [base, head].enumerated() {
                    let (own, other) = side == 0 ? (baseGroups, headGroups) : (headGroups, baseGroups)
                    let ep = endpoint(name, e, own, other)
                    if selecting[side]![name] == nil { selecting[side]![name] = e.semantics.subjects(selecting: ep) }
                    for (s, m) in selecting[side]![name]! { sig.append(2 * (subjectIndex[side][ObjectIdentifier(s)] ?? 0) + (m == .yes ? 1 : 0)) }
                    sig.append(-1)
                    for (ri, r) in rules[side].enumerated() {
                        let m = r.matchesPeer(ep)
                        if m != .no { sig.append(2 * ri + (m == .yes ? 1 : 0)) }
                    }
                    sig.append(-2)
                }
            }
            let key = ClassKey(namespace: namespace(name), signature: sig)
            if let c = classOf[key] {
                members[c].append(name)
            } else {
                classOf[key] = members.count
                members.append([name])
            }
            classIndex[name] = classOf[key]!
        }
        var groupsInNamespace: [String: Int] = [:]
        func isFixed(_ name: String) -> Bool { fixed[name] != nil && baseGroups[name] == nil && headGroups[name] == nil }
        for name in names where !isFixed(name) { groupsInNamespace[namespace(name), default: 0] += 1 }
        func label(_ c: Int) -> String {
            let m = members[c]
            if m.count == 1 { return m[0] }
            let ns = namespace(m[0])
            if m.count == groupsInNamespace[ns] { return "\(ns)/*" }
            return m.prefix(3).joined(separator: ", ") + (m.count > 3 ? " and \(m.count - 3) more" : "")
        }
        let affectedClasses = Set(affected.compactMap { classIndex[$0] } + (reservedChanged ? entities.compactMap { classIndex[$0] } : []))
        var pairs: [(Int, Int)] = []
        var seen = Set<Int>()
        for a in affectedClasses.sorted() {
            for c in members.indices {
                // Pods of one group talk to each other too (replicas); endpoints that are not pods do not.
                if c == a && isFixed(members[a][0]) { continue }
                for (f, t) in [(a, c), (c, a)] {
                    if isFixed(members[f][0]) && isFixed(members[t][0]) { continue }
                    if seen.insert(f * members.count + t).inserted { pairs.append((f, t)) }
                }
            }
        }
        if pairs.count > pairBudget {
            report.truncated = true
            report.notes.append("\(pairs.count) pairs of pod groups are affected; the first \(pairBudget) are checked")
            pairs = Array(pairs.prefix(pairBudget))
        }
        report.pairsChecked = pairs.count
        for (fc, tc) in pairs {
            let f = members[fc][0], t = members[tc][0]
            let before = verdicts(0, f, t), after = verdicts(1, f, t)
            for i in ports.indices where before[i].result != after[i].result {
                let b = base.check(before[i]), a = head.check(after[i])
                report.changes.append(ConnectivityChange(
                    from: label(fc), to: label(tc), fromNamespace: namespace(f), toNamespace: namespace(t), port: ports[i].description,
                    before: b.verdict, after: a.verdict, beforeRules: b.decidedBy, afterRules: a.decidedBy,
                    beforeReason: b.reason, afterReason: a.reason))
            }
        }
        // "Some port" questions stand for the ports no policy names: where a numbered port of the same pair and
        // protocol changed, that is the news, not the "some port" consequence of it.
        let numbered = Set(report.changes.filter { !$0.port.hasPrefix("any ") }.map { "\($0.from)\u{0}\($0.to)\u{0}\($0.port.split(separator: "/").last ?? "")" })
        report.changes.removeAll { c in
            guard c.port.hasPrefix("any "), let proto = c.port.split(separator: " ").dropFirst().first else { return false }
            return numbered.contains("\(c.from)\u{0}\(c.to)\u{0}\(proto)")
        }
        func portKey(_ p: String) -> (Int, String) { (Int(p.split(separator: "/").first ?? "") ?? 70_000, p) }
        report.changes.sort { a, b in
            let pa = DiffPresentation.pair(a), pb = DiffPresentation.pair(b)
            if pa != pb { return pa < pb }
            if (a.from, a.to) != (b.from, b.to) { return (a.from, a.to) < (b.from, b.to) }
            return portKey(a.port) < portKey(b.port)
        }
        report.counts = (report.changes.filter { $0.after == .allowed }.count, report.changes.filter { $0.after == .denied }.count,
                         report.changes.filter { $0.after == .conditional }.count)
        if report.changes.count > changeLimit {
            report.notes.append("\(report.changes.count) flows change; the first \(changeLimit) are listed (the counts cover them all)")
            report.changes = Array(report.changes.prefix(changeLimit))
        }
        return report
    }

    /// Policies and Namespaces (compared as the drift comparison compares them: positions, quoting and API
    /// defaults aside) and workloads (pod labels, host network) added, removed, changed or moved.
    static func objectChanges(base: LintContext, baseRoot: String, head: LintContext, headRoot: String,
                              notes: inout [String], leftOut: inout (base: [Int], head: [Int]),
                              objectKeys: inout [[Int: String]]) -> [ObjectChange] {
        var readNotes: [String] = []
        let b = LiveDrift.readRepository(base, limits: YAMLLimits(), notes: &readNotes, root: baseRoot, leftOut: &leftOut.base, keepUnresolved: true)
        let h = LiveDrift.readRepository(head, limits: YAMLLimits(), notes: &readNotes, root: headRoot, leftOut: &leftOut.head, keepUnresolved: true)
        if !leftOut.base.isEmpty || !leftOut.head.isEmpty {
            notes.append("\(leftOut.base.count + leftOut.head.count) object(s) cannot be re-read: they are not listed as objects, and every flow their policies decide is compared")
        }
        // The objects behind each key, per revision: the subjects of changed ones are what the change can affect.
        for (side, items) in [b, h].enumerated() {
            for item in items { if let o = item.object { objectKeys[side][o] = "\(item.key.kind)\u{0}\(item.key.namespace ?? "")\u{0}\(item.key.name)" } }
        }
        // Every copy of an object (two files may declare the same one): compared in order.
        var baseByKey: [LiveDrift.Key: [LiveDrift.Item]] = [:], headByKey: [LiveDrift.Key: [LiveDrift.Item]] = [:]
        for i in b { baseByKey[i.key, default: []].append(i) }
        for i in h { headByKey[i.key, default: []].append(i) }
        var out: [ObjectChange] = []
        for (key, items) in headByKey {
            let item = items[0]
            guard let olds = baseByKey[key] else {
                out.append(ObjectChange(change: "added", kind: key.kind, namespace: key.namespace, name: key.name, fields: [],
                                        basePath: nil, baseLine: nil, headPath: item.path, headLine: item.line))
                continue
            }
            var old = olds[0]
            var fields: [FieldDifference] = []
            var more = 0
            for (x, y) in zip(olds, items) {
                LiveDrift.diff(x.tree, y.tree, path: "", into: &fields, more: &more)
                if !fields.isEmpty { old = x; break }
            }
            if fields.isEmpty && olds.count != items.count {
                fields.append(FieldDifference(path: "(copies)", git: "\(olds.count) declarations", live: "\(items.count) declarations"))
            }
            // FieldDifference says git/live; here they are base/head.
            if !fields.isEmpty {
                out.append(ObjectChange(change: "changed", kind: key.kind, namespace: key.namespace, name: key.name, fields: fields,
                                        basePath: old.path, baseLine: old.line, headPath: item.path, headLine: item.line))
            } else if old.path != item.path {
                out.append(ObjectChange(change: "moved", kind: key.kind, namespace: key.namespace, name: key.name, fields: [],
                                        basePath: old.path, baseLine: old.line, headPath: item.path, headLine: item.line))
            }
        }
        for (key, items) in baseByKey where headByKey[key] == nil {
            let item = items[0]
            out.append(ObjectChange(change: "removed", kind: key.kind, namespace: key.namespace, name: key.name, fields: [],
                                    basePath: item.path, baseLine: item.line, headPath: nil, headLine: nil))
        }
        // Workloads: what policies see of them.
        func workloads(_ c: LintContext) -> [String: (w: Inventory.Workload, path: String, line: Int)] {
            var out: [String: (w: Inventory.Workload, path: String, line: Int)] = [:]
            for w in c.inventory.workloads {
                let o = c.objects[w.object]
                out["\(o.kind.rawValue)\u{0}\(w.namespace)\u{0}\(w.name)"] = (w, c.path(of: o.anchor), Int(o.anchor.line))
            }
            return out
        }
        let bw = workloads(base), hw = workloads(head)
        func show(_ labels: [String: String]) -> String {
            "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
        for (key, x) in hw {
            let kind = String(key.split(separator: "\u{0}")[0])
            guard let y = bw[key] else {
                out.append(ObjectChange(change: "added", kind: kind, namespace: x.w.namespace, name: x.w.name, fields: [],
                                        basePath: nil, baseLine: nil, headPath: x.path, headLine: x.line))
                continue
            }
            var fields: [FieldDifference] = []
            if x.w.podLabels != y.w.podLabels {
                fields.append(FieldDifference(path: "spec.template.metadata.labels", git: show(y.w.podLabels), live: show(x.w.podLabels)))
            }
            if x.w.hostNetwork != y.w.hostNetwork {
                fields.append(FieldDifference(path: "spec.template.spec.hostNetwork", git: "\(y.w.hostNetwork)", live: "\(x.w.hostNetwork)"))
            }
            if x.w.serviceAccount != y.w.serviceAccount {
                fields.append(FieldDifference(path: "spec.template.spec.serviceAccountName", git: y.w.serviceAccount, live: x.w.serviceAccount))
            }
            if !fields.isEmpty {
                out.append(ObjectChange(change: "changed", kind: kind, namespace: x.w.namespace, name: x.w.name, fields: fields,
                                        basePath: y.path, baseLine: y.line, headPath: x.path, headLine: x.line))
            }
        }
        for (key, y) in bw where hw[key] == nil {
            out.append(ObjectChange(change: "removed", kind: String(key.split(separator: "\u{0}")[0]), namespace: y.w.namespace,
                                    name: y.w.name, fields: [], basePath: y.path, baseLine: y.line, headPath: nil, headLine: nil))
        }
        let rank = ["added": 0, "removed": 1, "changed": 2, "moved": 3]
        out.sort { (rank[$0.change] ?? 9, $0.kind, $0.namespace ?? "", $0.name) < (rank[$1.change] ?? 9, $1.kind, $1.namespace ?? "", $1.name) }
        return out
    }
}
