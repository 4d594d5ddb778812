#if canImport(Glibc)
import Glibc
#endif

/// Comment directives in a file:
/// `# netpol-lint: disable-next-line NP205[,NP204] -- reason` (the line below), `… disable-line NP205 -- reason`
/// (the line it ends, as ruff's and ESLint's same-line forms) and `# netpol-lint: disable-file [NP205 ...] -- reason`.
/// With no rule named, every rule is disabled.
public struct Directives: Sendable, Hashable {
    public static let commands = ["disable-next-line", "disable-line", "disable-file"]

    public struct Entry: Sendable, Hashable {
        public var command: String
        /// Rule ids or names as written (empty: every rule).
        public var rules: [String]
        public var reason: String?
        /// Where the comment's `#` is.
        public var line: Int
        public var column: Int
        /// Where each named rule is written (same order as `rules`).
        public var ruleColumns: [Int] = []
    }

    /// A directive that could not be understood: an unknown command (`disable-nextline`) or none.
    public struct Malformed: Sendable, Hashable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    public var file: [Entry] = []
    /// Keyed by the line the directive applies to (the one after the comment).
    public var nextLine: [Int: [Entry]] = [:]
    /// Keyed by the line the directive is on.
    public var sameLine: [Int: [Entry]] = [:]
    public var malformed: [Malformed] = []

    public init() {}

    public static func == (a: Directives, b: Directives) -> Bool {
        a.file == b.file && a.nextLine == b.nextLine && a.sameLine == b.sameLine && a.malformed == b.malformed
    }
    public func hash(into h: inout Hasher) { h.combine(file) }

    /// No directive at all, understood or not (nearly every file): asked before anything is built.
    public var isEmpty: Bool { file.isEmpty && nextLine.isEmpty && sameLine.isEmpty && malformed.isEmpty }

    /// Every understood directive, in line order.
    public var entries: [Entry] {
        (file + nextLine.values.flatMap { $0 } + sameLine.values.flatMap { $0 }).sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// Scans raw bytes; cheap when the marker does not occur.
    public static func scan(_ bytes: UnsafeRawBufferPointer) -> Directives {
        var d = Directives()
        let marker = Array("netpol-lint:".utf8)
        guard bytes.count >= marker.count, let base = bytes.baseAddress else { return d }
        // A directive is a comment: '#', spaces, then the marker. '#' is rare in YAML, so it is what is searched for
        // (memchr); the marker is compared after it.
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, Int32(UInt8(ascii: "#")), bytes.count - from) {
            let j = base.distance(to: UnsafeRawPointer(hit))
            from = j + 1
            var i = j + 1
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            guard i + marker.count <= bytes.count, memcmp(base + i, marker, marker.count) == 0 else { continue }
            from = i + marker.count
            let position = YAMLParser.position(ofOffset: i, in: bytes)
            var k = i + marker.count
            var text: [UInt8] = []
            while k < bytes.count, bytes[k] != 0x0A, bytes[k] != 0x0D { text.append(bytes[k]); k += 1 }
            // Columns count code points, as spans do.
            let hashColumn = position.column - (i - j)  // '#' and spaces: one byte each
            d.add(String(decoding: text, as: UTF8.self), line: position.line, column: hashColumn,
                  textColumn: position.column + marker.count)
        }
        return d
    }

    mutating func add(_ text: String, line: Int, column: Int, textColumn: Int) {
        var body = Substring(text)
        var reason: String?
        if let r = body.range(of: "--") {
            let rest = body[r.upperBound...].trimmingSpaces()
            reason = rest.isEmpty ? nil : String(rest)
            body = body[..<r.lowerBound]
        }
        // Words with the column each starts at.
        var words: [(String, Int)] = []
        var current = "", start = 0, col = textColumn
        for ch in body.unicodeScalars {
            if ch == " " || ch == "," || ch == "\t" {
                if !current.isEmpty { words.append((current, start)); current = "" }
            } else {
                if current.isEmpty { start = col }
                current.unicodeScalars.append(ch)
            }
            col += 1
        }
        if !current.isEmpty { words.append((current, start)) }
        guard let (command, commandColumn) = words.first else {
            malformed.append(Malformed(line: line, column: column, message: "empty netpol-lint directive (use \(Self.commands.joined(separator: ", ")))"))
            return
        }
        let entry = Entry(command: command, rules: words.dropFirst().map(\.0), reason: reason, line: line, column: column,
                          ruleColumns: words.dropFirst().map(\.1))
        switch command {
        case "disable-next-line": nextLine[line + 1, default: []].append(entry)
        case "disable-line": sameLine[line, default: []].append(entry)
        case "disable-file": file.append(entry)
        default:
            let meant = Suggest.closest(command, in: Self.commands, caseInsensitive: true)
            malformed.append(Malformed(line: line, column: commandColumn,
                message: "unknown netpol-lint directive '\(command)' suppresses nothing; "
                    + (meant.map { "did you mean '\($0)'?" } ?? "use \(Self.commands.joined(separator: ", "))")))
        }
    }

    /// Whether an entry covers a rule (by id or name).
    public static func covers(_ e: Entry, id: String, name: String) -> Bool {
        e.rules.isEmpty || e.rules.contains { $0.uppercased() == id || $0 == name }
    }

    /// The directive that disables a finding of `rule` (id and name) at `line`, if any, other than `excluding`.
    public func suppressor(id: String, name: String, line: Int, excluding: Entry? = nil) -> Entry? {
        func hit(_ e: Entry) -> Bool { e != excluding && Self.covers(e, id: id, name: name) }
        if let e = sameLine[line]?.first(where: hit) { return e }
        if let e = nextLine[line]?.first(where: hit) { return e }
        return file.first(where: hit)
    }

    /// Whether a finding of `rule` (id and name) at `line` is disabled.
    public func suppresses(id: String, name: String, line: Int) -> Bool { suppressor(id: id, name: name, line: line) != nil }
}

/// Annotation suppression (kube-linter style): `ignore-check.netpol-lint.io/<id-or-name>: "reason"` and
/// `netpol-lint.io/ignore-all: "reason"`.
public enum AnnotationSuppression {
    public static let prefix = "ignore-check.netpol-lint.io/"
    public static let ignoreAll = "netpol-lint.io/ignore-all"

    /// The suppression annotations of an object, with the rule each names (nil: every rule).
    public static func entries(_ object: KubeObject) -> [(annotation: KeyValue, rule: String?)] {
        entries(annotations: object.meta.annotations)
    }

    /// The same, from an object's annotations: a caller going over every object passes `objects[i].meta.annotations`
    /// and so copies no object (which would retain all it holds).
    public static func entries(annotations: [KeyValue]) -> [(annotation: KeyValue, rule: String?)] {
        // Asked of every object, nearly none of which has one: the keys are read in place, as bytes.
        var out: [(annotation: KeyValue, rule: String?)] = []
        for i in annotations.indices {
            let k = annotations[i].key.value.utf8
            if k.starts(with: prefixBytes) {
                out.append((annotations[i], String(annotations[i].key.value.dropFirst(prefix.count))))
            } else if k.elementsEqual(ignoreAllBytes) {
                out.append((annotations[i], nil))
            }
        }
        return out
    }

    private static let prefixBytes = Array(prefix.utf8)
    private static let ignoreAllBytes = Array(ignoreAll.utf8)

    /// The annotation that suppresses a finding of `rule` on `object`, if any, other than the one keyed `excluding`.
    public static func suppressor(_ object: KubeObject, id: String, name: String, excluding: String? = nil) -> KeyValue? {
        entries(object).first { e in
            e.annotation.key.value != excluding && (e.rule == nil || e.rule!.uppercased() == id || e.rule! == name)
        }?.annotation
    }

    public static func suppresses(_ object: KubeObject, id: String, name: String) -> Bool {
        suppressor(object, id: id, name: name) != nil
    }
}

/// A suppression that hid nothing in a run: reported by the rule that adopts `SuppressionAuditing`.
public struct UnusedSuppression: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case directive(Directives.Entry)
        case annotation(key: String, value: String)
    }
    public var source: Source
    public var span: Span
    /// The object an annotation is on (so that it can itself be suppressed by annotation).
    public var object: Int?
}

/// A rule about the suppressions themselves (SwiftLint's `superfluous_disable_command`). Which suppression hid
/// which finding is known only to the engine, after every other rule ran, so the engine calls `check(unused:)` with
/// the suppressions that hid nothing; the plain `check(_:)` has nothing to look at before that.
public protocol SuppressionAuditing: Rule {
    func check(_ context: LintContext, unused: UnusedSuppression) -> Finding
}

extension SuppressionAuditing {
    public func check(_ context: LintContext) -> [Finding] { [] }
    public static var suppressionAuditor: (any SuppressionAuditing)? { Self() }
}
