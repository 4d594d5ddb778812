/// A configuration problem: printed as `file:line: error: message`, exit code 2.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { "\(file):\(line): error: \(message)" }
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

    public init() {}

    /// Finds `.netpol-lint.yaml` upward from `start` and loads it; an empty configuration when there is none.
    public static func discover(from start: String) throws(ConfigurationError) -> Configuration {
        guard let dir = FilePath.findUpward(fileName, from: start) else { return Configuration() }
        return try load(path: FilePath.join(dir, fileName))
    }

    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let bytes = FileReader.read(path, limit: 1 << 20) else {
            throw ConfigurationError(file: path, line: 1, message: "cannot read the configuration file")
        }
        return try parse(bytes, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        try parse(Array(text.utf8), file: file)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> Configuration {
        var parser = YAMLParser()
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        if let e = result.error {
            throw ConfigurationError(file: file, line: e.line, message: "invalid YAML: \(e.message)")
        }
        var config = Configuration()
        config.file = file
        guard let doc = result.documents.first, doc.root >= 0, !doc.isNull(doc.root) else { return config }
        var r = ConfigReader(doc: doc, file: file)
        try r.read(into: &config)
        return config
    }
}

private struct ConfigReader {
    let doc: YAMLDocument
    let file: String

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

    mutating func read(into c: inout Configuration) throws(ConfigurationError) {
        guard doc.kind(doc.root) == .mapping else { throw fail(doc.root, "the configuration must be a mapping") }
        for (k, v) in doc.pairs(doc.root) {
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
                c.ciliumVersion = version
            case "allowedCIDRs":
                c.allowedCIDRs = try strings(v, "allowedCIDRs")
                for (i, cidr) in c.allowedCIDRs.enumerated() where CIDRParser.parse(cidr) == nil {
                    throw fail(Array(doc.items(v))[i], "allowedCIDRs: '\(cidr)' is not a valid CIDR")
                }
            case "publicPorts":
                guard doc.kind(v) == .sequence else { throw fail(v, "publicPorts must be a list of port numbers") }
                for i in doc.items(v) {
                    guard let p = Int(try scalar(i, "a public port")), (1...65535).contains(p) else {
                        throw fail(i, "publicPorts items must be port numbers 1-65535")
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
                }
            case "customRules":
                guard doc.kind(v) == .sequence else { throw fail(v, "customRules must be a list") }
                for item in doc.items(v) { c.customRules.append(try customRule(item)) }
            default:
                var message = "unknown key '\(key)'"
                if let s = Suggest.closest(key, in: Configuration.knownKeys) { message += "; did you mean '\(s)'?" }
                throw fail(k, message + " (known: \(Configuration.knownKeys.joined(separator: ", ")))")
            }
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
