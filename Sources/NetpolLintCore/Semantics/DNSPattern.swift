/// A Cilium DNS `matchPattern` / `matchName` as a matcher (pkg/fqdn/matchpattern: `*` alone matches every
/// name; otherwise `*` matches DNS characters within one label, `**.` one or more labels).
public struct DNSPattern: Sendable, Hashable {
    public let text: String
    public let matchesAll: Bool
    let regex: Regex?

    public init(_ pattern: String) {
        let p = DNSPattern.normalize(pattern)
        text = p
        matchesAll = p == "*" || p == "**"
        var re = "^"
        let chars = Array(p)
        var i = 0
        while i < chars.count {
            if chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                re += "([-a-z0-9_]+\\.)+"
                i += 2
                if i < chars.count && chars[i] == "." { i += 1 }
                continue
            }
            switch chars[i] {
            case "*": re += "[-a-z0-9_]*"
            case ".": re += "\\."
            default: re.append(chars[i])
            }
            i += 1
        }
        regex = try? Regex(re + "$")
    }

    static func normalize(_ s: String) -> String {
        var t = s.lowercased()
        while t.hasSuffix(".") && t.count > 1 { t.removeLast() }
        return t
    }

    /// Whether every name `name` denotes is covered. For a pattern, its wildcards are given the benefit of the
    /// doubt (replaced by a sample label), so an uncertain case never produces a finding.
    public func covers(_ name: String, isPattern: Bool) -> Bool {
        if matchesAll { return true }
        let n = DNSPattern.normalize(name)
        if n == text { return true }
        let sample = isPattern ? n.replacingAll("**", with: "x").replacingAll("*", with: "x") : n
        return regex?.matches(sample) ?? true
    }
}
