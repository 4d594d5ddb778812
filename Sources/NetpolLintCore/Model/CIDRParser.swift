/// Parses IPv4 / IPv6 addresses and CIDRs without Foundation.
public enum CIDRParser {
    public static func parse(_ text: String) -> ParsedCIDR? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let addrText = String(parts[0])
        let v6 = addrText.contains(":")
        guard let addr = v6 ? parseIPv6(addrText) : parseIPv4(addrText) else { return nil }
        var prefix = v6 ? 128 : 32
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= prefix, !parts[1].hasPrefix("+") else { return nil }
            prefix = p
        }
        return ParsedCIDR(isIPv6: v6, prefixLength: prefix, address: addr, hadPrefix: parts.count == 2)
    }

    /// Whether `outer` contains every address of `inner` (same family assumed).
    public static func contains(_ outer: ParsedCIDR, _ inner: ParsedCIDR) -> Bool {
        guard outer.isIPv6 == inner.isIPv6, inner.prefixLength >= outer.prefixLength else { return false }
        var bits = outer.prefixLength
        var i = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if outer.address[i] & mask != inner.address[i] & mask { return false }
            bits -= 8
            i += 1
        }
        return true
    }

    /// `10.0.0.0/8`, `fd00::/8` (IPv6 groups without zero compression).
    public static func format(_ c: ParsedCIDR) -> String {
        if !c.isIPv6 { return c.address[0..<4].map { String($0) }.joined(separator: ".") + "/\(c.prefixLength)" }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(c.address[$0]) << 8 | UInt16(c.address[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "/\(c.prefixLength)"
    }

    static func parseIPv4(_ s: String) -> [UInt8]? {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var out = [UInt8](repeating: 0, count: 16)
        for (i, o) in octets.enumerated() {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(o), v <= 255 else { return nil }
            if o.count > 1 && o.hasPrefix("0") { return nil }  // Go's parser rejects leading zeros
            out[i] = UInt8(v)
        }
        return out
    }

    static func parseIPv6(_ s: String) -> [UInt8]? {
        var text = Substring(s)
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseIPv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = Array(v4[0..<4])
            text = text[...lastColon] + "0:0"
        }
        let halves = String(text).splitOn("::")
        guard halves.count <= 2 else { return nil }
        func groups(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            for g in h.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let rest = groups(halves[1]), head.count + rest.count < 8 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - rest.count) + rest
        }
        guard all.count == 8 else { return nil }
        var out = all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        if !tail.isEmpty { out.replaceSubrange(12..<16, with: tail) }
        return out
    }
}
