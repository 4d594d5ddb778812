#if canImport(Glibc)
import Glibc
#endif

/// Comment directives in a file:
/// `# netpol-lint: disable-next-line NP205[,NP204] -- reason` and `# netpol-lint: disable-file [NP205 ...] -- reason`.
/// With no rule named, every rule is disabled.
public struct Directives: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var rules: [String]
        public var reason: String?
        public var line: Int
    }
    public var file: [Entry] = []
    /// Keyed by the line the directive applies to (the one after the comment).
    public var nextLine: [Int: [Entry]] = [:]
    public var malformed: [(line: Int, message: String)] = []

    public init() {}

    public static func == (a: Directives, b: Directives) -> Bool { a.file == b.file && a.nextLine == b.nextLine }
    public func hash(into h: inout Hasher) { h.combine(file) }

    /// Scans raw bytes; cheap when the marker does not occur.
    public static func scan(_ bytes: UnsafeRawBufferPointer) -> Directives {
        var d = Directives()
        let marker = Array("netpol-lint:".utf8)
        guard bytes.count >= marker.count else { return d }
        var from = 0
        while let i = ByteSearch.find(marker, in: bytes, from: from) {
            from = i + marker.count
            var lineStart = i
            while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            let line = YAMLParser.position(ofOffset: i, in: bytes).line
            do {
                // Must be a comment: '#' then spaces before the marker.
                var j = i - 1
                while j >= lineStart, bytes[j] == 0x20 || bytes[j] == 0x09 { j -= 1 }
                if j >= lineStart, bytes[j] == UInt8(ascii: "#") {
                    var k = i + marker.count
                    var text: [UInt8] = []
                    while k < bytes.count, bytes[k] != 0x0A, bytes[k] != 0x0D { text.append(bytes[k]); k += 1 }
                    d.add(String(decoding: text, as: UTF8.self), line: line)
                }
            }
        }
        return d
    }

    mutating func add(_ text: String, line: Int) {
        var body = Substring(text)
        var reason: String?
        if let r = body.range(of: "--") {
            let rest = body[r.upperBound...].trimmingSpaces()
            reason = rest.isEmpty ? nil : String(rest)
            body = body[..<r.lowerBound]
        }
        let words = body.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        guard let command = words.first else {
            malformed.append((line, "empty netpol-lint directive"))
            return
        }
        let entry = Entry(rules: Array(words.dropFirst()), reason: reason, line: line)
        switch command {
        case "disable-next-line": nextLine[line + 1, default: []].append(entry)
        case "disable-file": file.append(entry)
        default: malformed.append((line, "unknown netpol-lint directive '\(command)' (use disable-next-line or disable-file)"))
        }
    }

    /// Whether a finding of `rule` (id and name) at `line` is disabled.
    public func suppresses(id: String, name: String, line: Int) -> Bool {
        func hit(_ e: Entry) -> Bool { e.rules.isEmpty || e.rules.contains { $0.uppercased() == id || $0 == name } }
        return file.contains(where: hit) || (nextLine[line]?.contains(where: hit) ?? false)
    }
}

/// Annotation suppression (kube-linter style): `ignore-check.netpol-lint.io/<id-or-name>: "reason"` and
/// `netpol-lint.io/ignore-all: "reason"`.
public enum AnnotationSuppression {
    public static let prefix = "ignore-check.netpol-lint.io/"
    public static let ignoreAll = "netpol-lint.io/ignore-all"

    public static func suppresses(_ object: KubeObject, id: String, name: String) -> Bool {
        object.meta.annotations.contains { a in
            let k = a.key.value
            if k == ignoreAll { return true }
            guard k.hasPrefix(prefix) else { return false }
            let target = k.dropFirst(prefix.count)
            return target.uppercased() == id || target == name
        }
    }
}
