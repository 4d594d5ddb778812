/// The deny rules of a repository indexed by peer and port, to find the first one that covers an allow rule
/// (NP306) without comparing every allow with every deny.
///
/// A deny covers an allow when its subject selects every endpoint the allow's subject selects, it has the same
/// direction, and `CompiledRule.covers` holds: its ports include the allow's and its peers include every peer of
/// the allow. The index narrows the denies to compare to those that could include *one* peer (the allow's first)
/// and *one* port (the allow's first port entry and protocol); the full test then runs on those candidates only,
/// in the original order, so that the deny reported is the same one a comparison with every deny would find.
public struct DenyIndex: Sendable {
    public struct Entry: Sendable {
        public let subject: Subject
        public let rule: CompiledRule
    }

    public let entries: [Entry]

    /// Candidate sets are lists of indices into `entries`, each in increasing order.
    private struct Buckets: Sendable {
        var byKey: [Key: [Int]] = [:]
        mutating func add(_ i: Int, _ key: Key) { byKey[key, default: []].append(i) }
        func get(_ key: Key) -> [Int] { byKey[key] ?? [] }
    }

    /// What a deny is filed under.
    private enum Key: Hashable {
        // Peers.
        case anyPeer
        case entity(String)
        case cidr(isIPv6: Bool, prefix: Int, address: [UInt8])
        case reserved(String)
        case unconstrained
        case labelValue(LabelKey, String)
        case labelIn(LabelKey)
        case label(LabelKey)
        // Ports.
        case anyPort
        case port(String, Int)
        case range(String)
    }

    private var peers = Buckets()
    private var ports = Buckets()
    /// Whether deny subject `a` selects everything allow subject `b` selects, computed once per pair.
    private let subsumption = SubsumptionCache()

    public init<S: Sequence>(_ denies: S) where S.Element == (Subject, CompiledRule) {
        entries = denies.map { Entry(subject: $0.0, rule: $0.1) }
        // A selector peer is filed under its rarest requirement: the one fewest denies share narrows best.
        var frequency: [Key: Int] = [:]
        for e in entries {
            for p in e.rule.peers {
                if case .selector(let s, _) = p, s.reserved == nil {
                    for r in s.requirements {
                        for k in Self.filingKeys(r) { frequency[k, default: 0] += 1 }
                    }
                }
            }
        }
        for (i, e) in entries.enumerated() {
            let r = e.rule
            var peerKeys = Set<Key>()
            if r.anyPeer { peerKeys.insert(.anyPeer) }
            for p in r.peers {
                switch p {
                case .entity(let name, _):
                    peerKeys.insert(.entity(name))
                case .cidr(let c?, _, _):
                    peerKeys.insert(Self.cidrKey(c, prefix: c.prefixLength))
                case .selector(let s, _):
                    if let reserved = s.reserved {
                        peerKeys.insert(.reserved(reserved))
                    } else if s.requirements.isEmpty {
                        peerKeys.insert(.unconstrained)
                    } else {
                        peerKeys.formUnion(Self.filingKeys(Self.rarest(s.requirements, frequency: frequency)))
                    }
                default:
                    // `cidr` without a value, `ipBlock`, `fqdn`, unresolved peers cover nothing but themselves,
                    // which `Peer.covers` never claims.
                    break
                }
            }
            // Entries are filed in order, so every bucket is sorted.
            for k in peerKeys { peers.add(i, k) }
            var portKeys = Set<Key>()
            if r.ports.icmpOnly {
                // Covers only an ICMP allow, which only an every-port deny covers: filed nowhere.
            } else if let list = r.ports.entries {
                for m in list where !m.unresolved {
                    for proto in m.protocols {
                        portKeys.insert(m.low == m.high ? .port(proto, m.low) : .range(proto))
                    }
                }
            } else {
                portKeys.insert(.anyPort)
            }
            for k in portKeys { ports.add(i, k) }
        }
    }

    /// The first deny (in the order given) whose subject selects all of `subject`'s endpoints and whose rule covers
    /// `allow`, or nil.
    public func firstCovering(_ allow: CompiledRule, of subject: Subject) -> Entry? {
        // A rule that allows nothing has nothing to lose (`CompiledRule.covers` says the same).
        if !allow.anyPeer && allow.peers.isEmpty { return nil }
        let byPeer = peerCandidates(allow), byPort = portCandidates(allow)
        // Walk the smaller side in order; look each index up in the other side's sorted lists.
        let peerCount = byPeer.reduce(0) { $0 + $1.count }, portCount = byPort.reduce(0) { $0 + $1.count }
        let (walk, other) = peerCount <= portCount ? (byPeer, byPort) : (byPort, byPeer)
        for i in Self.merged(walk) where other.contains(where: { Self.contains($0, i) }) {
            let e = entries[i]
            guard e.rule.ref.direction == allow.ref.direction else { continue }
            guard subsumption.subsumes(e.subject, subject) else { continue }
            if e.rule.covers(allow) { return e }
        }
        return nil
    }

    /// The union of sorted lists, sorted.
    private static func merged(_ lists: [[Int]]) -> [Int] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        return Array(Set(nonEmpty.joined())).sorted()
    }

    /// Binary search in a sorted list.
    private static func contains(_ list: [Int], _ x: Int) -> Bool {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] == x
    }

    /// The denies whose peers could include the allow's first peer (every allow peer must be included), as sorted
    /// lists.
    private func peerCandidates(_ allow: CompiledRule) -> [[Int]] {
        var keys: [Key] = [.anyPeer, .entity("all")]
        if !allow.anyPeer, let first = allow.peers.first {
            switch first {
            case .entity(let name, _):
                keys.append(.entity(name))
                if name == "cluster" || Peer.clusterEntities.contains(name) { keys.append(.entity("cluster")) }
            case .cidr(let c?, _, _):
                keys.append(.entity("world"))
                for prefix in 0...c.prefixLength { keys.append(Self.cidrKey(c, prefix: prefix)) }
            case .fqdn:
                keys.append(.entity("world"))
            case .selector(let s, _):
                if let reserved = s.reserved {
                    keys.append(.reserved(reserved))
                    if Peer.clusterEntities.contains(reserved) { keys.append(.entity("cluster")) }
                } else {
                    keys.append(.entity("cluster"))
                    keys.append(.unconstrained)
                    for r in s.requirements {
                        keys.append(.label(r.key))
                        if r.op == .in {
                            // A deny's `key in (…)` is implied only by an allow's `key in (…)` with fewer values.
                            if let v = r.values.min() { keys.append(.labelValue(r.key, v)) } else { keys.append(.labelIn(r.key)) }
                        }
                    }
                }
            default:
                break
            }
        }
        return keys.map { peers.get($0) }
    }

    /// The denies whose ports could include the allow's first port entry (every entry must be included), as
    /// sorted lists.
    private func portCandidates(_ allow: CompiledRule) -> [[Int]] {
        var keys: [Key] = [.anyPort]
        if !allow.ports.icmpOnly, let list = allow.ports.entries {
            // No entry, or an entry without a protocol: any port list includes it.
            guard let first = list.first, let proto = first.protocols.min() else { return [Array(entries.indices)] }
            // An unresolved port (a name, a `${var}`) is covered only by a deny of every port.
            if first.unresolved { return [ports.get(.anyPort)] }
            keys.append(.range(proto))
            if first.low == first.high { keys.append(.port(proto, first.low)) }
        }
        return keys.map { ports.get($0) }
    }

    private static func cidrKey(_ c: ParsedCIDR, prefix: Int) -> Key {
        var address = [UInt8](repeating: 0, count: c.isIPv6 ? 16 : 4)
        var bits = prefix
        var i = 0
        while bits > 0, i < address.count, i < c.address.count {
            let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            address[i] = c.address[i] & mask
            bits -= 8
            i += 1
        }
        return .cidr(isIPv6: c.isIPv6, prefix: prefix, address: address)
    }

    /// The keys a deny selector's requirement files it under: `key in (v1, v2)` under each value (an allow
    /// selector it includes says `key in` a subset of them) and under `key in` itself (for an allow's empty `in`
    /// list); any other requirement under its key.
    private static func filingKeys(_ r: Requirement) -> [Key] {
        guard r.op == .in else { return [.label(r.key)] }
        return r.values.map { .labelValue(r.key, $0) } + [.labelIn(r.key)]
    }

    /// The requirement whose buckets hold the fewest denies (the first of equals).
    private static func rarest(_ requirements: [Requirement], frequency: [Key: Int]) -> Requirement {
        var best: (requirement: Requirement, cost: Int)?
        for r in requirements {
            // The `key in` bucket is only looked up by allows with an empty `in` list: it does not count.
            let keys = r.op == .in && !r.values.isEmpty ? r.values.map { Key.labelValue(r.key, $0) } : filingKeys(r)
            let cost = keys.reduce(0) { $0 + (frequency[$1] ?? 0) }
            if best == nil || cost < best!.cost { best = (r, cost) }
        }
        return best!.requirement
    }
}

/// Memoised `Selector.subsumes` between subjects (few subjects, many rules each).
final class SubsumptionCache: Sendable {
    private let known = Locked<[ObjectIdentifier: [ObjectIdentifier: Bool]]>([:])

    func subsumes(_ a: Subject, _ b: Subject) -> Bool {
        let ka = ObjectIdentifier(a), kb = ObjectIdentifier(b)
        if let v = known.withLock({ $0[ka]?[kb] }) { return v }
        let v = a.selector.subsumes(b.selector)
        known.withLock { $0[ka, default: [:]][kb] = v }
        return v
    }
}
