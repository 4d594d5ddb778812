/// The cluster as the repository declares it: namespaces with their labels and the namespace every namespaced
/// object ends up in.
///
/// An object's namespace is, in order: its `metadata.namespace`; else the `namespace:` of the nearest kustomize
/// `Kustomization` in its folder or an ancestor folder; else the `targetNamespace` of a Flux `Kustomization` whose
/// `path` contains the file. Otherwise it is unresolved (nil) — never a guess.
public struct Inventory: Sendable {
    public struct Namespace: Sendable {
        public var name: String
        /// Index of the `Namespace` object.
        public var object: Int
        public var labels: [KeyValue]
        /// Labels including the implicit `kubernetes.io/metadata.name`.
        public var effectiveLabels: [String: String]
    }

    /// A workload's pods as its pod template declares them.
    public struct Workload: Sendable {
        public var object: Int
        public var namespace: String
        public var podLabels: [String: String]
        public var serviceAccount: String?
    }

    /// Declared namespaces by name (the first declaration wins).
    public private(set) var namespaces: [String: Namespace] = [:]
    /// Resolved namespace per object index (nil for cluster-scoped or unresolved objects).
    public private(set) var objectNamespaces: [String?] = []
    /// Workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ReplicaSet) with a resolved namespace.
    public private(set) var workloads: [Workload] = []

    public init(files: [SourceFile], objects: [KubeObject]) {
        for (i, o) in objects.enumerated() where o.kind == .namespace {
            guard let name = o.meta.name?.value, namespaces[name] == nil else { continue }
            var labels: [String: String] = [:]
            for l in o.meta.labels { labels[l.key.value] = l.value.value }
            labels["kubernetes.io/metadata.name"] = name
            namespaces[name] = Namespace(name: name, object: i, labels: o.meta.labels, effectiveLabels: labels)
        }
        // Folder → namespace set by a kustomize Kustomization there.
        var kustomizeNamespace: [String: String] = [:]
        var fluxTargets: [(path: String, namespace: String)] = []
        for o in objects {
            let folder = FilePath.dirname(files[Int(o.span.file)].uri)
            if case .kustomization(let k) = o.body, let ns = k.namespace?.value, !ns.contains("${") {
                kustomizeNamespace[folder] = ns
            }
            if case .fluxKustomization(let f) = o.body, let path = f.path?.value, let ns = f.targetNamespace?.value,
               !ns.contains("${"), !path.contains("${") {
                fluxTargets.append((FilePath.normalize(path.hasPrefix("/") ? String(path.dropFirst()) : path), ns))
            }
        }
        // Resolved per folder, once: many objects share a folder.
        var memo: [String: String?] = [:]
        func kustomizeLookup(_ folder: String) -> String? {
            if let cached = memo[folder] { return cached }
            let result: String?
            if let ns = kustomizeNamespace[folder] {
                result = ns
            } else if folder == "." || folder == "/" || folder.isEmpty {
                result = nil
            } else {
                result = kustomizeLookup(FilePath.dirname(folder))
            }
            memo[folder] = .some(result)
            return result
        }
        // The deepest Flux path containing the folder: walk the folder's ancestors through a path index.
        var fluxByPath: [String: String] = [:]
        for t in fluxTargets where fluxByPath[t.path] == nil { fluxByPath[t.path] = t.namespace }
        func fluxLookup(_ folder: String) -> String? {
            guard !fluxByPath.isEmpty else { return nil }
            var f = folder
            while true {
                if let ns = fluxByPath[f] { return ns }
                if f == "." || f == "/" || f.isEmpty { return nil }
                f = FilePath.dirname(f)
            }
        }
        objectNamespaces = objects.map { o in
            guard o.kind.isNamespaced else { return nil }
            if let ns = o.meta.namespace?.value, !ns.isEmpty, !ns.contains("${") { return ns }
            let folder = FilePath.dirname(files[Int(o.span.file)].uri)
            return kustomizeLookup(folder) ?? fluxLookup(folder)
        }
        for (i, o) in objects.enumerated() {
            guard case .workload(let template?) = o.body, let ns = objectNamespaces[i] else { continue }
            var labels: [String: String] = [:]
            for l in template.labels where !l.value.value.contains("${") { labels[l.key.value] = l.value.value }
            workloads.append(Workload(object: i, namespace: ns, podLabels: labels,
                                      serviceAccount: template.serviceAccount?.value ?? "default"))
        }
    }

    public func namespace(of object: Int) -> String? { objectNamespaces[object] }

    /// Namespaces the repository knows: declared, or holding a resolved object.
    public var knownNamespaceNames: Set<String> {
        Set(namespaces.keys).union(objectNamespaces.compactMap { $0 })
    }
}
