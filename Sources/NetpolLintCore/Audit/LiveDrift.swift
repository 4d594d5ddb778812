#if canImport(Glibc)
import Glibc
#endif

/// Why a live export cannot be read. Positions are 1-based; a file that cannot be read at all reports 1:1.
public struct LiveExportError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(path: String, line: Int, column: Int, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `cluster.yaml:12:3: error: …`.
    public var description: String { "\(path):\(line):\(column): error: \(message)" }
}

/// Git against a live cluster (docs/audit.md, "Live drift"): the repository's CNPs, CCNPs,
/// NetworkPolicies and Namespaces beside a `kubectl get cnp,ccnp,netpol,ns -A -o yaml` export.
///
/// Both sides are read with `YAMLParser` and reduced to the same canonical tree (`DriftValue`) before comparing:
///
/// - Kept: `metadata.name`, `metadata.namespace`, user `metadata.labels` and `metadata.annotations`, and `spec` /
///   `specs` (a Namespace keeps only its labels and annotations).
/// - Dropped: server fields (`uid`, `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`,
///   `ownerReferences`, `managedFields`), `status`, the Namespace's `spec.finalizers`, GitOps ownership marks
///   (annotations `kubectl.kubernetes.io/last-applied-configuration`, `argocd.argoproj.io/tracking-id`,
///   `argocd.argoproj.io/installation-id`; labels `app.kubernetes.io/instance` and every label whose prefix ends
///   in `fluxcd.io`, e.g. `kustomize.toolkit.fluxcd.io/name`, `helm.toolkit.fluxcd.io/namespace`) and the
///   Namespace label `kubernetes.io/metadata.name` that the API server sets.
/// - API defaulting, applied to both sides (it is idempotent): a NetworkPolicy without `policyTypes` gets
///   `[Ingress]`, plus `Egress` when `egress` has at least one rule (Kubernetes tests the length, so `egress: []`
///   adds nothing); a NetworkPolicy port without `protocol` gets `TCP`. Cilium's CRDs default nothing.
/// - Scalars compare by text (`"8080"` equals `8080`; plain `True`/`yes` equal `true`); lists compare by position.
/// - Null, `{}` and `[]` as the value of a key equal an absent key, at every level. Kubernetes' own types carry
///   `omitempty` on every optional list and map of a NetworkPolicy and of `metadata`, so the server cannot keep
///   the difference; for Cilium's CRDs the server stores what was applied, so both sides carry the same `{}`
///   (`endpointSelector: {}`) anyway, and Cilium's policy code tests lengths (`ingress: []` is no rule at all).
///   A list *item* is never dropped: `ingress: [{}]` (one rule that allows everything) differs from
///   `ingress: []`.
/// - In the repository, Flux `postBuild.substitute` values are applied to objects in a folder under the Flux
///   Kustomization's `path` (the deepest one): `${VAR}` becomes the value, `${VAR:=default}` / `${VAR:-default}`
///   the value or else the default. A value that still holds `${…}` (a variable set in the cluster, by
///   `substituteFrom`, or two Kustomizations that disagree) is a pattern: each `${…}` matches any text.
/// - A CNP or CCNP whose `status.conditions[type=Valid].status` is `"False"` was refused by cilium-operator:
///   it is reported as `rejected-by-cluster` with the operator's message and not compared.
public enum LiveDrift {
    /// Namespaces every cluster has and no repository declares: never reported as missing in git.
    public static let systemNamespaces: Set<String> = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Differences listed per object at most.
    public static let maxFields = 50

    /// Compares the repository's CNPs, CCNPs, NetworkPolicies and Namespaces (as the repository resolves them) with a live export.
    ///
    /// The export may be a `v1 List`, a typed list (`CiliumNetworkPolicyList`) or a stream of YAML documents, each
    /// an object or a list. An empty file (no YAML document at all) is an error: it is what a failed
    /// `kubectl get … > file` leaves behind, and reporting every object as missing would hide that. An empty
    /// `List` (`items: []`) is a valid export of a cluster without those objects.
    ///
    /// Repository files are re-read at `context.files[…].path`, which is relative to the current directory.
    public static func compare(context: LintContext, livePath: String, limits: YAMLLimits = YAMLLimits(),
                               maxFileSize: Int = 256 << 20) -> Result<(entries: [DriftEntry], notes: [String]), LiveExportError> {
        var notes: [String] = []
        let live: [Item]
        switch readLive(livePath, limits: limits, maxFileSize: maxFileSize, notes: &notes) {
        case .success(let items): live = items
        case .failure(let e): return .failure(e)
        }
        let repo = readRepository(context, limits: limits, notes: &notes)

        var liveByKey: [Key: Item] = [:]
        for item in live {
            if liveByKey[item.key] != nil {
                notes.append("\(item.key) appears more than once in \(livePath) (line \(item.line)); the first (line \(liveByKey[item.key]!.line)) is compared")
                continue
            }
            liveByKey[item.key] = item
        }
        var repoByKey: [Key: Item] = [:]
        for item in repo {
            if let first = repoByKey[item.key] {
                notes.append("\(item.key) is declared more than once in the repository (\(item.path ?? "?"):\(item.line), first at \(first.path ?? "?"):\(first.line)); the first is compared")
                continue
            }
            repoByKey[item.key] = item
        }

        var entries: [DriftEntry] = []
        for (key, git) in repoByKey {
            guard let cluster = liveByKey[key] else {
                entries.append(DriftEntry(change: .missingInCluster, kind: key.kind, namespace: key.namespace, name: key.name,
                                          path: git.path, line: git.line))
                continue
            }
            if let message = cluster.rejection {
                entries.append(DriftEntry(change: .rejectedByCluster, kind: key.kind, namespace: key.namespace, name: key.name,
                                          message: message, path: git.path, line: git.line, liveLine: cluster.line))
                continue
            }
            var fields: [FieldDifference] = []
            var more = 0
            diff(git.tree, cluster.tree, path: "", into: &fields, more: &more)
            if more > 0 {
                notes.append("\(key): \(more) more differences than the \(maxFields) listed")
            }
            if !fields.isEmpty {
                entries.append(DriftEntry(change: .differs, kind: key.kind, namespace: key.namespace, name: key.name,
                                          fields: fields, path: git.path, line: git.line, liveLine: cluster.line))
            }
        }
        for (key, cluster) in liveByKey where repoByKey[key] == nil {
            if let message = cluster.rejection {
                entries.append(DriftEntry(change: .rejectedByCluster, kind: key.kind, namespace: key.namespace, name: key.name,
                                          message: message, liveLine: cluster.line))
                continue
            }
            if key.kind == ObjectKind.namespace.rawValue, systemNamespaces.contains(key.name) { continue }
            entries.append(DriftEntry(change: .missingInGit, kind: key.kind, namespace: key.namespace, name: key.name,
                                      liveLine: cluster.line))
        }
        entries.sort(by: order)
        return .success((entries, notes))
    }

    /// Rejected, differs, missing in the cluster, missing in git; then kind, namespace (cluster-scoped first), name.
    static func order(_ a: DriftEntry, _ b: DriftEntry) -> Bool {
        func rank(_ c: DriftChange) -> Int {
            switch c {
            case .rejectedByCluster: 0
            case .differs: 1
            case .missingInCluster: 2
            case .missingInGit: 3
            }
        }
        if a.change != b.change { return rank(a.change) < rank(b.change) }
        if a.kind != b.kind { return a.kind < b.kind }
        if a.namespace != b.namespace { return (a.namespace ?? "") < (b.namespace ?? "") }
        return a.name < b.name
    }

    // MARK: Objects

    struct Key: Hashable, CustomStringConvertible {
        var kind: String
        var namespace: String?
        var name: String
        var description: String { "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)" }
    }

    /// One object of either side, normalised.
    struct Item {
        var key: Key
        var tree: DriftValue?
        var line: Int
        var path: String? = nil
        /// The operator's message when it refused the policy (live side only).
        var rejection: String? = nil
        /// The object's index in the context (repository side only).
        var object: Int? = nil
    }

    /// The kind an `apiVersion` / `kind` pair names, among those compared.
    static func comparedKind(kind: String, apiVersion: String) -> ObjectKind? {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        let group = parts.count == 2 ? String(parts[0]) : ""
        switch (kind, group) {
        case ("CiliumNetworkPolicy", "cilium.io"): return .ciliumNetworkPolicy
        case ("CiliumClusterwideNetworkPolicy", "cilium.io"): return .ciliumClusterwideNetworkPolicy
        case ("NetworkPolicy", "networking.k8s.io"): return .networkPolicy
        case ("Namespace", ""): return .namespace
        default: return nil
        }
    }

    /// The comparable tree of an object: name, namespace, filtered labels and annotations, `spec`/`specs`, with
    /// NetworkPolicy defaulting applied and empty values collapsed. `transform` rewrites the repository's scalars
    /// (Flux substitution) before anything is read.
    static func canonical(_ object: DriftValue, kind: ObjectKind, key: Key, transform: ((String) -> String)? = nil) -> DriftValue? {
        var obj = object
        if let transform { obj = obj.mapScalars(transform) }
        var out: [String: DriftValue] = [:]
        var meta: [String: DriftValue] = ["name": .scalar(key.name, quoted: false)]
        if let ns = key.namespace { meta["namespace"] = .scalar(ns, quoted: false) }
        if let labels = obj["metadata"]?["labels"]?.map {
            meta["labels"] = .map(labels.filter { !isOwnershipLabel($0.key, kind: kind) })
        }
        if let annotations = obj["metadata"]?["annotations"]?.map {
            meta["annotations"] = .map(annotations.filter { !ignoredAnnotations.contains($0.key) })
        }
        out["metadata"] = .map(meta)
        if kind != .namespace {
            for field in ["spec", "specs"] {
                guard var spec = obj[field] else { continue }
                if kind == .networkPolicy { spec = networkPolicyDefaults(spec) }
                out[field] = spec
            }
        }
        return collapse(.map(out))
    }

    static let ignoredAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration",
        "argocd.argoproj.io/tracking-id",
        "argocd.argoproj.io/installation-id",
    ]

    /// Labels a GitOps controller or the API server adds: Argo CD's label tracking, Flux's ownership labels and,
    /// on a Namespace, `kubernetes.io/metadata.name`.
    static func isOwnershipLabel(_ key: String, kind: ObjectKind) -> Bool {
        if key == "app.kubernetes.io/instance" { return true }
        if kind == .namespace, key == "kubernetes.io/metadata.name" { return true }
        if let slash = key.firstIndex(of: "/") {
            let prefix = key[..<slash]
            return prefix == "fluxcd.io" || prefix.hasSuffix(".fluxcd.io")
        }
        return false
    }

    /// Kubernetes' `SetDefaults_NetworkPolicy` and `SetDefaults_NetworkPolicyPort`
    /// (`pkg/apis/networking/v1/defaults.go`).
    static func networkPolicyDefaults(_ spec: DriftValue) -> DriftValue {
        guard var m = spec.map else { return spec }
        if m["policyTypes"]?.list?.isEmpty ?? true, m["policyTypes"]?.text == nil {
            var types: [DriftValue] = [.scalar("Ingress", quoted: false)]
            if let egress = m["egress"]?.list, !egress.isEmpty { types.append(.scalar("Egress", quoted: false)) }
            m["policyTypes"] = .list(types)
        }
        for direction in ["ingress", "egress"] {
            guard let rules = m[direction]?.list else { continue }
            m[direction] = .list(rules.map { rule in
                guard var r = rule.map, let ports = r["ports"]?.list else { return rule }
                r["ports"] = .list(ports.map { port in
                    guard var p = port.map else { return port }
                    if p["protocol"] == nil { p["protocol"] = .scalar("TCP", quoted: false) }
                    return .map(p)
                })
                return .map(r)
            })
        }
        return .map(m)
    }

    /// Drops keys whose value is empty (after collapsing its own contents); nil when nothing is left. List items
    /// stay, emptied or not, so positions keep their meaning.
    static func collapse(_ v: DriftValue) -> DriftValue? {
        switch v {
        case .scalar: return v
        case .list(let l):
            if l.isEmpty { return nil }
            return .list(l.map { item in
                if case .scalar = item { return item }
                return collapse(item) ?? (item.list != nil ? .list([]) : .map([:]))
            })
        case .map(let m):
            var out: [String: DriftValue] = [:]
            for (k, value) in m {
                if let c = collapse(value) { out[k] = c }
            }
            return out.isEmpty ? nil : .map(out)
        }
    }

    // MARK: Live side

    static func readLive(_ path: String, limits: YAMLLimits, maxFileSize: Int, notes: inout [String]) -> Result<[Item], LiveExportError> {
        func fail(_ message: String, _ line: Int = 1, _ column: Int = 1) -> Result<[Item], LiveExportError> {
            .failure(LiveExportError(path: path, line: line, column: column, message: message))
        }
        let bytes: [UInt8]
        switch FileReader.readFile(path, limit: maxFileSize) {
        case .bytes(let b): bytes = b
        case .tooLarge(let size):
            return fail("file is \(ByteCount.text(size)), over the \(ByteCount.text(maxFileSize)) limit for a live export")
        case .failed(let reason): return fail("cannot read the live export: \(reason)")
        }
        var parser = YAMLParser(limits: limits)
        let result = bytes.withUnsafeBytes { raw -> YAMLParseResult in
            if let base = raw.baseAddress, let hit = memchr(base, 0, raw.count) {
                let nul = base.distance(to: UnsafeRawPointer(hit))
                let (line, column) = YAMLParser.position(ofOffset: nul, in: raw)
                return YAMLParseResult(documents: [], error: YAMLError(message: "binary file: NUL byte at offset \(nul); not YAML",
                                                                       line: line, column: column))
            }
            return parser.parse(raw)
        }
        if let e = result.error { return fail(e.message, e.line, e.column) }
        guard result.documents.contains(where: { $0.root >= 0 }) else {
            return fail("empty file: no YAML document (expected the output of 'kubectl get cnp,ccnp,netpol,ns -A -o yaml')")
        }
        var items: [Item] = []
        var ignored: [String: Int] = [:]
        for doc in result.documents where doc.root >= 0 {
            do throws(LiveExportError) {
                try collect(doc, doc.root, path: path, depth: 0, limits: limits, into: &items, ignored: &ignored, notes: &notes)
            } catch {
                return .failure(error)
            }
        }
        if !ignored.isEmpty {
            let total = ignored.values.reduce(0, +)
            let kinds = ignored.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            notes.append("\(total) live object\(total == 1 ? "" : "s") of other kinds ignored (\(kinds))")
        }
        return .success(items)
    }

    /// One document node: an object, or a list whose items are objects (or lists).
    static func collect(_ doc: YAMLDocument, _ n: Int32, path: String, depth: Int, limits: YAMLLimits,
                        into items: inout [Item], ignored: inout [String: Int], notes: inout [String]) throws(LiveExportError) {
        let node = doc[n]
        func error(_ message: String, _ at: Int32? = nil) -> LiveExportError {
            let p = doc[at ?? n]
            return LiveExportError(path: path, line: Int(p.line), column: Int(p.column), message: message)
        }
        switch node.kind {
        case .scalar:
            throw error("expected a Kubernetes object or a List, found a scalar ('\(DriftValue.scalarText(doc.string(n), quoted: false).prefix(40))')")
        case .sequence:
            throw error("expected a Kubernetes object or a List, found a bare list (kubectl -o yaml wraps several objects in 'kind: List' with 'items')")
        case .mapping:
            break
        }
        let kindNode = doc.value(n, forKey: "kind")
        let kind = kindNode.flatMap { doc.kind($0) == .scalar ? doc.string($0) : nil }
        let itemsNode = doc.value(n, forKey: "items")
        if let kind, kind.hasSuffix("List"), let itemsNode {
            if doc.isNull(itemsNode) { return }
            guard doc.kind(itemsNode) == .sequence else { throw error("'items' of a \(kind) must be a list", itemsNode) }
            guard depth < 8 else { throw error("lists nested more than 8 deep") }
            for item in doc.items(itemsNode) {
                try collect(doc, item, path: path, depth: depth + 1, limits: limits, into: &items, ignored: &ignored, notes: &notes)
            }
            return
        }
        let apiVersion = doc.value(n, forKey: "apiVersion").flatMap { doc.kind($0) == .scalar && !doc.isNull($0) ? doc.string($0) : nil }
        let metadata = doc.value(n, forKey: "metadata")
        let nameNode = metadata.flatMap { doc.kind($0) == .mapping ? doc.value($0, forKey: "name") : nil }
        let name = nameNode.flatMap { doc.kind($0) == .scalar && !doc.isNull($0) ? doc.string($0) : nil }
        guard let kind, let apiVersion, let name, !name.isEmpty else {
            if kind == nil, itemsNode != nil {
                throw error("a mapping with 'items' but no 'kind: List' (a truncated export? kubectl prints 'kind' after 'items')")
            }
            if let kind, kind.hasSuffix("List") {
                throw error("a \(kind) without 'items'")
            }
            throw error("expected a Kubernetes object (apiVersion, kind, metadata.name) or a List")
        }
        guard let objectKind = comparedKind(kind: kind, apiVersion: apiVersion) else {
            ignored[kind, default: 0] += 1
            return
        }
        var namespace: String?
        if objectKind.isNamespaced {
            let nsNode = metadata.flatMap { doc.value($0, forKey: "namespace") }
            namespace = nsNode.flatMap { doc.kind($0) == .scalar && !doc.isNull($0) ? doc.string($0) : nil }
            if namespace?.isEmpty ?? true {
                notes.append("live \(kind) '\(name)' (\(path):\(node.line)) has no metadata.namespace; left out")
                return
            }
        }
        let raw: DriftValue?
        do throws(DriftValue.BuildError) {
            raw = try DriftValue.build(doc, n, maxDepth: limits.maxDepth)
        } catch let e {
            throw LiveExportError(path: path, line: e.line, column: e.column, message: e.message)
        }
        let key = Key(kind: objectKind.rawValue, namespace: namespace, name: name)
        var item = Item(key: key, tree: raw.flatMap { canonical($0, kind: objectKind, key: key) }, line: Int(node.line))
        if objectKind.isCilium {
            item.rejection = raw.flatMap(rejection)
        }
        items.append(item)
    }

    /// The message of `status.conditions[type=Valid]` when its status is `"False"`.
    static func rejection(_ object: DriftValue) -> String? {
        guard let conditions = object["status"]?["conditions"]?.list else { return nil }
        for c in conditions where c["type"]?.text == "Valid" && c["status"]?.text == "False" {
            return c["message"]?.text ?? "rejected by cilium-operator (no message)"
        }
        return nil
    }

    // MARK: Repository side

    /// `root`: the folder the context's relative file paths are relative to (default: the current directory).
    static func readRepository(_ context: LintContext, limits: YAMLLimits, notes: inout [String], root: String? = nil) -> [Item] {
        var leftOut: [Int] = []
        return readRepository(context, limits: limits, notes: &notes, root: root, leftOut: &leftOut)
    }

    /// `leftOut`: the objects that could not be compared (no fixed name or namespace, unreadable).
    /// `keepUnresolved`: an object whose name or namespace the repository does not fix is kept under its name as
    /// written and a stand-in namespace of its folder (comparing two revisions of one repository), not left out.
    static func readRepository(_ context: LintContext, limits: YAMLLimits, notes: inout [String], root: String?,
                               leftOut: inout [Int], keepUnresolved: Bool = false) -> [Item] {
        let flux = FluxVariables(context)
        var parsed: [Int32: ParsedFile] = [:]
        var parser = YAMLParser(limits: limits)
        var items: [Item] = []
        for (i, o) in context.objects.enumerated() {
            guard o.kind.isPolicy || o.kind == .namespace else { continue }
            let file = context.files[Int(o.span.file)]
            let variables = o.meta.annotation("kustomize.toolkit.fluxcd.io/substitute")?.value.value == "disabled"
                ? nil : flux.variables(for: FilePath.dirname(file.uri))
            let substitute: ((String) -> String)? = variables.map { vars in { FluxVariables.substitute($0, vars) } }
            var name = (o.meta.name?.value).map { substitute?($0) ?? $0 } ?? ""
            if keepUnresolved && name.hasSubstitution { name = o.meta.name?.value ?? name }
            guard !name.isEmpty, keepUnresolved || !name.hasSubstitution else {
                notes.append("\(o.displayName) (\(file.path):\(o.anchor.line)) has no name the repository fixes; left out of the drift comparison")
                leftOut.append(i)
                continue
            }
            var namespace: String?
            if o.kind.isNamespaced {
                namespace = context.inventory.namespace(of: i)
                if namespace == nil, let written = o.meta.namespace?.value, let substitute {
                    let s = substitute(written)
                    if !s.isEmpty, !s.hasSubstitution { namespace = s }
                }
                if namespace == nil && keepUnresolved { namespace = "?" + FilePath.dirname(file.uri) }
                guard namespace != nil else {
                    notes.append("the namespace of \(o.displayName) (\(file.path):\(o.anchor.line)) cannot be resolved; left out of the drift comparison")
                    leftOut.append(i)
                    continue
                }
            }
            if parsed[o.span.file] == nil {
                let readPath = root.map { file.path.hasPrefix("/") ? file.path : FilePath.join($0, file.path) } ?? file.path
                parsed[o.span.file] = ParsedFile(path: readPath, parser: &parser)
            }
            guard let source = parsed[o.span.file], let found = source.mapping(line: o.span.line, column: o.span.column) else {
                let reason = parsed[o.span.file]?.error ?? "the object is no longer where it was read"
                notes.append("\(o.displayName) (\(file.path):\(o.anchor.line)) cannot be re-read (\(reason)); left out of the drift comparison")
                leftOut.append(i)
                continue
            }
            let key = Key(kind: o.kind.rawValue, namespace: namespace, name: name)
            let raw: DriftValue?
            do throws(DriftValue.BuildError) {
                raw = try DriftValue.build(source.documents[found.doc], found.node, maxDepth: limits.maxDepth)
            } catch {
                notes.append("\(o.displayName) (\(file.path):\(error.line)) cannot be read: \(error.message); left out of the drift comparison")
                leftOut.append(i)
                continue
            }
            items.append(Item(key: key, tree: raw.flatMap { canonical($0, kind: o.kind, key: key, transform: substitute) },
                              line: Int(o.anchor.line), path: file.path, object: i))
        }
        return items
    }

    /// A repository file parsed again, with its mappings indexed by position.
    struct ParsedFile {
        var documents: [YAMLDocument] = []
        var error: String?
        private var index: [UInt64: (doc: Int, node: Int32)] = [:]

        init(path: String, parser: inout YAMLParser) {
            guard case .bytes(let bytes) = FileReader.readFile(path, limit: 1 << 30) else {
                error = "cannot read \(path)"
                return
            }
            let result = bytes.withUnsafeBytes { parser.parse($0) }
            documents = result.documents
            if let e = result.error { error = "\(e.line):\(e.column): \(e.message)" }
            for (d, doc) in documents.enumerated() {
                for (n, node) in doc.nodes.enumerated() where node.kind == .mapping {
                    let k = UInt64(node.line) << 32 | UInt64(node.column)
                    if index[k] == nil { index[k] = (d, Int32(n)) }
                }
            }
        }

        func mapping(line: Int32, column: Int32) -> (doc: Int, node: Int32)? {
            guard line > 0, column > 0 else { return nil }
            return index[UInt64(line) << 32 | UInt64(column)]
        }
    }

    // MARK: Comparing

    /// Appends the differences between two canonical trees, up to `maxFields`; `more` counts those left out.
    static func diff(_ git: DriftValue?, _ live: DriftValue?, path: String, into out: inout [FieldDifference], more: inout Int) {
        func record() {
            if out.count >= maxFields { more += 1; return }
            out.append(FieldDifference(path: path, git: git?.flow(), live: live?.flow()))
        }
        switch (git, live) {
        case (nil, nil):
            return
        case (.map, .map), (.map, nil), (nil, .map):
            // A mapping on one side only is listed key by key (`metadata.labels.team`), not as one blob.
            let g = git?.map ?? [:], l = live?.map ?? [:]
            for key in Set(g.keys).union(l.keys).sorted() {
                diff(g[key], l[key], path: join(path, key), into: &out, more: &more)
            }
        case (.list(let g), .list(let l)):
            for i in 0..<max(g.count, l.count) {
                diff(i < g.count ? g[i] : nil, i < l.count ? l[i] : nil, path: path + "[\(i)]", into: &out, more: &more)
            }
        case (.scalar(let g, _), .scalar(let l, _)):
            if g == l || (g.hasSubstitution && matches(pattern: g, l)) { return }
            record()
        default:
            record()
        }
    }

    /// `spec.ingress`, `metadata.labels.team`; a key that holds a dot or a bracket is written
    /// `metadata.labels["app.kubernetes.io/name"]` so the path stays unambiguous.
    static func join(_ path: String, _ key: String) -> String {
        let simple = !key.isEmpty && key.unicodeScalars.allSatisfy { u in
            (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "-" || u == "_" || u == "/" || u == ":"
        }
        if simple { return path.isEmpty ? key : path + "." + key }
        var escaped = ""
        for ch in key {
            if ch == "\"" || ch == "\\" { escaped.append("\\") }
            escaped.append(ch)
        }
        return path + "[\"" + escaped + "\"]"
    }

    /// Whether `text` matches a value that still holds `${…}`: each `${…}` stands for any text (possibly empty).
    static func matches(pattern: String, _ text: String) -> Bool {
        var literals: [[UInt8]] = []
        var current: [UInt8] = []
        let p = Array(pattern.utf8)
        var i = 0
        while i < p.count {
            if p[i] == UInt8(ascii: "$"), i + 1 < p.count, p[i + 1] == UInt8(ascii: "{"), let close = p[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) {
                literals.append(current)
                current = []
                i = close + 1
            } else {
                current.append(p[i])
                i += 1
            }
        }
        literals.append(current)
        let t = Array(text.utf8)
        // First literal anchors the start, the last the end, the others are found in order between them.
        guard let first = literals.first, let last = literals.last, literals.count >= 2,
              t.count >= first.count + last.count,
              t.starts(with: first), t.suffix(last.count).elementsEqual(last) else { return literals.count < 2 && pattern == text }
        var pos = first.count
        let end = t.count - last.count
        for lit in literals.dropFirst().dropLast() where !lit.isEmpty {
            guard let at = find(lit, in: t, from: pos, to: end) else { return false }
            pos = at + lit.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, to: Int) -> Int? {
        guard to - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= to {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

/// Flux `postBuild.substitute` values by the folder a Flux Kustomization's `path` names.
struct FluxVariables {
    /// Path → variable → value; a nil value when Kustomizations of the same path disagree.
    private var byPath: [String: [String: String?]] = [:]

    init(_ context: LintContext) {
        for o in context.objects {
            guard case .fluxKustomization(let f) = o.body, let path = f.path?.value, !path.hasSubstitution else { continue }
            let key = FilePath.normalize(path.hasPrefix("/") ? String(path.dropFirst()) : path)
            var vars = byPath[key] ?? [:]
            let first = byPath[key] == nil
            var own: [String: String] = [:]
            for kv in f.substitute where own[kv.key.value] == nil { own[kv.key.value] = kv.value.value }
            if first {
                for (k, v) in own { vars[k] = .some(v) }
            } else {
                // Another Kustomization of the same folder: a variable only one of them sets, or that they set
                // differently, is not known.
                for k in Set(vars.keys).union(own.keys) where vars[k] ?? nil != own[k] { vars[k] = .some(nil) }
            }
            byPath[key] = vars
        }
    }

    /// The variables of the deepest Flux Kustomization whose path contains `folder`; nil when none does.
    func variables(for folder: String) -> [String: String?]? {
        guard !byPath.isEmpty else { return nil }
        var f = FilePath.normalize(folder)
        while true {
            if let vars = byPath[f] { return vars }
            if f == "." || f == "/" || f.isEmpty { return nil }
            f = FilePath.dirname(f)
        }
    }

    /// `${VAR}` → its value; `${VAR:=default}` and `${VAR:-default}` → the value, else the default. Anything else
    /// (an unknown variable without default, a malformed reference) is left as written.
    static func substitute(_ s: String, _ vars: [String: String?]) -> String {
        guard s.hasSubstitution else { return s }
        var out = ""
        var rest = Substring(s)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let close = after.firstIndex(of: "}") else {
                out += rest[start.lowerBound...]
                return out
            }
            let inner = after[..<close]
            var name = inner
            var fallback: Substring?
            if let op = inner.range(of: ":=") ?? inner.range(of: ":-") {
                name = inner[..<op.lowerBound]
                fallback = inner[op.upperBound...]
            }
            let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { u in
                (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
            }
            if valid, case .some(.some(let value)) = vars[String(name)] {
                out += value
            } else if valid, vars[String(name)] == nil, let fallback {
                out += fallback
            } else {
                out += rest[start.lowerBound...close]
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }
}
