/// The port a connection goes to: `5432/TCP`, or `nil` port for "some port" (a health probe or a metrics scrape
/// whose port the repository does not say).
public struct PortQuery: Sendable, Hashable, CustomStringConvertible {
    /// The port, or the first of a range; nil: some port, which one is not known.
    public var port: Int?
    /// The last port of a range (`port...endPort`): some port in it.
    public var endPort: Int?
    /// Upper case: TCP, UDP, SCTP or ICMP.
    public var proto: String

    public init(_ port: Int?, _ proto: String = "TCP", endPort: Int? = nil) {
        self.port = port
        self.endPort = endPort
        self.proto = proto.uppercased()
    }

    /// The ports asked about: one, a range, or all.
    public var range: ClosedRange<Int> {
        guard let port else { return 0...65535 }
        return port...max(port, endPort ?? port)
    }

    /// `53/UDP`, `5432` (TCP), `any/TCP` (some port).
    public static func parse(_ text: String) -> PortQuery? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let proto = parts.count == 2 ? String(parts[1]).uppercased() : "TCP"
        guard ["TCP", "UDP", "SCTP"].contains(proto) else { return nil }
        if parts[0] == "any" { return PortQuery(nil, proto) }
        guard let p = Int(parts[0]), (1...65535).contains(p) else { return nil }
        return PortQuery(p, proto)
    }

    public var description: String {
        guard let port else { return "any \(proto) port" }
        return (endPort.map { $0 > port ? "\(port)-\($0)" : "\(port)" } ?? "\(port)") + "/\(proto)"
    }
}

/// The ports of one rule item, ready to match: nil `entries` means every port of every protocol.
struct PortMatcher: Sendable {
    struct Entry: Sendable {
        var low: Int
        var high: Int
        let protocols: Set<String>
        /// Named port or `${var}`: which number it is depends on the pods.
        var unresolved: Bool
        /// The port name (lower-cased) of a named port; nil for numbers and `${var}`.
        var name: String? = nil
        /// Where the port is written.
        var span: Span? = nil
        /// `protocols` as bits (`protocolBit`), so that matching a query hashes no string; `otherProtocols` set when
        /// a protocol beyond TCP, UDP, SCTP and ICMP is there.
        let protocolBits: UInt8

        init(low: Int, high: Int, protocols: Set<String>, unresolved: Bool, name: String? = nil, span: Span? = nil) {
            self.low = low
            self.high = high
            self.protocols = protocols
            self.unresolved = unresolved
            self.name = name
            self.span = span
            var bits: UInt8 = 0
            for p in protocols { bits |= PortMatcher.protocolBit(p) ?? PortMatcher.otherProtocols }
            self.protocolBits = bits
        }

        /// `protocols.contains(proto)`; `bit` is `protocolBit(proto)`.
        @inline(__always)
        func has(_ proto: String, bit: UInt8?) -> Bool {
            if let bit { return protocolBits & bit != 0 }
            return protocolBits & PortMatcher.otherProtocols != 0 && protocols.contains(proto)
        }
    }

    static let otherProtocols: UInt8 = 0x80

    /// The bit of a common protocol in `Entry.protocolBits`; nil for any other text.
    @inline(__always)
    static func protocolBit(_ proto: String) -> UInt8? {
        switch proto {
        case "TCP": 1
        case "UDP": 2
        case "SCTP": 4
        case "ICMP": 8
        default: nil
        }
    }

    var entries: [Entry]?
    /// An `icmps`-only rule: ICMP, no TCP/UDP port.
    var icmpOnly = false

    static let any = PortMatcher(entries: nil)
    static let cilium: Set<String> = ["TCP", "UDP", "SCTP"]

    init(entries: [Entry]?, icmpOnly: Bool = false) {
        self.entries = entries
        self.icmpOnly = icmpOnly
    }

    /// `defaultProtocol` is Cilium's ANY or Kubernetes' TCP.
    init(_ ports: [PortProtocol], kubernetes: Bool) {
        var out: [Entry] = []
        for p in ports {
            var protocols: Set<String>
            switch p.proto?.value {
            case nil: protocols = kubernetes ? ["TCP"] : Self.cilium
            case "ANY"?: protocols = Self.cilium
            case let other?: protocols = [other]
            }
            let span = p.port?.span
            switch p.port?.value {
            case nil, .number(0)?: out.append(Entry(low: 0, high: 65535, protocols: protocols, unresolved: false, span: span))
            case .number(let n)?:
                let end = p.endPort.map { max($0.value, n) } ?? n
                out.append(Entry(low: n, high: end, protocols: protocols, unresolved: false, span: span))
            case .named(let name)?:
                out.append(Entry(low: 0, high: 65535, protocols: protocols, unresolved: true, name: name.lowercased(), span: span))
            case .substitution?:
                out.append(Entry(low: 0, high: 65535, protocols: protocols, unresolved: true, span: span))
            }
        }
        entries = out
    }

    /// Whether the entries admit the connection. A query for a range (or for "some port") is matched for sure only
    /// by an entry covering the whole range; an entry covering part of it matches *maybe* — for an allow, some of
    /// the ports pass; for a deny, some are refused, not all.
    ///
    /// A named port stands for the number the destination pod's containers give that name, for the protocol asked
    /// about (Kubernetes: "a numerical or named port on a pod",
    /// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/; Cilium resolves it
    /// per endpoint, https://github.com/cilium/cilium/pull/11092). With the destination's ports known, a name it does
    /// not declare matches nothing there; unknown ports leave the name a *maybe*.
    func matches(_ q: PortQuery, destination: Endpoint? = nil) -> Tri {
        if icmpOnly { return q.proto == "ICMP" ? .yes : .no }
        guard let entries else { return .yes }
        let asked = q.range
        let bit = Self.protocolBit(q.proto)
        // Entries read in place, field by field: no copy of each.
        return entries.withUnsafeBufferPointer { entries in
            var result = Tri.no
            for i in entries.indices {
                if let bit {
                    guard entries[i].protocolBits & bit != 0 else { continue }
                } else {
                    guard entries[i].protocolBits & Self.otherProtocols != 0, entries[i].protocols.contains(q.proto) else { continue }
                }
                if let name = entries[i].name, let declared = destination?.containerPorts {
                    // Resolved on this pod: the number(s) its containers give the name for this protocol.
                    for c in declared where c.name == name && c.proto == q.proto && asked.contains(c.port) {
                        if asked.lowerBound == asked.upperBound { return .yes }
                        result = .maybe
                    }
                    continue
                }
                let low = entries[i].low, high = entries[i].high
                guard low <= asked.upperBound && high >= asked.lowerBound else { continue }
                if !entries[i].unresolved && low <= asked.lowerBound && high >= asked.upperBound { return .yes }
                result = .maybe
            }
            return result
        }
    }

    /// Whether these ports hold `q` as "a similar layer 4 rule" would (Cilium merges rules per port and protocol):
    /// yes for an entry of exactly that port and protocol; maybe for a wider entry — every port, a range, a named
    /// port — whose merging with the exact port differs between Cilium versions; no otherwise.
    func holdsExactly(_ q: PortQuery) -> Tri {
        guard let port = q.port else { return .no }
        guard let entries else { return .maybe }
        var result = Tri.no
        let bit = Self.protocolBit(q.proto)
        for e in entries where e.has(q.proto, bit: bit) && e.low <= port && e.high >= port {
            if !e.unresolved && e.low == port && e.high == port { return .yes }
            result = .maybe
        }
        return result
    }

    /// Every connection `other` matches, `self` matches (used to decide that a deny covers an allow).
    func covers(_ other: PortMatcher) -> Bool {
        // ICMP types are not modelled: only a deny of everything covers an ICMP allow.
        if other.icmpOnly { return !icmpOnly && entries == nil }
        guard let mine = entries else { return true }
        guard let theirs = other.entries else { return false }
        return theirs.allSatisfy { t in
            !t.unresolved && t.protocols.allSatisfy { proto in
                mine.contains { m in !m.unresolved && m.protocols.contains(proto) && m.low <= t.low && m.high >= t.high }
            }
        }
    }

    var description: String {
        if icmpOnly { return "ICMP" }
        guard let entries else { return "any port" }
        return entries.map { e in
            let range = e.unresolved ? e.name.map { "'\($0)'" } ?? "named" : e.low == 0 && e.high == 65535 ? "all" : e.low == e.high ? "\(e.low)" : "\(e.low)-\(e.high)"
            return "\(range)/\(e.protocols == Self.cilium ? "ANY" : e.protocols.sorted().joined(separator: "+"))"
        }.joined(separator: ", ")
    }
}
