/// The cluster as the repository declares it: namespaces with their labels and the namespace every namespaced
/// object ends up in.
///
/// An object's namespace is the one kustomize and Flux apply it in (`AppliedNamespaces`: the outermost kustomization
/// `namespace:` or Flux `targetNamespace` that includes its file, overriding `metadata.namespace`); else its
/// `metadata.namespace`; else the `namespace:` of the nearest kustomize `Kustomization` in its folder or an ancestor
/// folder; else the `targetNamespace` of a Flux `Kustomization` whose `path` contains the file. Otherwise it is
/// unresolved (nil) — never a guess.
public struct Inventory: Sendable {
    public struct Namespace: Sendable {
        public var name: String
        /// Index of the `Namespace` object.
        public var object: Int
        public var labels: [KeyValue]
        /// Labels including the implicit `kubernetes.io/metadata.name`; `${var}` values left out.
        public var effectiveLabels: [String: String]
        /// No label value is a `${var}` substitution: the labels are all known.
        public var labelsComplete: Bool = true
        /// Rendered from this ResourceSet's template (then `object` is the ResourceSet and `labels` point at the
        /// template), nil for a Namespace written in the repository.
        public var generatedBy: Int? = nil
    }

    /// Something the inventory could not work out, reported as a note (NP107), never guessed.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var span: Span
        public var object: Int
    }

    /// A workload's pods as its pod template declares them.
    public struct Workload: Sendable {
        public var object: Int
        /// `metadata.name` of the Deployment, StatefulSet, ...
        public var name: String
        public var namespace: String
        public var podLabels: [String: String]
        public var serviceAccount: String?
        /// Runs in the node's network namespace: network policies do not apply to its pods.
        public var hostNetwork: Bool = false
        /// The pods carry exactly these labels (false when some come from values the repository does not show).
        public var labelsComplete = true
        /// The ports its containers declare (`containers[].ports`, init containers included).
        public var containerPorts: [ContainerPort] = []
        /// `containerPorts` are all of them as written (false when a `${var}` or chart values hide some).
        public var containerPortsComplete = true
        /// The app-template controller id the pods belong to (nil for a workload written in the repository).
        public var controller: String? = nil

        /// The number a named port stands for on these pods, for one protocol; nil when no container declares it.
        public func resolve(portName name: String, proto: String) -> Int? {
            let name = name.lowercased()
            return containerPorts.first { $0.name == name && $0.proto == proto }?.port
        }

        /// A container of the pods declares the port.
        public func declares(port: Int, proto: String) -> Bool {
            containerPorts.contains { $0.port == port && $0.proto == proto }
        }
    }

    /// A Service that selects pods by labels: a connection to its `port` reaches a selected pod on `targetPort`
    /// (ClusterIP, NodePort, LoadBalancer), or — headless — goes to the pod directly, untranslated.
    public struct Service: Sendable {
        public var object: Int
        /// `metadata.name`, or for a chart's Service the key under `service:` in its values.
        public var name: String
        public var namespace: String
        /// `spec.selector` (nil for a chart's Service, which selects `workload`).
        public var selector: [String: String]?
        /// Index into `workloads` of the pods an app-template Service selects.
        public var workload: Int?
        public var ports: [ServicePort]
        /// `clusterIP: None`: no virtual address, no port translation; its targetPorts still say where the pods listen.
        public var headless = false

        /// How people name it: `Service 'web'`, or `service 'main' of HelmRelease 'x'`.
        public func displayName(_ objects: [KubeObject]) -> String {
            workload == nil ? "Service '\(name)'" : "service '\(name)' of \(objects[object].displayName)"
        }
    }

    /// Declared namespaces by name (the first declaration wins).
    public private(set) var namespaces: [String: Namespace] = [:]
    /// Resolved namespace per object index (nil for cluster-scoped or unresolved objects).
    public private(set) var objectNamespaces: [String?] = []
    /// What could not be resolved or rendered.
    public private(set) var notes: [Note] = []
    /// Workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ReplicaSet) with a resolved namespace.
    public private(set) var workloads: [Workload] = []
    /// Services that select pods by labels, with a resolved namespace: written ones and those app-template releases
    /// render (ExternalName Services and Services without a selector are left out).
    public private(set) var services: [Service] = []
    /// The Helm charts the repository deploys (`Inventory.charts`).
    public private(set) var charts: [Chart] = []

    public init(files: [SourceFile], objects: [KubeObject]) {
        self.init(files: files, objects: objects, memo: nil)
    }

    /// `applied`: the kustomize and Flux namespaces when the caller has them worked out on another thread (see
    /// `Linter.assemble`); what does not need them is done meanwhile.
    init(files: [SourceFile], objects: [KubeObject], memo: AppliedNamespacesMemo?, applied background: Background<AppliedNamespaces>? = nil) {
        // Folder → namespace set by a kustomize Kustomization there.
        var kustomizeNamespace: [String: String] = [:]
        var fluxTargets: [(path: String, namespace: String)] = []
        // Loops over every object look at a field through the index: copying a whole object retains all it holds.
        for i in objects.indices where objects[i].kind.isKustomizeStructure {
            let o = objects[i]
            if case .kustomization(let k) = o.body, let ns = k.namespace?.value, !ns.hasSubstitution {
                kustomizeNamespace[FilePath.dirname(files[Int(o.span.file)].uri)] = ns
            }
            if case .fluxKustomization(let f) = o.body, let path = f.path?.value, let ns = f.targetNamespace?.value,
               !ns.hasSubstitution, !path.hasSubstitution {
                fluxTargets.append((FilePath.normalize(path.hasPrefix("/") ? String(path.dropFirst()) : path), ns))
            }
        }
        // The deepest Flux path containing the folder.
        var fluxByPath: [String: String] = [:]
        for t in fluxTargets where fluxByPath[t.path] == nil { fluxByPath[t.path] = t.namespace }
        // The value `byFolder` has for the folder or its nearest ancestor, resolved once per folder (`memo`): many
        // objects share a folder, and folders share their ancestors.
        func nearest(_ folder: String, in byFolder: [String: String], memo: inout [String: String?]) -> String? {
            if byFolder.isEmpty { return nil }
            if let cached = memo[folder] { return cached }
            let result: String?
            if let ns = byFolder[folder] {
                result = ns
            } else if folder == "." || folder == "/" || folder.isEmpty {
                result = nil
            } else {
                result = nearest(FilePath.dirname(folder), in: byFolder, memo: &memo)
            }
            memo[folder] = .some(result)
            return result
        }
        var kustomizeMemo: [String: String?] = [:], fluxMemo: [String: String?] = [:]
        // The namespace each namespaced object names or falls into before any kustomization that includes its file
        // has its say: metadata.namespace; else the nearest kustomization `namespace:` of the folder or an ancestor,
        // or a Flux targetNamespace whose path holds the folder. Objects of one file share the folder's answer.
        var owns = [String?](repeating: nil, count: objects.count)
        var lastFile: Int32 = -1
        var lastFolderAnswer: String?
        var folderAnswers: [String: String?] = [:]
        for i in objects.indices where objects[i].kind.isNamespaced {
            if let written = objects[i].meta.namespace.map(\.value).flatMap(AppliedNamespaces.namespace) {
                owns[i] = written
                continue
            }
            let file = objects[i].span.file
            if file != lastFile {
                lastFile = file
                let folder = FilePath.dirname(files[Int(file)].uri)
                if let known = folderAnswers[folder] {
                    lastFolderAnswer = known
                } else {
                    lastFolderAnswer = nearest(folder, in: kustomizeNamespace, memo: &kustomizeMemo)
                        ?? nearest(folder, in: fluxByPath, memo: &fluxMemo)
                    folderAnswers[folder] = .some(lastFolderAnswer)
                }
            }
            owns[i] = lastFolderAnswer
        }

        let applied = background?.value ?? {
            let uris = files.map(\.uri)
            return memo?.value(uris: uris, objects: objects) ?? AppliedNamespaces(uris: uris, objects: objects)
        }()
        for i in objects.indices where objects[i].kind == .namespace {
            let o = objects[i]
            // Kustomize renames a Namespace to the namespace its kustomization sets (`metadata: {name: _}` is
            // common); one shared by several kustomizations becomes several namespaces.
            let own = o.meta.name?.value
            let renamed = applied.namespaces(ofFile: o.span.file, own: own)
            let names = renamed.isEmpty ? own.map { [$0] } ?? [] : renamed.compactMap { $0 }.sorted()
            for name in names where namespaces[name] == nil {
                let (labels, complete) = Self.effectiveLabels(o.meta.labels, name: name)
                namespaces[name] = Namespace(name: name, object: i, labels: o.meta.labels, effectiveLabels: labels, labelsComplete: complete)
            }
        }
        renderResourceSets(files: files, objects: objects)
        var multiple: [Int: [String]] = [:]
        objectNamespaces = objects.indices.map { i in
            guard objects[i].kind.isNamespaced else { return nil }
            // The namespace the object is applied in: the kustomization's or Flux's when one includes the file
            // (it overrides metadata.namespace); else metadata.namespace; else the nearest kustomization `namespace:`
            // of the folder or an ancestor, or a Flux targetNamespace whose path holds the folder.
            let own = owns[i]
            let set = applied.namespaces(ofFile: objects[i].span.file, own: own)
            if set.count > 1 {
                multiple[i] = set.compactMap { $0 }.sorted()
                return nil
            }
            return set.first ?? own
        }
        sharedNamespaces = multiple
        for i in objects.indices where objects[i].kind.isPolicy && objects[i].kind.isNamespaced && objectNamespaces[i] == nil {
            if multiple[i] != nil { continue }
            unresolvedFolders[i] = FilePath.dirname(files[Int(objects[i].span.file)].uri)
            let o = objects[i]
            notes.append(Note(message: "the namespace of \(o.displayName) cannot be resolved (no metadata.namespace, no kustomization namespace, no Flux targetNamespace): it is left out of the semantic checks and of trace",
                              span: o.anchor, object: i))
        }
        for i in objects.indices where objects[i].kind.isWorkload {
            guard case .workload(let template?) = objects[i].body else { continue }
            let o = objects[i]
            var labels: [String: String] = [:]
            var complete = true
            for l in template.labels {
                if l.value.value.hasSubstitution || l.key.value.hasSubstitution { complete = false; continue }
                labels[l.key.value] = l.value.value
            }
            for ns in namespaces(of: i) {
                workloadIndex[ns, default: []].append(workloads.count)
                var w = Workload(object: i, name: o.name, namespace: ns, podLabels: labels,
                                 serviceAccount: template.serviceAccount?.value ?? "default", hostNetwork: template.hostNetwork)
                w.labelsComplete = complete
                w.containerPorts = template.containerPorts
                w.containerPortsComplete = template.containerPortsComplete
                workloads.append(w)
            }
        }
        for i in objects.indices where objects[i].kind == .service {
            guard case .service(let spec) = objects[i].body, let selector = spec.selector, !selector.isEmpty, spec.type != "ExternalName",
                  !selector.contains(where: { $0.key.value.hasSubstitution || $0.value.value.hasSubstitution }) else { continue }
            var labels: [String: String] = [:]
            for l in selector { labels[l.key.value] = l.value.value }
            for ns in namespaces(of: i) {
                serviceIndex[ns, default: []].append(services.count)
                services.append(Service(object: i, name: objects[i].name, namespace: ns, selector: labels, ports: spec.ports, headless: spec.headless))
            }
        }
        // Asked for the few objects that name a chart: looked up on demand, not worked out for every object.
        let own = objectNamespaces, shared = sharedNamespaces
        charts = Self.charts(objects: objects, files: files, namespaces: { Self.namespaces(of: $0, own: own, shared: shared) })
        // The pods of app-template HelmReleases (AppTemplate): the chart is named in the release or in the
        // OCIRepository its chartRef points at.
        for chart in charts where chart.name == "app-template" {
            guard let own = chart.namespace, case .helmRelease(let release) = objects[chart.object].body,
                  let key = AppTemplate.controllerLabelKey(version: chart.version?.value) else { continue }
            // A `${var}` target namespace is unknown: those pods are left out, not put in the release's namespace.
            let target = release.targetNamespace.map(AppliedNamespaces.namespace)
            guard let ns = target ?? own else { continue }
            var byController: [String: Int] = [:]
            for w in AppTemplate.workloads(release, object: chart.object, name: objects[chart.object].name, namespace: ns, labelKey: key) {
                if let id = w.controller { byController[id] = workloads.count }
                workloadIndex[ns, default: []].append(workloads.count)
                workloads.append(w)
            }
            for s in AppTemplate.services(release, controllers: Array(byController.keys)) {
                guard let w = byController[s.controller] else { continue }
                serviceIndex[ns, default: []].append(services.count)
                services.append(Service(object: chart.object, name: s.name, namespace: ns, workload: w, ports: s.ports, headless: s.headless))
            }
        }
    }

    public func namespace(of object: Int) -> String? { objectNamespaces[object] }

    /// Every namespace an object is applied in: one, or several when kustomizations share its file (a component
    /// or base included with different `namespace:`s); empty when unresolved.
    public func namespaces(of object: Int) -> [String] {
        Self.namespaces(of: object, own: objectNamespaces, shared: sharedNamespaces)
    }

    private static func namespaces(of object: Int, own: [String?], shared: [Int: [String]]) -> [String] {
        if let ns = own[object] { return [ns] }
        return shared[object] ?? []
    }

    /// Objects applied in several namespaces (`namespaces(of:)`).
    private var sharedNamespaces: [Int: [String]] = [:]

    /// Indices into `workloads` by namespace.
    private var workloadIndex: [String: [Int]] = [:]

    /// The workloads of one namespace.
    public func workloads(in namespace: String) -> [Workload] { (workloadIndex[namespace] ?? []).map { workloads[$0] } }

    /// Indices into `services` by namespace.
    private var serviceIndex: [String: [Int]] = [:]

    /// The Services that select the pods of `workloads[index]`: same namespace, and every selector label on the
    /// pods (a chart's Service: the controller it names).
    public func services(selecting index: Int) -> [Service] {
        let w = workloads[index]
        return (serviceIndex[w.namespace] ?? []).map { services[$0] }.filter { s in
            if let target = s.workload { return target == index }
            guard let selector = s.selector else { return false }
            return selector.allSatisfy { w.podLabels[$0.key] == $0.value }
        }
    }

    /// The folder of a namespaced policy whose namespace is unresolved (objects of one folder share a namespace; the
    /// semantics engine places the policy in a stand-in namespace of that folder).
    public private(set) var unresolvedFolders: [Int: String] = [:]

    /// A Namespace's labels as a map, with `kubernetes.io/metadata.name`; `${var}` values are unknown, not text.
    static func effectiveLabels(_ labels: [KeyValue], name: String) -> (labels: [String: String], complete: Bool) {
        var out: [String: String] = [:]
        var complete = true
        for l in labels {
            if l.value.value.hasSubstitution { complete = false; continue }
            out[l.key.value] = l.value.value
        }
        out["kubernetes.io/metadata.name"] = name
        return (out, complete)
    }

    /// Namespaces the repository knows: declared, or holding a resolved object.
    public var knownNamespaceNames: Set<String> {
        Set(namespaces.keys).union(objectNamespaces.compactMap { $0 })
    }

    /// Flux Operator ResourceSets that generate Namespaces: each input rendered through `resourcesTemplate`, the
    /// Namespaces among the results added (a Namespace written in the repository wins). What cannot be rendered
    /// becomes a note naming the construct.
    mutating func renderResourceSets(files: [SourceFile], objects: [KubeObject]) {
        for i in objects.indices where objects[i].kind == .resourceSet {
            guard case .resourceSet(let spec) = objects[i].body else { continue }
            let o = objects[i]
            if !spec.resources.isEmpty { renderResources(spec, object: o, index: i) }
            guard let text = spec.template, let inputs = renderInputs(spec, o, i, at: text.span) else { continue }
            func position(_ line: Int, _ column: Int) -> Span {
                guard let start = spec.templateStart else { return text.span }
                let fileLine = start.line + line - 1
                // A block scalar's lines are indented in the file by its first line's indentation (read back from the
                // file; the decoder's guess of two spaces past the key when it cannot be read).
                let indent = Self.indentation(ofLine: start.line, in: files[Int(text.span.file)].path).map { $0 + 1 } ?? start.column
                let startColumn = line == 1 && start.column > indent ? start.column : indent
                return Span(file: text.span.file, line: Int32(fileLine), column: Int32(startColumn + column - 1))
            }
            let template: FluxTemplate
            do {
                template = try FluxTemplate(text.value)
            } catch {
                notes.append(Note(message: "\(o.displayName): resourcesTemplate cannot be rendered: \(error.message); the Namespaces it generates are not known to the linter",
                                  span: position(error.line, error.column), object: i))
                continue
            }
            var skippedKinds = Set<String>()
            for (n, input) in inputs.enumerated() {
                let rendered: String
                do {
                    rendered = try template.render(["inputs": input])
                } catch {
                    notes.append(Note(message: "\(o.displayName): input \(n + 1) cannot be rendered: \(error.message)",
                                      span: position(error.line, error.column), object: i))
                    continue
                }
                var parser = YAMLParser()
                let result = Array(rendered.utf8).withUnsafeBytes { parser.parse($0) }
                if let e = result.error {
                    notes.append(Note(message: "\(o.displayName): input \(n + 1) renders to invalid YAML (\(e.message) at rendered line \(e.line))",
                                      span: text.span, object: i))
                }
                for document in result.documents {
                    for generated in ModelDecoder.decode(document, file: text.span.file).objects {
                        guard generated.kind == .namespace else {
                            if generated.kind.isPolicy { skippedKinds.insert(generated.kind.rawValue) }
                            continue
                        }
                        guard let name = generated.meta.name?.value else { continue }
                        // Each label is reported where it is written: at the input value it comes from
                        // (`<< inputs.profile >>`), else at its key's line in the template.
                        let labels = generated.meta.labels.map { label in
                            let at = Self.templateSpan(of: label.key.value, in: text.value, input: n < spec.inputSpans.count ? spec.inputSpans[n] : [:],
                                                       position: position) ?? text.span
                            return KeyValue(key: Located(label.key.value, at), value: Located(label.value.value, at))
                        }
                        addGenerated(name, labels: labels, by: i)
                    }
                }
            }
            noteSkipped(skippedKinds, o, i, at: text.span)
        }
    }

    /// The inputs a ResourceSet renders with: its `inputs`, or one empty input when it has none (Flux renders once);
    /// nil, with a note, when they come from the cluster (`inputsFrom`).
    mutating func renderInputs(_ spec: ResourceSetSpec, _ o: KubeObject, _ i: Int, at span: Span) -> [TemplateValue]? {
        if spec.inputs.isEmpty && spec.hasExternalInputs {
            notes.append(Note(message: "\(o.displayName) takes its inputs from the cluster (inputsFrom): the objects it generates are not known to the linter",
                              span: span, object: i))
            return nil
        }
        return spec.inputs.isEmpty ? [.map([:])] : spec.inputs
    }

    /// A Namespace a ResourceSet generates (a declared one of the same name wins); its labels point at `span`.
    mutating func addGenerated(_ name: String, labels: [(String, String)], at span: Span, by i: Int) {
        addGenerated(name, labels: labels.map { KeyValue(key: Located($0.0, span), value: Located($0.1, span)) }, by: i)
    }

    /// Where a generated label is written: on the template line holding `key:`, the input value that line reads
    /// (`inputs.<field>`) when the input has it, else the key itself. Nil when the template does not spell the key.
    static func templateSpan(of key: String, in template: String, input: [String: Span],
                             position: (Int, Int) -> Span) -> Span? {
        for (n, line) in template.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let r = line.range(of: key + ":") else { continue }
            if let ref = line.range(of: "inputs.") {
                let field = line[ref.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if let s = input[String(field)] { return s }
            }
            return position(n + 1, line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: r.lowerBound) + 1)
        }
        return nil
    }

    mutating func addGenerated(_ name: String, labels located: [KeyValue], by i: Int) {
        guard !name.isEmpty, namespaces[name] == nil else { return }
        let (effective, complete) = Self.effectiveLabels(located, name: name)
        namespaces[name] = Namespace(name: name, object: i, labels: located, effectiveLabels: effective,
                                     labelsComplete: complete, generatedBy: i)
    }

    mutating func noteSkipped(_ kinds: Set<String>, _ o: KubeObject, _ i: Int, at span: Span) {
        guard !kinds.isEmpty else { return }
        notes.append(Note(message: "\(o.displayName) generates \(kinds.sorted().joined(separator: ", ")) objects; generated policies are not linted",
                          span: span, object: i))
    }

    /// `spec.resources`: each object's string values rendered per input; Namespaces are added like the template's.
    mutating func renderResources(_ spec: ResourceSetSpec, object o: KubeObject, index i: Int) {
        let anchor = spec.resourcesSpan ?? o.anchor
        guard let inputs = renderInputs(spec, o, i, at: anchor) else { return }
        var skippedKinds = Set<String>()
        var failed = false
        for (n, input) in inputs.enumerated() {
            for resource in spec.resources {
                let rendered: TemplateValue
                do {
                    rendered = try Self.render(resource, with: input, depth: 0)
                } catch {
                    if !failed {
                        notes.append(Note(message: "\(o.displayName): resources cannot be rendered for input \(n + 1): \(error.message); the Namespaces it generates are not known to the linter",
                                          span: anchor, object: i))
                    }
                    failed = true
                    continue
                }
                guard case .map(let fields) = rendered, case .string(let kind)? = fields["kind"] else { continue }
                if ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "NetworkPolicy"].contains(kind) { skippedKinds.insert(kind) }
                guard kind == "Namespace", case .map(let meta)? = fields["metadata"], case .string(let name)? = meta["name"] else { continue }
                var labels: [(String, String)] = []
                if case .map(let given)? = meta["labels"] {
                    for (k, v) in given.sorted(by: { $0.key < $1.key }) {
                        switch v {
                        case .string(let s), .number(let s): labels.append((k, s))
                        case .bool(let b): labels.append((k, b ? "true" : "false"))
                        default: continue
                        }
                    }
                }
                addGenerated(name, labels: labels, at: anchor, by: i)
            }
        }
        noteSkipped(skippedKinds, o, i, at: anchor)
    }

    /// The number of leading spaces of a line of a file (1-based), nil when the file cannot be read.
    static func indentation(ofLine line: Int, in path: String) -> Int? {
        guard line >= 1, let bytes = FileReader.read(path, limit: 16 << 20) else { return nil }
        var current = 1, i = 0
        while i < bytes.count && current < line {
            if bytes[i] == UInt8(ascii: "\n") { current += 1 }
            i += 1
        }
        guard current == line else { return nil }
        var n = 0
        while i + n < bytes.count && bytes[i + n] == UInt8(ascii: " ") { n += 1 }
        return n
    }

    /// A rendered value read as the YAML scalar it becomes in the rendered text (quotes removed, escapes applied).
    static func yamlScalar(_ text: String) -> String {
        guard let first = text.first, first == "\"" || first == "'" else { return text }
        var parser = YAMLParser()
        let result = Array(("v: " + text).utf8).withUnsafeBytes { parser.parse($0) }
        guard result.error == nil, let doc = result.documents.first, doc.root >= 0,
              let value = doc.value(doc.root, forKey: "v"), doc.kind(value) == .scalar else { return text }
        return doc.string(value)
    }

    /// Renders every string of a value that holds a template action.
    static func render(_ value: TemplateValue, with input: TemplateValue, depth: Int) throws(FluxTemplateError) -> TemplateValue {
        guard depth < 64 else { return value }
        switch value {
        case .string(let s) where s.contains("<<"):
            // Flux renders the resource's YAML text and parses it again: `<< x | quote >>` yields a quoted scalar.
            return .string(yamlScalar(try FluxTemplate(s).render(["inputs": input])))
        case .list(let items):
            var out: [TemplateValue] = []
            for item in items { out.append(try render(item, with: input, depth: depth + 1)) }
            return .list(out)
        case .map(let fields):
            var out: [String: TemplateValue] = [:]
            for (k, v) in fields { out[k] = try render(v, with: input, depth: depth + 1) }
            return .map(out)
        default:
            return value
        }
    }
}
