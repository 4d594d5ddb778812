/// The namespaces kustomize and Flux give the objects of each file, as they apply them.
///
/// - Kustomize's `namespace:` is a transformer: it overrides `metadata.namespace` of every namespaced object the
///   kustomization includes (its `resources:`, and the resources of its `components:`), and renames a `Namespace`
///   object to it; nested kustomizations are built inner first, so the outermost `namespace:` wins.
///   (kustomize docs, "namespace": https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/)
/// - A Flux `Kustomization`'s `spec.targetNamespace` sets that transformer on the kustomization at `spec.path`, so it
///   overrides all of them again; without a `kustomization.yaml` at the path Flux generates one that includes every
///   manifest below it (Flux docs, kustomize.toolkit.fluxcd.io/v1, "Target namespace" and "Generating a
///   kustomization.yaml file": https://fluxcd.io/flux/components/kustomize/kustomizations/).
///
/// A file reached through several kustomizations (a component or base shared by namespaces) may be applied in
/// several namespaces: all are kept. Remote resources and `${var}` values are left out, never guessed.
struct AppliedNamespaces {
    /// Per file (repository-relative URI) that a kustomization includes: the namespaces its objects are applied in,
    /// nil for a chain of kustomizations that sets none (the object keeps its own `metadata`).
    private(set) var namespaces: [String: Set<String?>] = [:]

    init(files: [SourceFile], objects: [KubeObject]) {
        var kustomizations: [String: KustomizationSpec] = [:]
        var fluxRoots: [(path: String, namespace: String?)] = []
        for o in objects {
            let uri = files[Int(o.span.file)].uri
            switch o.body {
            case .kustomization(let k) where Self.kustomizationNames.contains(FilePath.basename(uri)):
                kustomizations[FilePath.dirname(uri)] = k
            case .fluxKustomization(let f):
                guard let path = f.path?.value, !path.hasSubstitution else { continue }
                let target = f.targetNamespace.map(\.value).flatMap(Self.namespace)
                fluxRoots.append((Self.resolve(path.hasPrefix("/") ? String(path.dropFirst()) : path, from: "."), target))
            default: continue
            }
        }
        guard !kustomizations.isEmpty || fluxRoots.contains(where: { $0.namespace != nil }) else { return }
        let fileSet = Set(files.map(\.uri))
        // Each kustomization's local entries as repository paths, resolved once (a kustomization is visited once per
        // namespace it is applied in).
        var entries: [String: [String]] = [:]
        for (folder, k) in kustomizations {
            entries[folder] = (k.resources + k.components).compactMap { Self.local($0.value, from: folder) }
        }
        var referenced = Set<String>()
        for (_, paths) in entries {
            for path in paths where kustomizations[path] != nil { referenced.insert(path) }
        }
        struct Visit: Hashable {
            var folder: String
            var outer: String?
        }
        var visited = Set<Visit>()
        func record(_ file: String, _ namespace: String?) { namespaces[file, default: []].insert(namespace) }
        func visit(_ folder: String, outer: String?, depth: Int) {
            guard depth < 64, let k = kustomizations[folder],
                  visited.insert(Visit(folder: folder, outer: outer)).inserted else { return }
            let namespace = outer ?? k.namespace.map(\.value).flatMap(Self.namespace)
            for path in entries[folder] ?? [] {
                if kustomizations[path] != nil {
                    visit(path, outer: namespace, depth: depth + 1)
                } else if fileSet.contains(path) {
                    record(path, namespace)
                }
            }
        }
        // The generated kustomization of a Flux path without one: every manifest below the path, a folder with a
        // kustomization as a whole. Files are sorted once, so each path reads only its own range of them; each
        // file's folder and the kustomization folders at or above it are worked out once for all paths.
        let manifests = fileSet.filter(Self.isManifest).sorted()
        let manifestFolders = manifests.map(FilePath.dirname)
        // Per folder: the kustomization folders at or above it, nearest first.
        var chains: [String: [String]] = [:]
        func chain(_ folder: String) -> [String] {
            if let known = chains[folder] { return known }
            var c: [String] = kustomizations[folder] != nil ? [folder] : []
            if folder != "." && folder != "/" && !folder.isEmpty { c += chain(FilePath.dirname(folder)) }
            chains[folder] = c
            return c
        }
        struct Root: Hashable {
            var path: String
            var namespace: String?
        }
        var seenRoots = Set<Root>()
        for root in fluxRoots where seenRoots.insert(Root(path: root.path, namespace: root.namespace)).inserted {
            referenced.insert(root.path)
            if kustomizations[root.path] != nil {
                visit(root.path, outer: root.namespace, depth: 0)
                continue
            }
            let range = Self.below(root.path, in: manifests)
            // The topmost kustomization folder inside the path at or above a file's folder: its kustomization
            // includes the file. Consecutive files often share a folder.
            var lastFolder: String?
            var lastTop: String?
            var visitedTops = Set<String>()
            for i in range.indices {
                let folder = manifestFolders[i]
                if folder != lastFolder {
                    lastFolder = folder
                    lastTop = chain(folder).last { Self.inside($0, root.path) }
                }
                if let top = lastTop {
                    if visitedTops.insert(top).inserted {
                        referenced.insert(top)
                        visit(top, outer: root.namespace, depth: 0)
                    }
                } else {
                    record(manifests[i], root.namespace)
                }
            }
        }
        // Kustomizations nobody includes are built on their own (`kubectl apply -k`, a Flux path not in the repo).
        for folder in kustomizations.keys.sorted() where !referenced.contains(folder) {
            visit(folder, outer: nil, depth: 0)
        }
    }

    /// The namespaces of a file's objects: `own` (their metadata) where a chain sets none; empty when no
    /// kustomization includes the file.
    func namespaces(ofFile uri: String, own: String?) -> Set<String?> {
        guard let applied = namespaces[uri] else { return [] }
        return applied.contains(nil) ? Set(applied.map { $0 ?? own }) : applied
    }

    static let kustomizationNames: Set<String> = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// The sorted paths below `folder` ("." is all): one contiguous range, since `/` sorts just before `0`.
    static func below(_ folder: String, in sorted: [String]) -> ArraySlice<String> {
        guard folder != "." else { return sorted[...] }
        func lowerBound(_ key: String) -> Int {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid] < key { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        return sorted[lowerBound(folder + "/")..<lowerBound(folder + "0")]
    }

    static func inside(_ path: String, _ folder: String) -> Bool { folder == "." || FilePath.isInside(path, folder) }

    static func isManifest(_ uri: String) -> Bool { uri.hasSuffix(".yaml") || uri.hasSuffix(".yml") || uri.hasSuffix(".json") }

    /// A namespace value that can be used: no `${var}`, not empty.
    static func namespace(_ text: String) -> String? { text.isEmpty || text.hasSubstitution ? nil : text }

    /// A resource entry as a repository path, nil for remote ones (URLs, `github.com/…`) and `${var}`s.
    static func local(_ entry: String, from folder: String) -> String? {
        if Substring(entry).range(of: "://") != nil || entry.hasPrefix("github.com/") || entry.hasPrefix("git@") || entry.hasSubstitution { return nil }
        return resolve(entry, from: folder)
    }

    static func resolve(_ path: String, from folder: String) -> String {
        // `./x.yaml` is `x.yaml`: without the leading `./` most entries join into a path that is already normal.
        var path = Substring(path)
        while path.utf8.count > 2, path.utf8.starts(with: "./".utf8) { path = path.dropFirst(2) }
        let joined = FilePath.normalize(folder == "." || folder.isEmpty ? String(path) : folder + "/" + path)
        return joined.isEmpty ? "." : joined
    }
}

/// The last `AppliedNamespaces` of a `Workspace`, reused while its inputs — every file's URI and the kustomize / Flux
/// objects, with the files they are in — are the same: an edit of a policy in an editor changes neither.
final class AppliedNamespacesMemo: Sendable {
    struct Inputs: Equatable {
        var uris: [String]
        var structure: [KubeObject]
        var structureFiles: [Int32]

        init(files: [SourceFile], objects: [KubeObject]) {
            uris = files.map(\.uri)
            structure = objects.filter { $0.kind == .kustomization || $0.kind == .fluxKustomization }
            structureFiles = structure.map(\.span.file)
        }
    }

    private let last = Locked<(inputs: Inputs, value: AppliedNamespaces)?>(nil)

    init() {}

    func value(files: [SourceFile], objects: [KubeObject]) -> AppliedNamespaces {
        let inputs = Inputs(files: files, objects: objects)
        if let hit = last.withLock({ $0 }), hit.inputs == inputs { return hit.value }
        let value = AppliedNamespaces(files: files, objects: objects)
        last.withLock { $0 = (inputs, value) }
        return value
    }
}

