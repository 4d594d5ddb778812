/// A problem found while decoding the typed model: reported by NP101 (unknown field) and NP102 (invalid value).
public struct ModelIssue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case unknownField, invalidValue }
    public var kind: Kind
    public var message: String
    public var span: Span
    /// Index of the object within its file's decoded objects.
    public var objectInFile: Int
    /// The one correction the message suggests, when it is unambiguous (a did-you-mean, an upper-case protocol).
    public var fix: Fix? = nil
}

/// Decodes YAML documents into `KubeObject`s. The only code that reads the YAML tree.
public struct ModelDecoder {
    let doc: YAMLDocument
    let file: Int32
    public private(set) var objects: [KubeObject] = []
    public private(set) var issues: [ModelIssue] = []
    /// Documents that look like objects netpol-lint reads but are not read as such (or that the API server would
    /// reject), reported under NP110 so that they are never passed over in silence.
    public private(set) var unrecognized: [FileIssue] = []
    private var current = 0

    public init(document: YAMLDocument, file: Int32) {
        self.doc = document
        self.file = file
    }

    /// Decodes every object of the document (a single object or a `List`).
    /// Kinds whose scalars are captured as `KubeObject.fields` (for custom rules).
    var capture: Set<ObjectKind> = []

    public static func decode(_ document: YAMLDocument, file: Int32, capture: Set<ObjectKind> = [])
        -> (objects: [KubeObject], issues: [ModelIssue], unrecognized: [FileIssue]) {
        var d = ModelDecoder(document: document, file: file)
        d.capture = capture
        if document.root >= 0 {
            if document.kind(document.root) == .sequence { d.checkTopLevelList(document.root) }
            d.decodeObject(document.root)
        }
        return (d.objects, d.issues, d.unrecognized)
    }

    /// Whether decoding the document reads an object: its root is a mapping whose scalar `kind` is one the model
    /// reads (or a `List`). Decoding any other document yields no object and no `ModelIssue`, only notes about what it
    /// is not (`unrecognized`).
    public static func readsObjects(_ document: YAMLDocument) -> Bool {
        guard document.root >= 0, document.kind(document.root) == .mapping,
              let kindNode = document.value(document.root, forKey: "kind"), document.kind(kindNode) == .scalar else { return false }
        return isInteresting(kindNode, in: document)
    }

    // MARK: Positions and values

    func span(_ n: Int32) -> Span {
        let node = doc[n]
        if node.kind == .scalar || node.endLine == 0 {
            return Span(file: file, line: Int32(node.line), column: Int32(node.column),
                        endLine: Int32(node.endLine == 0 ? node.line : node.endLine),
                        endColumn: Int32(node.endColumn == 0 ? node.column : node.endColumn))
        }
        // Collections: report their first line only, so editors underline the start, not the whole block.
        return Span(file: file, line: Int32(node.line), column: Int32(node.column))
    }

    mutating func invalid(_ message: String, _ span: Span, fix: Fix? = nil) {
        issues.append(ModelIssue(kind: .invalidValue, message: message, span: span, objectInFile: current, fix: fix))
    }

    /// A fix that writes `text` in place of scalar `n`, in the same quoting (`"tcp"` → `"TCP"`); nil for a scalar
    /// over several lines or in a block style, whose text a replacement of one span cannot keep intact.
    func replacing(_ n: Int32, with text: String) -> Fix? {
        let node = doc[n]
        guard node.kind == .scalar, node.endLine == node.line, node.endColumn > node.column else { return nil }
        let written: String
        switch node.style {
        case .plain: written = text
        case .singleQuoted: written = "'" + text + "'"
        case .doubleQuoted: written = "\"" + text + "\""
        default: return nil
        }
        return Fix("Replace '\(doc.string(n))' with '\(text)'", replacing: span(n), with: written)
    }

    /// A mapping's keys with their key and value nodes, in order; a key written twice answers with its first.
    /// Mappings are small: a scan beats hashing every key.
    struct Fields {
        var entries: [(name: String, key: Int32, value: Int32)] = []

        var isEmpty: Bool { entries.isEmpty }

        subscript(_ name: String) -> (key: Int32, value: Int32)? {
            for e in entries where e.name == name { return (e.key, e.value) }
            return nil
        }
    }

    /// The mapping's entries by key text; unknown keys become NP101 with a did-you-mean.
    mutating func fields(_ n: Int32, _ what: @autoclosure () -> String, known: [String], checkUnknown: Bool = true) -> Fields {
        if doc.kind(n) != .mapping {
            if !doc.isNull(n) { invalid("\(what()) must be a mapping", span(n)) }
            return Fields()
        }
        var out = Fields()
        for (k, v) in doc.entries(n) {
            let key = doc.string(k)
            out.entries.append((key, k, v))
            if checkUnknown, !known.contains(key) {
                var message = "unknown field '\(key)' in \(what())"
                var fix: Fix?
                if let s = Suggest.closest(key, in: known) {
                    message += "; did you mean '\(s)'?"
                    // Renaming is the fix unless the mapping already has the suggested key.
                    if !doc.entries(n).contains(where: { doc.string($0.0) == s }) { fix = replacing(k, with: s) }
                }
                issues.append(ModelIssue(kind: .unknownField, message: message, span: span(k), objectInFile: current, fix: fix))
            }
        }
        return out
    }

    mutating func string(_ n: Int32?, _ what: String) -> Located<String>? {
        guard let n, !doc.isNull(n) else { return nil }
        guard doc.kind(n) == .scalar else {
            invalid("\(what) must be a string", span(n))
            return nil
        }
        return Located(doc.string(n), span(n))
    }

    /// A sequence's items; nil when absent or null; an NP102 when it is not a sequence.
    mutating func list(_ n: Int32?, _ what: String) -> Located<[Int32]>? {
        guard let n, !doc.isNull(n) else { return nil }
        guard doc.kind(n) == .sequence else {
            invalid("\(what) must be a list", span(n))
            return nil
        }
        return Located(Array(doc.items(n)), span(n))
    }

    mutating func bool(_ n: Int32?, _ what: String) -> Located<Bool>? {
        guard let n, !doc.isNull(n) else { return nil }
        if doc.kind(n) == .scalar, doc[n].style == .plain {
            if doc.scalarEquals(n, "true") { return Located(true, span(n)) }
            if doc.scalarEquals(n, "false") { return Located(false, span(n)) }
        }
        invalid("\(what) must be true or false", span(n))
        return nil
    }

    mutating func keyValues(_ n: Int32?, _ what: String) -> [KeyValue] {
        guard let n, !doc.isNull(n) else { return [] }
        guard doc.kind(n) == .mapping else {
            invalid("\(what) must be a mapping of strings", span(n))
            return []
        }
        var out: [KeyValue] = []
        for (k, v) in doc.entries(n) {
            guard doc.kind(k) == .scalar else { continue }
            let value = doc.kind(v) == .scalar ? (doc.isNull(v) ? "" : doc.string(v)) : ""
            if doc.kind(v) != .scalar { invalid("value of '\(doc.string(k))' in \(what) must be a string", span(v)) }
            out.append(KeyValue(key: Located(doc.string(k), span(k)), value: Located(value, span(v))))
        }
        return out
    }

    // MARK: Objects

    mutating func decodeObject(_ n: Int32) {
        guard doc.kind(n) == .mapping else { return }
        guard let kindNode = doc.value(n, forKey: "kind") else { return }
        guard doc.kind(kindNode) == .scalar else {
            checkNonScalarKind(n, kindNode)
            return
        }
        // Most documents are kinds netpol-lint does not read (ConfigMaps, HelmReleases, ...): reject them by their
        // bytes before creating any String.
        guard Self.isInteresting(kindNode, in: doc) else {
            checkKindCase(n, kindNode)
            return
        }
        let apiVersionNode = doc.value(n, forKey: "apiVersion")
        let apiVersion = apiVersionNode.map { doc.kind($0) == .scalar ? doc.string($0) : "" } ?? ""
        let groupParts = apiVersion.utf8.split(separator: UInt8(ascii: "/"))
        let group = groupParts.count == 2 ? String(Substring(groupParts[0])) : ""
        let kindText = doc.string(kindNode)

        if kindText.hasSuffix("List"), let items = doc.value(n, forKey: "items"), doc.kind(items) == .sequence {
            for item in doc.items(items) { decodeObject(item) }
            return
        }
        let kind: ObjectKind
        switch (kindText, group) {
        case ("CiliumNetworkPolicy", "cilium.io"): kind = .ciliumNetworkPolicy
        case ("CiliumClusterwideNetworkPolicy", "cilium.io"): kind = .ciliumClusterwideNetworkPolicy
        case ("NetworkPolicy", "networking.k8s.io"): kind = .networkPolicy
        case ("Namespace", ""): kind = .namespace
        case ("Deployment", "apps"): kind = .deployment
        case ("StatefulSet", "apps"): kind = .statefulSet
        case ("DaemonSet", "apps"): kind = .daemonSet
        case ("ReplicaSet", "apps"): kind = .replicaSet
        case ("Job", "batch"): kind = .job
        case ("CronJob", "batch"): kind = .cronJob
        case ("Pod", ""): kind = .pod
        case ("Kustomization", "kustomize.config.k8s.io"), ("Component", "kustomize.config.k8s.io"): kind = .kustomization
        case ("Kustomization", "kustomize.toolkit.fluxcd.io"): kind = .fluxKustomization
        case ("ResourceSet", "fluxcd.controlplane.io"): kind = .resourceSet
        case ("HelmRelease", "helm.toolkit.fluxcd.io"): kind = .helmRelease
        case ("OCIRepository", "source.toolkit.fluxcd.io"): kind = .ociRepository
        case ("CiliumCIDRGroup", "cilium.io"): kind = .ciliumCIDRGroup
        case ("Service", ""): kind = .service
        case ("HelmChart", "helm.cattle.io"): kind = .helmChart
        default:
            checkAPIVersion(n, kindNode: kindNode, kind: kindText, apiVersionNode: apiVersionNode, apiVersion: apiVersion, read: false)
            return
        }
        checkAPIVersion(n, kindNode: kindNode, kind: kindText, apiVersionNode: apiVersionNode, apiVersion: apiVersion, read: true)
        current = objects.count
        let isPolicy = kind.isPolicy
        let top = fields(n, "\(kind.rawValue)", known: Self.topLevelKeys(kind), checkUnknown: isPolicy)
        let meta = decodeMeta(top["metadata"]?.value, checkUnknown: isPolicy)
        let body: ObjectBody
        switch kind {
        case .ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy:
            body = .cilium(decodeCilium(top, clusterwide: kind == .ciliumClusterwideNetworkPolicy, object: n))
        case .networkPolicy:
            body = .networkPolicy(decodeNetworkPolicy(top["spec"]?.value, object: n))
        case .namespace:
            body = .namespace
        case .deployment, .statefulSet, .daemonSet, .replicaSet, .job, .pod, .cronJob:
            var template = decodePodTemplate(kind: kind, top["spec"]?.value)
            if kind == .pod {
                // A Pod's labels and annotations are its own metadata; the rest comes from its spec.
                var pod = template ?? PodTemplate(labels: [], serviceAccount: nil)
                pod.labels = meta.labels
                pod.annotations = meta.annotations
                template = pod
            }
            body = .workload(template)
        case .kustomization:
            body = .kustomization(KustomizationSpec(
                namespace: plainString(top["namespace"]?.value),
                resources: (plainList(top["resources"]?.value)).compactMap { plainString($0) },
                components: (plainList(top["components"]?.value)).compactMap { plainString($0) },
                isComponent: kindText == "Component",
                helmCharts: plainList(top["helmCharts"]?.value).compactMap { chartVersion($0, nameKey: "name") }))
        case .fluxKustomization:
            let spec = top["spec"]?.value ?? -1
            let sub = spec >= 0 ? doc.value(spec, forKey: "postBuild").flatMap { doc.value($0, forKey: "substitute") } : nil
            body = .fluxKustomization(FluxKustomizationSpec(
                path: spec >= 0 ? plainString(doc.value(spec, forKey: "path")) : nil,
                targetNamespace: spec >= 0 ? plainString(doc.value(spec, forKey: "targetNamespace")) : nil,
                substitute: sub.map { plainKeyValues($0) } ?? []))
        case .resourceSet:
            let spec = top["spec"]?.value ?? -1
            let templateEntry = spec >= 0 && doc.kind(spec) == .mapping ? doc.entries(spec).first { doc.string($0.key) == "resourcesTemplate" } : nil
            var start: (line: Int, column: Int)?
            if let (k, t) = templateEntry {
                let node = doc[t]
                // A block scalar (`|`) starts on the next line, its content indented (by YAML's usual two spaces)
                // past its key; other scalars start where written.
                start = node.style == .literal || node.style == .folded
                    ? (Int(node.line) + 1, Int(doc[k].column) + 2) : (Int(node.line), Int(node.column))
            }
            let resources = spec >= 0 ? doc.value(spec, forKey: "resources") : nil
            var decoded = ResourceSetSpec(
                inputs: spec >= 0 ? plainList(doc.value(spec, forKey: "inputs")).map { templateValue($0, depth: 0) } : [],
                template: templateEntry.flatMap { plainString($0.value) },
                templateStart: start,
                hasExternalInputs: spec >= 0 && doc.value(spec, forKey: "inputsFrom") != nil)
            decoded.resources = plainList(resources).map { templateValue($0, depth: 0) }
            decoded.resourcesSpan = resources.map { span($0) }
            decoded.inputSpans = spec >= 0 ? plainList(doc.value(spec, forKey: "inputs")).map { item in
                guard doc.kind(item) == .mapping else { return [:] }
                var spans: [String: Span] = [:]
                for (k, v) in doc.pairs(item) { spans[doc.string(k)] = span(v) }
                return spans
            } : []
            body = .resourceSet(decoded)
        case .helmRelease:
            body = .helmRelease(decodeHelmRelease(top["spec"]?.value))
        case .ociRepository:
            let spec = top["spec"]?.value ?? -1
            let ref = spec >= 0 ? doc.value(spec, forKey: "ref") : nil
            body = .ociRepository(OCIRepositorySpec(
                url: spec >= 0 ? plainString(doc.value(spec, forKey: "url"))?.value : nil,
                tag: ref.flatMap { plainString(doc.value($0, forKey: "tag")) ?? plainString(doc.value($0, forKey: "semver")) }))
        case .ciliumCIDRGroup:
            body = .cidrGroup(decodeCIDRGroup(top["spec"]?.value))
        case .service:
            body = .service(decodeService(top["spec"]?.value))
        case .helmChart:
            let spec = top["spec"]?.value ?? -1
            body = .helmChart(HelmChartSpec(chart: spec >= 0 ? chartVersion(spec, nameKey: "chart") : nil))
        }
        var object = KubeObject(kind: kind, apiVersion: apiVersion, meta: meta, span: span(n), kindSpan: span(kindNode), body: body)
        if capture.contains(kind) {
            var fields: [FieldValue] = []
            collect(n, path: "", into: &fields, depth: 0)
            object.fields = fields
        }
        objects.append(object)
    }

    /// A YAML value as a template binding: plain `true`/`false` are booleans, plain numbers numbers, the rest text.
    /// Which parts of a values tree are kept (`templateValue(_:depth:keeping:)`): everything below; only the named
    /// keys of a mapping, each with its own part; or every key of a mapping, each with the same part. A sequence's
    /// items are kept as the sequence is.
    indirect enum ValuesPart: Sendable {
        case all
        case keys([String: ValuesPart])
        case everyKey(ValuesPart)
    }

    func templateValue(_ n: Int32, depth: Int, keeping part: ValuesPart = .all) -> TemplateValue {
        guard depth < 64 else { return .null }
        switch doc.kind(n) {
        case .scalar:
            if doc.isNull(n) { return .null }
            let text = doc.string(n)
            guard doc[n].style == .plain else { return .string(text) }
            if text == "true" || text == "false" { return .bool(text == "true") }
            if let first = text.unicodeScalars.first, first == "-" || first.properties.numericType != nil,
               Double(text) != nil { return .number(text) }
            return .string(text)
        case .sequence:
            return .list(doc.items(n).map { templateValue($0, depth: depth + 1, keeping: part) })
        case .mapping:
            var out: [String: TemplateValue] = [:]
            for (k, v) in doc.entries(n) {
                let key = doc.string(k)
                guard out[key] == nil else { continue }
                switch part {
                case .all: out[key] = templateValue(v, depth: depth + 1)
                case .everyKey(let each): out[key] = templateValue(v, depth: depth + 1, keeping: each)
                case .keys(let named):
                    guard let sub = named[key] else { continue }
                    out[key] = templateValue(v, depth: depth + 1, keeping: sub)
                }
            }
            return .map(out)
        }
    }

    func collect(_ n: Int32, path: String, into out: inout [FieldValue], depth: Int) {
        guard depth < 64 else { return }
        switch doc.kind(n) {
        case .scalar:
            if !doc.isNull(n) { out.append(FieldValue(path: path, value: doc.string(n), span: span(n))) }
        case .sequence:
            for item in doc.items(n) { collect(item, path: path, into: &out, depth: depth + 1) }
        case .mapping:
            for (k, v) in doc.entries(n) where doc.kind(k) == .scalar {
                let key = doc.string(k)
                collect(v, path: path.isEmpty ? key : path + "." + key, into: &out, depth: depth + 1)
            }
        }
    }

    static func isInteresting(_ kind: Int32, in doc: YAMLDocument) -> Bool {
        doc.scalarEqualsAny(kind, ObjectKind.manifestKinds) || doc.scalarEndsWith(kind, "List")
    }

    // MARK: Objects that are not what they seem (NP110)

    /// The apiVersions of the kinds netpol-lint reads (the first is the one to write).
    static let apiVersions: [String: [String]] = [
        "CiliumNetworkPolicy": ["cilium.io/v2"], "CiliumClusterwideNetworkPolicy": ["cilium.io/v2"],
        "NetworkPolicy": ["networking.k8s.io/v1"], "Namespace": ["v1"], "Pod": ["v1"],
        "Deployment": ["apps/v1"], "StatefulSet": ["apps/v1"], "DaemonSet": ["apps/v1"], "ReplicaSet": ["apps/v1"],
        "Job": ["batch/v1"], "CronJob": ["batch/v1"],
        "Kustomization": ["kustomize.config.k8s.io/v1beta1", "kustomize.toolkit.fluxcd.io/v1"],
        "Component": ["kustomize.config.k8s.io/v1alpha1"], "HelmRelease": ["helm.toolkit.fluxcd.io/v2"],
        "OCIRepository": ["source.toolkit.fluxcd.io/v1"], "Service": ["v1"],
        "ResourceSet": ["fluxcd.controlplane.io/v1"],
        "CiliumCIDRGroup": ["cilium.io/v2", "cilium.io/v2alpha1"],
    ]

    /// The API groups of those kinds: an object of one of them under another of these groups is a mix-up (a
    /// CiliumNetworkPolicy under networking.k8s.io), while an unknown group is another product's kind of the same
    /// name (a Calico NetworkPolicy) and is left alone.
    static let knownGroups: Set<String> = Set(apiVersions.values.joined().map { v in
        v.contains("/") ? String(v.split(separator: "/")[0]) : ""
    })

    static func group(of apiVersion: String) -> String {
        let parts = apiVersion.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return parts.count == 2 ? String(Substring(parts[0])) : ""
    }

    mutating func unrecognized(_ message: String, _ at: Int32) {
        unrecognized.append(FileIssue(rule: "NP110", message: message, span: span(at)))
    }

    /// `kind 'x'` with its name when it has one.
    func described(_ kind: String, _ object: Int32) -> String {
        if let meta = doc.value(object, forKey: "metadata"), doc.kind(meta) == .mapping,
           let name = doc.value(meta, forKey: "name"), doc.kind(name) == .scalar, !doc.isNull(name) {
            return "\(kind) '\(doc.excerpt(name))'"
        }
        return kind
    }

    /// The apiVersion of an object of a kind netpol-lint reads: missing, of the wrong group, or of a version that does
    /// not exist. `read` says whether the object is read all the same.
    mutating func checkAPIVersion(_ n: Int32, kindNode: Int32, kind: String, apiVersionNode: Int32?, apiVersion: String, read: Bool) {
        guard let expected = Self.apiVersions[kind] else { return }
        // Nearly every object has its right apiVersion: its description is only built for a finding.
        var what: String { described(kind, n) }
        let outcome = read ? "" : "; netpol-lint does not read it either"
        guard let versionNode = apiVersionNode, doc.kind(versionNode) == .scalar, !doc.isNull(versionNode), !apiVersion.isEmpty else {
            unrecognized("\(what) has no apiVersion (write apiVersion: \(expected[0])): the API server rejects it\(outcome)", kindNode)
            return
        }
        if expected.contains(apiVersion) { return }
        let group = Self.group(of: apiVersion)
        let expectedGroups = expected.map(Self.group(of:))
        if !expectedGroups.contains(group) {
            // Another product's kind of the same name (Calico's NetworkPolicy) is not a mistake.
            guard Self.knownGroups.contains(group) else { return }
            unrecognized("\(what) has apiVersion '\(doc.excerpt(versionNode))', the API group of other kinds: \(kind) is \(expected[0]), so the API server rejects it\(outcome)", versionNode)
            return
        }
        // The right group, a version that does not exist: only the policies' versions are checked (a workload's
        // old apps/v1beta2 is another matter).
        guard ObjectKind(rawValue: kind)?.isPolicy ?? false else { return }
        unrecognized("\(what) has apiVersion '\(doc.excerpt(versionNode))', a version the API server does not serve for \(kind) (it is \(expected[0])): the object is rejected", versionNode)
    }

    /// `kind: [CiliumNetworkPolicy]`: a kind must be a string. Reported for documents that look like Kubernetes
    /// objects (they have an apiVersion or metadata).
    mutating func checkNonScalarKind(_ n: Int32, _ kindNode: Int32) {
        guard !doc.isNull(kindNode), doc.value(n, forKey: "apiVersion") != nil || doc.value(n, forKey: "metadata") != nil else { return }
        unrecognized("kind must be a string, not a \(doc.kind(kindNode) == .sequence ? "list" : "mapping"): this object is not read (and the API server rejects it)", kindNode)
    }

    /// `kind: ciliumnetworkpolicy`: kinds are case-sensitive.
    mutating func checkKindCase(_ n: Int32, _ kindNode: Int32) {
        // Compared as ASCII bytes, case folded, without creating a String: most documents are other kinds.
        let node = doc[kindNode]
        guard let proper = doc.bytes.withUnsafeBufferPointer({ buf in
            Self.kindNames.first { name in
                name.count == Int(node.count) && zip(name, buf[Int(node.start)..<Int(node.start + node.count)]).allSatisfy { a, b in
                    a | 0x20 == b | 0x20 && (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
                }
            }
        }).map({ String(decoding: $0, as: UTF8.self) }) else { return }
        unrecognized("kind '\(doc.excerpt(kindNode))' is not a kind: kinds are case-sensitive (write \(proper)); this object is not read (and the API server rejects it)", kindNode)
    }

    static let kindNames = apiVersions.keys.sorted().map { Array($0.utf8) }

    /// A document that is a list of objects (`- apiVersion: …`) instead of one object.
    mutating func checkTopLevelList(_ n: Int32) {
        var kinds: [String] = []
        for item in doc.items(n) where doc.kind(item) == .mapping {
            guard let k = doc.value(item, forKey: "kind"), doc.kind(k) == .scalar, doc.value(item, forKey: "apiVersion") != nil else { continue }
            kinds.append(described(doc.excerpt(k, limit: 40), item))
        }
        guard !kinds.isEmpty else { return }
        let shown = kinds.prefix(3).joined(separator: ", ") + (kinds.count > 3 ? " and \(kinds.count - 3) more" : "")
        unrecognized("this document is a YAML list of \(kinds.count) object\(kinds.count == 1 ? "" : "s") (\(shown)), not an object: a manifest holds one object per document (separate them with '---', or write kind: List with items:); they are not read", n)
    }

    /// `spec` of a Flux HelmRelease: the chart (`chart.spec` or `chartRef`), the release name and namespace, and the
    /// values that decide the pods of the charts netpol-lint models (`controllers`, `defaultPodOptions`, `global`,
    /// `service`).
    mutating func decodeHelmRelease(_ spec: Int32?) -> HelmReleaseSpec {
        var out = HelmReleaseSpec()
        guard let spec, doc.kind(spec) == .mapping else { return out }
        if let chart = doc.value(spec, forKey: "chart"), let chartSpec = doc.value(chart, forKey: "spec") {
            out.chart = plainString(doc.value(chartSpec, forKey: "chart"))
            out.chartVersion = plainString(doc.value(chartSpec, forKey: "version"))
        }
        if let ref = doc.value(spec, forKey: "chartRef"), let kind = plainString(doc.value(ref, forKey: "kind")),
           let name = plainString(doc.value(ref, forKey: "name")) {
            out.chartRef = ChartRef(kind: kind.value, name: name.value, namespace: plainString(doc.value(ref, forKey: "namespace"))?.value)
        }
        out.releaseName = plainString(doc.value(spec, forKey: "releaseName"))?.value
        out.targetNamespace = plainString(doc.value(spec, forKey: "targetNamespace"))?.value
        out.hasExternalValues = doc.value(spec, forKey: "valuesFrom") != nil || doc.value(spec, forKey: "postRenderers") != nil
        if let values = doc.value(spec, forKey: "values"), doc.kind(values) == .mapping {
            var kept: [String: TemplateValue] = [:]
            if let v = doc.value(values, forKey: "controllers") { kept["controllers"] = templateValue(v, depth: 0, keeping: AppTemplate.controllerValues) }
            if let v = doc.value(values, forKey: "defaultPodOptions") { kept["defaultPodOptions"] = templateValue(v, depth: 0, keeping: AppTemplate.podValues) }
            if let v = doc.value(values, forKey: "global") { kept["global"] = templateValue(v, depth: 0) }
            if let v = doc.value(values, forKey: "service") { kept["service"] = templateValue(v, depth: 0) }
            out.values = .map(kept)
        }
        return out
    }

    /// A chart's name (under `nameKey`) and `version` in a mapping: a kustomize `helmCharts:` entry or the spec
    /// of a k3s `HelmChart`.
    func chartVersion(_ n: Int32, nameKey: StaticString) -> ChartVersion? {
        guard doc.kind(n) == .mapping, let name = plainString(doc.value(n, forKey: nameKey)) else { return nil }
        return ChartVersion(name: name.value, version: plainString(doc.value(n, forKey: "version")))
    }

    static func topLevelKeys(_ kind: ObjectKind) -> [String] {
        switch kind {
        case .ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy:
            ["apiVersion", "kind", "metadata", "spec", "specs", "status"]
        case .networkPolicy: ["apiVersion", "kind", "metadata", "spec", "status"]
        default: []
        }
    }

    static let metadataKeys = [
        "name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers",
        "managedFields", "selfLink",
    ]

    mutating func decodeMeta(_ n: Int32?, checkUnknown: Bool) -> ObjectMeta {
        guard let n else { return ObjectMeta() }
        let f = fields(n, "metadata", known: Self.metadataKeys, checkUnknown: checkUnknown)
        return ObjectMeta(name: string(f["name"]?.value, "metadata.name"),
                          namespace: string(f["namespace"]?.value, "metadata.namespace"),
                          labels: keyValues(f["labels"]?.value, "metadata.labels"),
                          annotations: keyValues(f["annotations"]?.value, "metadata.annotations"),
                          span: span(n))
    }

    // Lenient readers for kinds we only skim: no diagnostics.
    func plainString(_ n: Int32?) -> Located<String>? {
        guard let n, doc.kind(n) == .scalar, !doc.isNull(n) else { return nil }
        return Located(doc.string(n), span(n))
    }

    func plainList(_ n: Int32?) -> [Int32] {
        guard let n, doc.kind(n) == .sequence else { return [] }
        return Array(doc.items(n))
    }

    func plainKeyValues(_ n: Int32) -> [KeyValue] {
        doc.entries(n).compactMap { k, v in
            guard doc.kind(k) == .scalar, doc.kind(v) == .scalar else { return nil }
            return KeyValue(key: Located(doc.string(k), span(k)), value: Located(doc.string(v), span(v)))
        }
    }

    func decodePodTemplate(kind: ObjectKind, _ spec: Int32?) -> PodTemplate? {
        guard var node = spec, doc.kind(node) == .mapping else { return nil }
        if kind == .cronJob {
            guard let jt = doc.value(node, forKey: "jobTemplate"), let js = doc.value(jt, forKey: "spec") else { return nil }
            node = js
        }
        let podMeta: Int32?
        let podSpec: Int32?
        if kind == .pod {
            podMeta = nil
            podSpec = node
        } else {
            guard let template = doc.value(node, forKey: "template"), doc.kind(template) == .mapping else { return nil }
            podMeta = doc.value(template, forKey: "metadata")
            podSpec = doc.value(template, forKey: "spec")
        }
        let labels = podMeta.flatMap { doc.value($0, forKey: "labels") }.map { plainKeyValues($0) } ?? []
        let annotations = podMeta.flatMap { doc.value($0, forKey: "annotations") }.map { plainKeyValues($0) } ?? []
        let sa = podSpec.flatMap { doc.value($0, forKey: "serviceAccountName") }.flatMap { plainString($0) }
        var template = PodTemplate(labels: labels, annotations: annotations, serviceAccount: sa)
        if let h = podSpec.flatMap({ doc.value($0, forKey: "hostNetwork") }), doc.kind(h) == .scalar {
            template.hostNetwork = doc.scalarEquals(h, "true")
        }
        // A pod has at least one container: a template that shows none does not show its ports either.
        template.containerPortsComplete = podSpec.map { plainList(doc.value($0, forKey: "containers")).isEmpty == false } ?? false
        if let podSpec, doc.kind(podSpec) == .mapping {
            for list in [doc.value(podSpec, forKey: "containers"), doc.value(podSpec, forKey: "initContainers")] {
                for c in plainList(list) where doc.kind(c) == .mapping {
                    for p in plainList(doc.value(c, forKey: "ports")) where doc.kind(p) == .mapping {
                        guard let number = plainString(doc.value(p, forKey: "containerPort"))?.value else { continue }
                        guard let port = Int(number), (1...65535).contains(port) else {
                            template.containerPortsComplete = false
                            continue
                        }
                        let name = plainString(doc.value(p, forKey: "name"))?.value
                        let proto = plainString(doc.value(p, forKey: "protocol"))?.value ?? "TCP"
                        if (name?.hasSubstitution ?? false) || proto.hasSubstitution { template.containerPortsComplete = false; continue }
                        template.containerPorts.append(ContainerPort(name: name, port: port, proto: proto))
                    }
                }
            }
        }
        return template
    }

    /// `spec` of a `v1` Service: its selector, type and ports. Read leniently: a Service is context, not linted.
    func decodeService(_ spec: Int32?) -> ServiceSpec {
        var out = ServiceSpec(selector: nil, ports: [])
        guard let spec, doc.kind(spec) == .mapping else { return out }
        if let sel = doc.value(spec, forKey: "selector"), doc.kind(sel) == .mapping { out.selector = plainKeyValues(sel) }
        out.type = plainString(doc.value(spec, forKey: "type"))?.value
        out.headless = plainString(doc.value(spec, forKey: "clusterIP"))?.value == "None"
        for p in plainList(doc.value(spec, forKey: "ports")) where doc.kind(p) == .mapping {
            guard let portNode = doc.value(p, forKey: "port"), let text = plainString(portNode)?.value,
                  let number = Int(text), (1...65535).contains(number) else { continue }
            let target: PortValue
            if let t = plainString(doc.value(p, forKey: "targetPort"))?.value {
                if let n = Int(t) { target = .number(n) } else if t.hasSubstitution { target = .substitution(t) } else { target = .named(t.lowercased()) }
            } else {
                target = .number(number)
            }
            out.ports.append(ServicePort(name: plainString(doc.value(p, forKey: "name"))?.value, port: number, span: span(portNode),
                                         targetPort: target, proto: (plainString(doc.value(p, forKey: "protocol"))?.value ?? "TCP").uppercased()))
        }
        return out
    }
}
