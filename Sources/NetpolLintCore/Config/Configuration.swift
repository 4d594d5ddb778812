/// A configuration problem: printed as `file:line: error: message` (`file: error: message` when the file cannot be
/// read at all), exit code 2. `more` holds the file's other problems, so that all are reported at once.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    /// Further problems found in the same run, in file and line order.
    public var more: [ConfigurationError] = []

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = OneLine.clean(message)
    }

    /// This problem and the others, one line each.
    public var all: [ConfigurationError] { [ConfigurationError(file: file, line: line, message: message)] + more }

    public var description: String {
        all.map { e in "\(e.file)\(e.line.map { ":\($0)" } ?? ""): error: \(e.message)" }.joined(separator: "\n")
    }

    /// One error holding every problem (sorted by file and line), or nil when there are none.
    public static func combining(_ problems: [ConfigurationError]) -> ConfigurationError? {
        let flat = problems.flatMap(\.all).sorted { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }
        guard var first = flat.first else { return nil }
        first.more = Array(flat.dropFirst())
        return first
    }
}

/// A size as written in `maxFileSize: 10MB` and `--max-file-size 10MB`: a number of bytes with an optional unit
/// `KB` or `MB` (binary: 1KB = 1024 bytes), from 1 byte to 1024MB. One parser for the file and the command line.
public enum ByteSize {
    public static let largest = 1024 * 1024 * 1024
    public static let defaultText = "10MB"

    public struct Problem: Error, Sendable { public var message: String }

    public static func parse(_ text: String) -> Result<Int, Problem> {
        var number = Substring(text).trimmingSpaces(), unit = 1
        if number.uppercased().hasSuffix("MB") { number = number.dropLast(2); unit = 1024 * 1024 }
        else if number.uppercased().hasSuffix("KB") { number = number.dropLast(2); unit = 1024 }
        else if number.uppercased().hasSuffix("B") { number = number.dropLast(1) }
        guard let n = Int(number.trimmingSpaces()), n >= 1 else {
            return .failure(Problem(message: "must be a size like 10MB, 512KB or a byte count (got '\(text)')"))
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes <= largest else {
            return .failure(Problem(message: "must be at most 1024MB (got '\(text)')"))
        }
        return .success(bytes)
    }

    /// `10MB`, `512KB` or `100 bytes`, as it would be written.
    public static func describe(_ bytes: Int) -> String {
        if bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024))MB" }
        if bytes % 1024 == 0 { return "\(bytes / 1024)KB" }
        return "\(bytes) bytes"
    }
}

/// A Cilium version as `major.minor`.
public struct CiliumVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public static let newestKnown = CiliumVersion(major: 1, minor: 19)
    /// The releases netpol-lint knows the behaviour of: 1.0 to the newest.
    public static func isKnown(_ v: CiliumVersion) -> Bool { v.major == 1 && v.minor >= 0 && v <= newestKnown }

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public init?(_ text: String) {
        var t = Substring(text)
        if t.hasPrefix("v") { t = t.dropFirst() }
        let parts = t.split(separator: ".")
        guard parts.count >= 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        self.init(major: a, minor: b)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }
}

public struct RuleSetting: Sendable, Hashable {
    /// nil keeps the default; `.some(nil)` is `off`.
    public var severity: Severity??
    public var line: Int
    /// The rule's parameters as written; checked against the rule's declared parameters by the engine.
    public var parameters: [String: ConfigValue] = [:]
}

/// A configuration value with the line it was written on.
public struct ConfigValue: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case scalar(String)
        case list([String])
        case map([String: String])
    }
    public var value: Value
    public var line: Int

    public var string: String? { if case .scalar(let s) = value { return s }; return nil }
    public var strings: [String]? {
        switch value {
        case .list(let l): l
        case .scalar(let s): [s]
        case .map: nil
        }
    }
    public var map: [String: String]? { if case .map(let m) = value { return m }; return nil }
    public var typeName: String {
        switch value {
        case .scalar: "a single value"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

public struct CustomRuleSpec: Sendable {
    public enum When: String, Sendable { case matches, doesNotMatch = "does-not-match" }
    public var id: String
    public var kind: ObjectKind
    /// Dotted field path; list indices are not written (`spec.egress.toFQDNs.matchName` names every item).
    public var path: String
    public var pattern: Regex
    public var when: When
    public var message: String
    public var severity: Severity
    public var line: Int
}

/// `.netpol-lint.yaml`. Every key is validated; unknown keys are errors with their line.
public struct Configuration: Sendable {
    public static let fileName = ".netpol-lint.yaml"
    /// The names the configuration file may have, in the order they are looked for.
    public static let fileNames = [".netpol-lint.yaml", ".netpol-lint.yml"]
    public static let knownKeys = ["preset", "platformNamespaces", "meshNamespaces", "ciliumVersion", "allowedCIDRs", "publicPorts",
                                   "rules", "exclude", "customRules", "maxFileSize"]

    public var file: String?
    public var preset: String?
    public var presetLine: Int?
    public var platformNamespaces: [String] = []
    /// Namespaces in the Istio ambient mesh besides those carrying the mesh label (NP209).
    public var meshNamespaces: [String] = []
    public var ciliumVersion: CiliumVersion = .newestKnown
    public var allowedCIDRs: [String] = []
    public var publicPorts: [Int] = []
    /// Keyed by rule id or name exactly as written; resolved by the engine.
    public var rules: [String: RuleSetting] = [:]
    public var exclude: [Glob] = []
    public var customRules: [CustomRuleSpec] = []
    /// Largest file read, in bytes (`maxFileSize: 10MB`; `--max-file-size` overrides).
    public var maxFileSize: Int = 10 * 1024 * 1024
    /// What is wrong with the file, in the order found (`read` collects them; `load` / `parse` throw them together).
    public var problems: [ConfigurationError] = []

    public init() {}

    /// Whether `path` names a configuration file (`.netpol-lint.yaml` or `.netpol-lint.yml`).
    public static func isConfigurationFile(_ path: String) -> Bool { fileNames.contains(FilePath.basename(path)) }

    /// The configuration file in the nearest folder upward from `start` holding one, or nil.
    public static func find(from start: String) -> String? {
        var found: String?
        var nearest: String?
        for name in fileNames {
            guard let dir = FilePath.findUpward(name, from: start) else { continue }
            // The nearest folder wins; within one folder `.yaml` is found first.
            if nearest == nil || (dir.count > nearest!.count) { (nearest, found) = (dir, FilePath.join(dir, name)) }
        }
        return found
    }

    /// Finds `.netpol-lint.yaml` (or `.yml`) upward from `start` and loads it; an empty configuration when there is
    /// none.
    public static func discover(from start: String) throws(ConfigurationError) -> Configuration {
        let c = read(discoveredFrom: start)
        if let e = ConfigurationError.combining(c.problems) { throw e }
        return c
    }

    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        let c = read(path: path)
        if let e = ConfigurationError.combining(c.problems) { throw e }
        return c
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        try parse(Array(text.utf8), file: file)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> Configuration {
        let c = read(bytes, file: file)
        if let e = ConfigurationError.combining(c.problems) { throw e }
        return c
    }

    /// The configuration found upward from `start` with its problems in `problems` (none found: empty). Both
    /// names in one folder is a problem: which one applies would be a guess.
    public static func read(discoveredFrom start: String) -> Configuration {
        guard let path = find(from: start) else { return Configuration() }
        var c = read(path: path)
        let folder = FilePath.dirname(path)
        let both = fileNames.map { FilePath.join(folder, $0) }
        if both.allSatisfy(FilePath.exists) {
            c.problems.append(ConfigurationError(file: both[1], line: nil,
                message: "both \(fileNames[0]) and \(fileNames[1]) are in this folder; \(fileNames[0]) is read, remove one"))
        }
        return c
    }

    /// The configuration in `path`, never throwing: what cannot be read or is wrong is in `problems`.
    public static func read(path: String) -> Configuration {
        switch FileReader.readFile(path, limit: 1 << 20) {
        case .bytes(let bytes): return read(bytes, file: path)
        case .tooLarge(let n):
            var c = Configuration()
            c.file = path
            c.problems = [ConfigurationError(file: path, line: nil, message: "cannot read the configuration file: it is \(ByteSize.describe(n)), over the 1MB a configuration may have")]
            return c
        case .failed(let reason):
            var c = Configuration()
            c.file = path
            c.problems = [ConfigurationError(file: path, line: nil, message: "cannot read the configuration file: \(reason)")]
            return c
        }
    }

    /// The configuration in `bytes`; every problem (an unknown key, a bad value, a duplicate key) is in `problems`.
    public static func read(_ bytes: [UInt8], file: String) -> Configuration {
        var config = Configuration()
        config.file = file
        var parser = YAMLParser()
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        if let e = result.error {
            config.problems = [ConfigurationError(file: file, line: e.line, message: "invalid YAML: \(e.message)")]
            return config
        }
        guard let doc = result.documents.first, doc.root >= 0, !doc.isNull(doc.root) else { return config }
        if result.documents.count > 1 {
            config.problems.append(ConfigurationError(file: file, line: Int(result.documents[1].root >= 0 ? result.documents[1][result.documents[1].root].line : 1),
                                                      message: "the configuration must be one YAML document; the documents after the first would be ignored"))
        }
        var r = ConfigReader(doc: doc, file: file)
        r.read(into: &config)
        config.problems += r.problems
        return config
    }
}

private struct ConfigReader {
    let doc: YAMLDocument
    let file: String
    var problems: [ConfigurationError] = []

    init(doc: YAMLDocument, file: String) {
        self.doc = doc
        self.file = file
    }

    func fail(_ n: Int32, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: Int(doc[n].line), message: message)
    }

    func scalar(_ n: Int32, _ what: String) throws(ConfigurationError) -> String {
        guard doc.kind(n) == .scalar, !doc.isNull(n) else { throw fail(n, "\(what) must be a string") }
        return doc.string(n)
    }

    func strings(_ n: Int32, _ what: String) throws(ConfigurationError) -> [String] {
        guard doc.kind(n) == .sequence else { throw fail(n, "\(what) must be a list of strings") }
        var out: [String] = []
        for i in doc.items(n) { out.append(try scalar(i, "each item of \(what)")) }
        return out
    }

    func severity(_ n: Int32, _ what: String) throws(ConfigurationError) -> Severity? {
        let s = try scalar(n, what)
        if s == "off" { return nil }
        guard let v = Severity(rawValue: s) else { throw fail(n, "\(what) must be error, warning, note or off (got '\(s)')") }
        return v
    }

    /// Reads every key, collecting each problem (one per key or list item) instead of stopping at the first.
    mutating func read(into c: inout Configuration) {
        // Duplicate keys are errors here as in manifests: which value wins differs between tools.
        for dup in doc.duplicateKeys {
            problems.append(fail(dup.duplicate, "duplicate key '\(doc.string(dup.duplicate))' (first at line \(doc[dup.first].line))"))
        }
        guard doc.kind(doc.root) == .mapping else { problems.append(fail(doc.root, "the configuration must be a mapping")); return }
        for (k, v) in doc.pairs(doc.root) {
            do throws(ConfigurationError) {
                try readKey(k, v, into: &c)
            } catch {
                problems.append(error)
            }
        }
    }

    mutating func readKey(_ k: Int32, _ v: Int32, into c: inout Configuration) throws(ConfigurationError) {
        let key = try scalar(k, "a key")
        switch key {
        case "preset":
            c.preset = try scalar(v, "preset")
            c.presetLine = Int(doc[k].line)
        case "platformNamespaces":
            c.platformNamespaces = try strings(v, "platformNamespaces")
        case "meshNamespaces":
            c.meshNamespaces = try strings(v, "meshNamespaces")
        case "ciliumVersion":
            let s = try scalar(v, "ciliumVersion")
            guard let version = CiliumVersion(s) else { throw fail(v, "ciliumVersion must look like 1.17 (got '\(s)')") }
            guard CiliumVersion.isKnown(version) else {
                throw fail(v, "ciliumVersion \(version) is not a Cilium release netpol-lint knows (1.0 to \(CiliumVersion.newestKnown)); "
                           + "for a newer cluster write \(CiliumVersion.newestKnown)")
            }
            c.ciliumVersion = version
        case "allowedCIDRs":
            c.allowedCIDRs = try strings(v, "allowedCIDRs")
            for (i, cidr) in c.allowedCIDRs.enumerated() where CIDRParser.parse(cidr) == nil {
                problems.append(fail(Array(doc.items(v))[i], "allowedCIDRs: '\(cidr)' is not a valid CIDR"))
            }
        case "publicPorts":
            guard doc.kind(v) == .sequence else { throw fail(v, "publicPorts must be a list of port numbers") }
            for i in doc.items(v) {
                let text = try scalar(i, "a public port")
                guard let p = Int(text), (1...65535).contains(p) else {
                    problems.append(fail(i, "publicPorts items must be port numbers 1-65535 (got '\(text)')"))
                    continue
                }
                c.publicPorts.append(p)
            }
        case "maxFileSize":
            let text = try scalar(v, "maxFileSize")
            switch ByteSize.parse(text) {
            case .success(let n): c.maxFileSize = n
            case .failure(let problem): throw fail(v, "maxFileSize \(problem.message)")
            }
        case "exclude":
            c.exclude = try strings(v, "exclude").map(Glob.init)
        case "rules":
            guard doc.kind(v) == .mapping else { throw fail(v, "rules must be a mapping of rule id or name to settings") }
            for (rk, rv) in doc.pairs(v) {
                do throws(ConfigurationError) {
                    let id = try scalar(rk, "a rule id")
                    var setting = RuleSetting(severity: nil, line: Int(doc[rk].line))
                    if doc.kind(rv) == .scalar {
                        setting.severity = .some(try severity(rv, "rules.\(id)"))
                    } else {
                        guard doc.kind(rv) == .mapping else { throw fail(rv, "rules.\(id) must be a severity or a mapping") }
                        for (sk, sv) in doc.pairs(rv) {
                            let skey = try scalar(sk, "a key")
                            if skey == "severity" {
                                setting.severity = .some(try severity(sv, "rules.\(id).severity"))
                            } else {
                                setting.parameters[skey] = try configValue(sv, "rules.\(id).\(skey)")
                            }
                        }
                    }
                    c.rules[id] = setting
                } catch {
                    problems.append(error)
                }
            }
        case "customRules":
            guard doc.kind(v) == .sequence else { throw fail(v, "customRules must be a list") }
            for item in doc.items(v) {
                do throws(ConfigurationError) { c.customRules.append(try customRule(item)) } catch { problems.append(error) }
            }
        default:
            var message = "unknown key '\(key)'"
            if let s = Suggest.closest(key, in: Configuration.knownKeys) { message += "; did you mean '\(s)'?" }
            throw fail(k, message + " (known: \(Configuration.knownKeys.joined(separator: ", ")))")
        }
        }

    func configValue(_ n: Int32, _ what: String) throws(ConfigurationError) -> ConfigValue {
        let line = Int(doc[n].line)
        switch doc.kind(n) {
        case .scalar: return ConfigValue(value: .scalar(try scalar(n, what)), line: line)
        case .sequence: return ConfigValue(value: .list(try strings(n, what)), line: line)
        case .mapping:
            var m: [String: String] = [:]
            for (k, v) in doc.pairs(n) { m[try scalar(k, "a key of \(what)")] = try scalar(v, "each value of \(what)") }
            return ConfigValue(value: .map(m), line: line)
        }
    }

    func customRule(_ n: Int32) throws(ConfigurationError) -> CustomRuleSpec {
        guard doc.kind(n) == .mapping else { throw fail(n, "each customRules item must be a mapping") }
        var values: [String: Int32] = [:]
        let known = ["id", "kind", "path", "pattern", "when", "message", "severity"]
        for (k, v) in doc.pairs(n) {
            let key = try scalar(k, "a key")
            guard known.contains(key) else { throw fail(k, "unknown key '\(key)' in a custom rule (known: \(known.joined(separator: ", ")))") }
            values[key] = v
        }
        for required in ["id", "kind", "path", "pattern", "message"] where values[required] == nil {
            throw fail(n, "a custom rule needs '\(required)'")
        }
        let patternNode = values["pattern"]!
        let patternText = try scalar(patternNode, "pattern")
        let regex: Regex
        do { regex = try Regex(patternText) } catch { throw fail(patternNode, "invalid PCRE2 pattern: \(error.message)") }
        let sev = try values["severity"].map { (v: Int32) throws(ConfigurationError) -> Severity in
            guard let s = try severity(v, "severity") else { throw fail(v, "a custom rule's severity cannot be off") }
            return s
        } ?? .warning
        let kindText = try scalar(values["kind"]!, "kind")
        guard let kind = ObjectKind(rawValue: kindText) else {
            throw fail(values["kind"]!, "unknown kind '\(kindText)' (known: \(ObjectKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let path = try scalar(values["path"]!, "path")
        guard !path.isEmpty, !path.contains("["), !path.hasPrefix("."), !path.hasSuffix("."), !path.contains("..") else {
            throw fail(values["path"]!, "path must be dotted field names without list indices, e.g. spec.egress.toFQDNs.matchName")
        }
        var when = CustomRuleSpec.When.matches
        if let w = values["when"] {
            let text = try scalar(w, "when")
            guard let v = CustomRuleSpec.When(rawValue: text) else { throw fail(w, "when must be 'matches' or 'does-not-match'") }
            when = v
        }
        return CustomRuleSpec(id: try scalar(values["id"]!, "id"), kind: kind, path: path, pattern: regex, when: when,
                              message: try scalar(values["message"]!, "message"), severity: sev, line: Int(doc[n].line))
    }
}
