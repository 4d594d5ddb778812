/// The documented baseline an audit checks the repository against: a `NetworkBaseline`
/// (`netpol-lint.io/v1alpha1`) with platform namespaces, named components, quantified capabilities and the traffic
/// matrix (docs/audit.md describes every field).
public struct BaselineSpec: Sendable {
    /// A named group of pods: a namespace and a pod selector.
    public struct Component: Sendable {
        public var name: String
        public var namespace: String
        public var selector: Selector
        /// The selector as written, `app.kubernetes.io/name=checkout-web`.
        public var selectorText: String
        public var line: Int
    }

    /// Which namespaces a capability quantifies over.
    public enum NamespaceSet: Sendable, Hashable {
        case all, workload, platform
        case names([String])
    }

    /// One side of a capability or matrix row.
    public enum Side: Sendable {
        /// Pods of these namespaces, optionally only those a selector picks.
        case namespaces(NamespaceSet, podSelector: Selector?, selectorText: String?)
        case component(String)
        /// A Cilium entity: `host`, `kube-apiserver`, `world`, ...
        case entity(String)
        /// A matrix row's namespace cell that names an entity: the namespace of that name when the repository has
        /// one, else the entity.
        case namespaceOrEntity(String)
    }

    /// A port as the spec writes it; nil `number` and nil `name`: any port.
    public struct Port: Sendable, Hashable, CustomStringConvertible {
        public var number: Int?
        public var name: String?
        public var proto: String

        public init(number: Int?, name: String?, proto: String) {
            self.number = number
            self.name = name
            self.proto = proto
        }

        public var description: String {
            if let number { return "\(number)/\(proto)" }
            if let name { return "\(name)/\(proto)" }
            return "any \(proto) port"
        }
    }

    public struct Capability: Sendable {
        public var name: String
        public var description: String?
        public var from: Side
        public var to: Side
        public var ports: [Port]
        public var expect: AuditExpectation
        /// `otherwise: deny`: pods of `from`'s namespaces that its pod selector does not pick must be refused.
        public var otherwiseDeny: Bool
        public var line: Int
    }

    public struct Row: Sendable {
        public var name: String
        public var from: Side
        public var to: Side
        public var port: Port
        public var expect: AuditExpectation
        public var line: Int
        /// As written, for the report: `payments/checkout-web`, `dev/*`.
        public var fromText: String
        public var toText: String
        /// The file the row is written in: the spec, or the markdown document its table is read from.
        public var path: String
    }

    public var name: String
    public var path: String
    /// nil when the spec does not say (the convention's platform namespaces apply).
    public var platformNamespaces: [String]? = nil
    public var components: [String: Component] = [:]
    public var capabilities: [Capability] = []
    public var rows: [Row] = []

    /// Bounds on what a spec may hold, so a hostile spec cannot make the audit run for hours.
    public static let maxRows = 20_000
    public static let maxCapabilities = 2_000
    public static let maxComponents = 5_000
    public static let maxFileSize = 16 << 20

    /// Entities a spec may name (Cilium's reserved identities; `world` is any address outside the cluster).
    public static let entities = Semantics.traceEntities

    /// Reads and checks a spec file. Every problem is reported, not just the first; each is one line
    /// `path:line:col: error: message`.
    public static func load(path: String) -> Result<BaselineSpec, SpecErrors> {
        switch FileReader.readFile(path, limit: maxFileSize) {
        case .bytes(let bytes): return parse(bytes, path: path)
        case .tooLarge(let n):
            return .failure(SpecErrors([SpecError(path: path, line: 1, column: 1, message: "the spec is \(n) bytes; the limit is \(maxFileSize >> 20) MB")]))
        case .failed(let reason):
            return .failure(SpecErrors([SpecError(path: path, line: 1, column: 1, message: "cannot read the spec: \(reason)")]))
        }
    }

    public static func parse(_ bytes: [UInt8], path: String) -> Result<BaselineSpec, SpecErrors> {
        var parser = YAMLParser()
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        if let e = result.error {
            return .failure(SpecErrors([SpecError(path: path, line: e.line, column: e.column, message: e.message)]))
        }
        let documents = result.documents.filter { $0.root >= 0 && !$0.isNull($0.root) }
        guard documents.count == 1, let doc = documents.first else {
            return .failure(SpecErrors([SpecError(path: path, line: 1, column: 1, message: documents.isEmpty
                ? "the spec is empty; it must be one NetworkBaseline document (apiVersion: netpol-lint.io/v1alpha1)"
                : "the spec holds \(documents.count) documents; it must be exactly one NetworkBaseline")]))
        }
        var reader = SpecReader(doc: doc, path: path)
        let spec = reader.read()
        if reader.errors.isEmpty, let spec { return .success(spec) }
        return .failure(SpecErrors(reader.errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }))
    }
}

public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(path):\(line):\(column): error: \(message)" }
}

public struct SpecErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [SpecError]
    public init(_ errors: [SpecError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Walks the spec's YAML tree, collecting every error.
struct SpecReader {
    let doc: YAMLDocument
    let path: String
    var errors: [SpecError] = []

    init(doc: YAMLDocument, path: String) {
        self.doc = doc
        self.path = path
    }

    mutating func error(_ n: Int32, _ message: String) {
        let node = doc[n]
        errors.append(SpecError(path: path, line: Int(node.line), column: Int(node.column), message: message))
    }

    func line(_ n: Int32) -> Int { Int(doc[n].line) }

    /// The entries of a mapping by key; unknown keys and duplicate keys are errors.
    mutating func fields(_ n: Int32, _ what: String, known: [String], required: [String] = []) -> [String: (key: Int32, value: Int32)]? {
        guard doc.kind(n) == .mapping else {
            error(n, "\(what) must be a mapping")
            return nil
        }
        var out: [String: (key: Int32, value: Int32)] = [:]
        for (k, v) in doc.pairs(n) {
            guard doc.kind(k) == .scalar else {
                error(k, "keys in \(what) must be strings")
                continue
            }
            let key = doc.string(k)
            if out[key] != nil {
                error(k, "'\(key)' is given twice in \(what)")
                continue
            }
            guard known.contains(key) else {
                var message = "unknown field '\(key)' in \(what)"
                if let s = Suggest.closest(key, in: known) { message += "; did you mean '\(s)'?" } else {
                    message += " (known: \(known.joined(separator: ", ")))"
                }
                error(k, message)
                continue
            }
            out[key] = (k, v)
        }
        for r in required where out[r] == nil { error(n, "\(what) needs '\(r)'") }
        return out
    }

    mutating func string(_ n: Int32?, _ what: String) -> String? {
        guard let n else { return nil }
        guard doc.kind(n) == .scalar, !doc.isNull(n) else {
            error(n, "\(what) must be a string")
            return nil
        }
        return doc.string(n)
    }

    mutating func strings(_ n: Int32, _ what: String) -> [String]? {
        guard doc.kind(n) == .sequence else {
            error(n, "\(what) must be a list")
            return nil
        }
        var out: [String] = []
        for item in doc.items(n) {
            if let s = string(item, "each item of \(what)") { out.append(s) }
        }
        return out
    }

    mutating func read() -> BaselineSpec? {
        guard let top = fields(doc.root, "the spec", known: ["apiVersion", "kind", "metadata", "spec"],
                               required: ["apiVersion", "kind", "spec"]) else { return nil }
        if let v = top["apiVersion"]?.value, let s = string(v, "apiVersion"), s != "netpol-lint.io/v1alpha1" {
            error(v, "apiVersion '\(s)' is not supported; use netpol-lint.io/v1alpha1")
        }
        if let v = top["kind"]?.value, let s = string(v, "kind"), s != "NetworkBaseline" {
            var message = "kind '\(s)' is not a spec; use NetworkBaseline"
            if Suggest.closest(s, in: ["NetworkBaseline"], caseInsensitive: true) != nil { message += " (did you mean 'NetworkBaseline'?)" }
            error(v, message)
        }
        var name = "baseline"
        if let m = top["metadata"]?.value, let meta = fields(m, "metadata", known: ["name", "labels", "annotations"]) {
            if let n = meta["name"]?.value, let s = string(n, "metadata.name") { name = s }
        }
        var spec = BaselineSpec(name: name, path: path)
        guard let s = top["spec"]?.value,
              let body = fields(s, "spec", known: ["platformNamespaces", "components", "capabilities", "matrix"]) else { return nil }
        if let p = body["platformNamespaces"]?.value, let names = strings(p, "platformNamespaces") {
            for (item, n) in zip(doc.items(p), names) { checkNamespaceName(item, n) }
            spec.platformNamespaces = names
        }
        if let c = body["components"]?.value { spec.components = components(c) }
        if let c = body["capabilities"]?.value { spec.capabilities = capabilities(c, spec.components) }
        if let m = body["matrix"]?.value { spec.rows = matrix(m, spec.components) }
        if body["capabilities"] == nil && body["matrix"] == nil {
            error(s, "the spec documents nothing: give capabilities, a matrix, or both")
        }
        return spec
    }

    /// A namespace name is a DNS label (RFC 1123): lower-case letters, digits and '-', at most 63 characters.
    static func isNamespaceName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !name.hasPrefix("-") && !name.hasSuffix("-")
    }

    static let namespaceNameMessage = "is not a namespace name (lower-case letters, digits and '-', at most 63 characters)"

    mutating func checkNamespaceName(_ n: Int32, _ name: String) {
        if !Self.isNamespaceName(name) { error(n, "'\(name)' \(Self.namespaceNameMessage)") }
    }

    mutating func checkNamespaceName(_ c: Cell, _ name: String) {
        if !Self.isNamespaceName(name) { error(c, "'\(name)' \(Self.namespaceNameMessage)") }
    }

    mutating func components(_ n: Int32) -> [String: BaselineSpec.Component] {
        guard doc.kind(n) == .mapping else {
            error(n, "components must be a mapping of names to {namespace, podSelector}")
            return [:]
        }
        var out: [String: BaselineSpec.Component] = [:]
        var count = 0
        for (k, v) in doc.pairs(n) {
            count += 1
            if count > BaselineSpec.maxComponents {
                error(k, "more than \(BaselineSpec.maxComponents) components; the rest are ignored")
                break
            }
            guard let name = string(k, "a component name") else { continue }
            if out[name] != nil {
                error(k, "component '\(name)' is defined twice")
                continue
            }
            if name == "*" { error(k, "'*' means any pod of a namespace; it cannot be a component name"); continue }
            guard let f = fields(v, "component '\(name)'", known: ["namespace", "podSelector", "description"], required: ["namespace"]) else { continue }
            guard let nsNode = f["namespace"]?.value, let ns = string(nsNode, "the namespace of component '\(name)'") else { continue }
            checkNamespaceName(nsNode, ns)
            var selector = Selector([Requirement(.namespaceName, .in, [ns])])
            var text = ""
            if let ps = f["podSelector"]?.value, let parsed = podSelector(ps, "the podSelector of component '\(name)'") {
                selector.requirements += parsed.requirements
                text = parsed.text
            }
            out[name] = BaselineSpec.Component(name: name, namespace: ns, selector: selector, selectorText: text, line: line(k))
        }
        return out
    }

    /// `{matchLabels, matchExpressions}` as pod-label requirements (keys normalised as Cilium does: `k8s:` dropped).
    mutating func podSelector(_ n: Int32, _ what: String) -> (requirements: [Requirement], text: String)? {
        if doc.isNull(n) { return ([], "") }
        guard let f = fields(n, what, known: ["matchLabels", "matchExpressions"]) else { return nil }
        var reqs: [Requirement] = []
        var text: [String] = []
        if let ml = f["matchLabels"]?.value {
            if doc.kind(ml) != .mapping { error(ml, "matchLabels in \(what) must be a mapping") }
            for (k, v) in doc.pairs(ml) {
                guard let key = string(k, "a label key"), let value = string(v, "the value of label '\(doc.string(k))'") else { continue }
                reqs.append(Requirement(LabelKey.cilium(key), .in, [value]))
                text.append("\(key)=\(value)")
            }
        }
        if let me = f["matchExpressions"]?.value {
            if doc.kind(me) != .sequence { error(me, "matchExpressions in \(what) must be a list") }
            for item in doc.items(me) {
                guard let e = fields(item, "a matchExpression", known: ["key", "operator", "values"], required: ["key", "operator"]),
                      let key = e["key"].flatMap({ string($0.value, "key") }),
                      let opNode = e["operator"]?.value, let opText = string(opNode, "operator") else { continue }
                guard let op = SelectorOperator(rawValue: opText) else {
                    var message = "operator '\(opText)' is not In, NotIn, Exists or DoesNotExist"
                    if let s = Suggest.closest(opText, in: SelectorOperator.allCases.map(\.rawValue), caseInsensitive: true) { message += "; did you mean '\(s)'?" }
                    error(opNode, message)
                    continue
                }
                let values = e["values"].flatMap { strings($0.value, "values") } ?? []
                if (op == .in || op == .notIn) && values.isEmpty { error(item, "operator \(op.rawValue) needs values") }
                if (op == .exists || op == .doesNotExist) && !values.isEmpty { error(item, "operator \(op.rawValue) takes no values") }
                reqs.append(Requirement(LabelKey.cilium(key), op, Set(values)))
                text.append(op == .in || op == .notIn ? "\(key) \(op.rawValue) (\(values.joined(separator: ",")))" : "\(op == .exists ? "" : "!")\(key)")
            }
        }
        return (reqs, text.joined(separator: ","))
    }

    /// A value with where it was written: a YAML scalar of the spec, or a cell of a markdown table.
    struct Cell {
        var text: String
        var path: String
        var line: Int
        var column: Int
    }

    mutating func error(_ c: Cell, _ message: String) {
        errors.append(SpecError(path: c.path, line: c.line, column: c.column, message: message))
    }

    /// A scalar node as a cell (an error when it is not a scalar).
    mutating func cell(_ n: Int32?, _ what: String) -> Cell? {
        guard let n, let s = string(n, what) else { return nil }
        return Cell(text: s, path: path, line: Int(doc[n].line), column: Int(doc[n].column))
    }

    mutating func expectation(_ n: Int32?, _ what: String) -> AuditExpectation? {
        cell(n, "expect").flatMap { expectation($0, what) }
    }

    mutating func expectation(_ c: Cell, _ what: String) -> AuditExpectation? {
        guard let e = AuditExpectation(rawValue: c.text) else {
            var message = "expect '\(c.text)' in \(what) is not allow or deny"
            if let sug = Suggest.closest(c.text, in: ["allow", "deny"], caseInsensitive: true) { message += "; did you mean '\(sug)'?" }
            error(c, message)
            return nil
        }
        return e
    }

    mutating func port(number n: Int32, proto protoNode: Int32?, _ what: String) -> BaselineSpec.Port? {
        guard let number = cell(n, "port") else { return nil }
        if let protoNode, cell(protoNode, "protocol") == nil { return nil }
        return port(number, protoNode.flatMap { cell($0, "protocol") }, what)
    }

    mutating func port(_ n: Cell, _ protoCell: Cell?, _ what: String) -> BaselineSpec.Port? {
        var proto = "TCP"
        if let protoCell {
            let p = protoCell.text
            guard ["TCP", "UDP", "SCTP"].contains(p) else {
                var message = "protocol '\(p)' in \(what) is not TCP, UDP or SCTP"
                if ["TCP", "UDP", "SCTP"].contains(p.uppercased()) { message += "; write it in upper case ('\(p.uppercased())')" }
                error(protoCell, message)
                return nil
            }
            proto = p
        }
        let text = n.text
        if text == "*" || text == "any" { return BaselineSpec.Port(number: nil, name: nil, proto: proto) }
        if let v = Int(text) {
            guard (1...65535).contains(v) else {
                error(n, "port \(text) in \(what) is out of range (1-65535)")
                return nil
            }
            return BaselineSpec.Port(number: v, name: nil, proto: proto)
        }
        // A named container port, as policies accept them (the model's `PortName`).
        guard PortName.isValid(text) else {
            error(n, "port '\(text)' in \(what) is neither a number (1-65535) nor a port name")
            return nil
        }
        return BaselineSpec.Port(number: nil, name: text, proto: proto)
    }

    mutating func ports(_ n: Int32, _ what: String) -> [BaselineSpec.Port] {
        guard doc.kind(n) == .sequence else {
            error(n, "ports of \(what) must be a list of {port, protocol}")
            return []
        }
        var out: [BaselineSpec.Port] = []
        for item in doc.items(n) {
            guard let f = fields(item, "a port of \(what)", known: ["port", "protocol"]) else { continue }
            guard let p = f["port"]?.value else {
                // Only a protocol: any port of it.
                if let proto = f["protocol"]?.value, let parsed = port(number: proto, proto: proto, what) {
                    out.append(BaselineSpec.Port(number: nil, name: nil, proto: parsed.proto))
                } else {
                    error(item, "a port of \(what) needs 'port'")
                }
                continue
            }
            if let parsed = port(number: p, proto: f["protocol"]?.value, what) { out.append(parsed) }
        }
        return out
    }

    mutating func side(_ n: Int32, _ what: String, _ components: [String: BaselineSpec.Component]) -> BaselineSpec.Side? {
        guard let f = fields(n, what, known: ["namespaces", "component", "entity", "podSelector"]) else { return nil }
        let given = ["namespaces", "component", "entity"].filter { f[$0] != nil }
        guard given.count == 1 else {
            error(n, given.isEmpty ? "\(what) needs one of namespaces, component or entity" : "\(what) gives \(given.joined(separator: " and ")); give exactly one")
            return nil
        }
        if f["podSelector"] != nil && f["namespaces"] == nil {
            error(f["podSelector"]!.key, "podSelector in \(what) only narrows 'namespaces' (a component has its own)")
        }
        if let c = f["component"]?.value {
            guard let name = string(c, "component") else { return nil }
            guard components[name] != nil else {
                var message = "unknown component '\(name)' in \(what)"
                if let s = Suggest.closest(name, in: Array(components.keys)) { message += "; did you mean '\(s)'?" } else if components.isEmpty {
                    message += " (the spec defines no components)"
                }
                error(c, message)
                return nil
            }
            return .component(name)
        }
        if let e = f["entity"]?.value {
            guard let name = string(e, "entity") else { return nil }
            guard BaselineSpec.entities.contains(name) else {
                var message = "unknown entity '\(name)' in \(what) (known: \(BaselineSpec.entities.joined(separator: ", ")))"
                if let s = Suggest.closest(name, in: BaselineSpec.entities) { message += "; did you mean '\(s)'?" }
                error(e, message)
                return nil
            }
            return .entity(name)
        }
        guard let ns = f["namespaces"]?.value else { return nil }
        var set: BaselineSpec.NamespaceSet
        if doc.kind(ns) == .scalar {
            let word = doc.string(ns)
            switch word {
            case "all": set = .all
            case "workload": set = .workload
            case "platform": set = .platform
            default:
                var message = "namespaces: '\(word)' is not all, workload, platform or a list of namespace names"
                if let s = Suggest.closest(word, in: ["all", "workload", "platform"]) { message += "; did you mean '\(s)'?" } else {
                    message += " (write one namespace as [\(word)])"
                }
                error(ns, message)
                return nil
            }
        } else {
            guard let names = strings(ns, "namespaces") else { return nil }
            for (item, name) in zip(doc.items(ns), names) { checkNamespaceName(item, name) }
            if names.isEmpty { error(ns, "namespaces: [] names no namespace") }
            set = .names(names)
        }
        var selector: Selector?
        var text: String?
        if let ps = f["podSelector"]?.value, let parsed = podSelector(ps, "the podSelector of \(what)") {
            selector = Selector(parsed.requirements)
            text = parsed.text
        }
        return .namespaces(set, podSelector: selector, selectorText: text)
    }

    mutating func capabilities(_ n: Int32, _ components: [String: BaselineSpec.Component]) -> [BaselineSpec.Capability] {
        guard doc.kind(n) == .sequence else {
            error(n, "capabilities must be a list")
            return []
        }
        var out: [BaselineSpec.Capability] = []
        var names = Set<String>()
        for (i, item) in doc.items(n).enumerated() {
            if i >= BaselineSpec.maxCapabilities {
                error(item, "more than \(BaselineSpec.maxCapabilities) capabilities; the rest are ignored")
                break
            }
            guard let f = fields(item, "capability \(i + 1)", known: ["name", "description", "from", "to", "ports", "expect", "otherwise"],
                                 required: ["name", "from", "to", "expect"]) else { continue }
            let name = f["name"].flatMap { string($0.value, "name") } ?? "capability-\(i + 1)"
            let what = "capability '\(name)'"
            if let k = f["name"]?.value, !names.insert(name).inserted { error(k, "capability '\(name)' is defined twice") }
            let from = f["from"].flatMap { side($0.value, "from of \(what)", components) }
            let to = f["to"].flatMap { side($0.value, "to of \(what)", components) }
            let ports = f["ports"].map { self.ports($0.value, what) } ?? []
            let expect = expectation(f["expect"]?.value, what)
            var otherwise = false
            if let o = f["otherwise"]?.value, let s = string(o, "otherwise") {
                if s == "deny" {
                    otherwise = true
                    if expect == .deny { error(o, "otherwise: deny only makes sense with expect: allow") }
                    if case .namespaces(_, nil, _)? = from { error(o, "otherwise: deny needs a podSelector in 'from' (the pods outside it must be refused)") }
                } else {
                    error(o, "otherwise '\(s)' is not supported; the only value is deny")
                }
            }
            guard let from, let to, let expect else { continue }
            out.append(BaselineSpec.Capability(name: name, description: f["description"].flatMap { string($0.value, "description") },
                                               from: from, to: to, ports: ports, expect: expect, otherwiseDeny: otherwise, line: line(item)))
        }
        return out
    }

    static let columnNames = ["name", "srcNamespace", "srcComponent", "dstNamespace", "dstComponent", "port", "protocol", "expect"]

    mutating func matrix(_ n: Int32, _ components: [String: BaselineSpec.Component]) -> [BaselineSpec.Row] {
        guard let f = fields(n, "matrix", known: ["columns", "rows", "markdown", "names"]) else { return [] }
        if f["rows"] == nil && f["markdown"] == nil { error(n, "matrix needs 'rows', 'markdown', or both") }
        var columns = Self.columnNames
        if let c = f["columns"]?.value, let names = strings(c, "matrix.columns") {
            var ok = true
            for (item, name) in zip(doc.items(c), names) where !Self.columnNames.contains(name) {
                var message = "unknown matrix column '\(name)' (known: \(Self.columnNames.joined(separator: ", ")))"
                if let s = Suggest.closest(name, in: Self.columnNames, caseInsensitive: true) { message += "; did you mean '\(s)'?" }
                error(item, message)
                ok = false
            }
            for required in ["srcNamespace", "dstNamespace", "port", "expect"] where !names.contains(required) {
                error(c, "matrix.columns needs '\(required)'")
                ok = false
            }
            if Set(names).count != names.count { error(c, "matrix.columns names a column twice"); ok = false }
            guard ok else { return [] }
            columns = names
        }
        var tableRows: [(cells: [String: Cell], position: Cell)] = []
        if let r = f["rows"]?.value {
            if doc.kind(r) != .sequence {
                error(r, "matrix.rows must be a list of rows, each a list of \(columns.count) values (\(columns.joined(separator: ", ")))")
            }
            for (i, item) in doc.items(r).enumerated() {
                if i >= BaselineSpec.maxRows {
                    error(item, "more than \(BaselineSpec.maxRows) matrix rows; the rest are ignored")
                    break
                }
                let position = Cell(text: "", path: path, line: Int(doc[item].line), column: Int(doc[item].column))
                var cells: [String: Cell] = [:]
                if doc.kind(item) == .sequence {
                    let values = Array(doc.items(item))
                    guard values.count == columns.count else {
                        error(item, "row \(i + 1) has \(values.count) values; matrix.columns has \(columns.count) (\(columns.joined(separator: ", ")))")
                        continue
                    }
                    var ok = true
                    for (c, v) in zip(columns, values) {
                        if doc.isNull(v) { continue }
                        if let x = cell(v, "a matrix value") { cells[c] = x } else { ok = false }
                    }
                    guard ok else { continue }
                } else if let mapped = fields(item, "row \(i + 1)", known: Self.columnNames) {
                    var ok = true
                    for (k, v) in mapped where !doc.isNull(v.value) {
                        if let x = cell(v.value, "a matrix value") { cells[k] = x } else { ok = false }
                    }
                    guard ok else { continue }
                } else {
                    continue
                }
                tableRows.append((cells, position))
            }
        }
        if let m = f["markdown"]?.value {
            var names: [String: Cell] = [:]
            if let nm = f["names"]?.value {
                guard doc.kind(nm) == .mapping else {
                    error(nm, "matrix.names must map the table's words to namespaces or components")
                    return []
                }
                for (k, v) in doc.pairs(nm) {
                    guard let key = cell(k, "a name"), let value = cell(v, "what '\(doc.string(k))' stands for") else { continue }
                    names[MarkdownTable.normalise(key.text)] = value
                }
            }
            tableRows += markdownRows(m, names: names, components: components, already: tableRows.count)
        } else if let nm = f["names"]?.key {
            error(nm, "matrix.names only applies to a markdown table (matrix.markdown)")
        }
        var out: [BaselineSpec.Row] = []
        var rowNames = Set<String>()
        for (i, (cells, position)) in tableRows.enumerated() {
            let name = cells["name"]?.text ?? "row-\(i + 1)"
            if let k = cells["name"], !rowNames.insert(name).inserted { error(k, "matrix row '\(name)' is defined twice") }
            let what = "matrix row '\(name)'"
            let from = rowSide(cells["srcNamespace"], cells["srcComponent"], what, components, position)
            let to = rowSide(cells["dstNamespace"], cells["dstComponent"], what, components, position)
            guard let portCell = cells["port"] else { error(position, "\(what) has no port"); continue }
            let port = self.port(portCell, cells["protocol"], what)
            guard let expectCell = cells["expect"] else { error(position, "\(what) has no expect (allow or deny)"); continue }
            let expect = expectation(expectCell, what)
            guard let from, let to, let port, let expect else { continue }
            out.append(BaselineSpec.Row(name: name, from: from.side, to: to.side, port: port, expect: expect, line: position.line,
                                        fromText: from.text, toText: to.text, path: position.path))
        }
        return out
    }

    /// A row's namespace and component cells: a component name (whose namespace must match), `*` for any pod of the
    /// namespace, or an entity in the namespace cell.
    mutating func rowSide(_ nsCell: Cell?, _ componentCell: Cell?, _ what: String,
                          _ components: [String: BaselineSpec.Component], _ row: Cell) -> (side: BaselineSpec.Side, text: String)? {
        guard let nsCell else {
            error(row, "\(what) has no namespace")
            return nil
        }
        let ns = nsCell.text
        let component = componentCell?.text ?? "*"
        if component == "*" || component.isEmpty {
            if BaselineSpec.entities.contains(ns) { return (.namespaceOrEntity(ns), ns) }
            if ns == "*" || ns == "all" { return (.namespaces(.all, podSelector: nil, selectorText: nil), "*") }
            checkNamespaceName(nsCell, ns)
            return (.namespaces(.names([ns]), podSelector: nil, selectorText: nil), "\(ns)/*")
        }
        guard let c = components[component] else {
            var message = "unknown component '\(component)' in \(what)"
            if let s = Suggest.closest(component, in: Array(components.keys)) { message += "; did you mean '\(s)'?" }
            else if components.isEmpty { message += " (the spec defines no components; use \"*\" for any pod of the namespace)" }
            error(componentCell ?? row, message)
            return nil
        }
        if c.namespace != ns {
            error(nsCell, "\(what): component '\(component)' is in namespace '\(c.namespace)', not '\(ns)'")
            return nil
        }
        return (.component(component), "\(ns)/\(component)")
    }
}
