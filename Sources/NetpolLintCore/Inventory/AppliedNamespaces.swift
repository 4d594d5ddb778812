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
    /// Per file (by its index in the run) that a kustomization includes: which of `sets` holds the namespaces its
    /// objects are applied in; -1 for the files no kustomization includes. Few distinct sets serve many files.
    private var setOfFile: [Int32] = []
    /// The namespaces a file's objects are applied in; nil for a chain of kustomizations that sets none (the object
    /// keeps its own `metadata`).
    private var sets: [Set<String?>] = []

    /// `uris`: every file's repository-relative URI, by index (the objects' `span.file`). `index`: those of the
    /// walked files (a prefix of `uris`) already indexed (`URIIndex`); built here when not given.
    init(uris: [String], objects: [KubeObject], index given: URIIndex? = nil) {
        // Kustomization folders numbered as they are met (`folderID`), each with its kustomization (a second file of
        // the same folder takes its place).
        var folderID: [String: Int] = [:]
        var folders: [String] = []
        var specs: [KustomizationSpec] = []
        var fluxRoots: [(path: String, namespace: String?)] = []
        for o in objects.indices where objects[o].kind.isKustomizeStructure {
            let uri = uris[Int(objects[o].span.file)]
            switch objects[o].body {
            case .kustomization(let k) where Self.isKustomizationFile(uri):
                let folder = FilePath.dirname(uri)
                if let known = folderID[folder] {
                    specs[known] = k
                } else {
                    folderID[folder] = folders.count
                    folders.append(folder)
                    specs.append(k)
                }
            case .fluxKustomization(let f):
                guard let path = f.path?.value, !path.hasSubstitution else { continue }
                let target = f.targetNamespace.map(\.value).flatMap(Self.namespace)
                fluxRoots.append((Self.resolve(path.hasPrefix("/") ? String(path.dropFirst()) : path, from: "."), target))
            default: continue
            }
        }
        setOfFile = [Int32](repeating: -1, count: uris.count)
        guard !folders.isEmpty || fluxRoots.contains(where: { $0.namespace != nil }) else { return }
        // Files, folders, kustomization folders and namespaces are numbered once, so that following the includes (a
        // kustomization is visited once per namespace it is applied in) compares numbers, not paths. Files past the
        // index (the walk's problems, the configuration file) hold no object: nothing is applied to them.
        let index = given ?? URIIndex(uris: uris)
        var namespaceNames: [String?] = [nil]
        var namespaceID: [String: Int] = [:]
        func id(ofNamespace name: String?) -> Int {
            guard let name else { return 0 }
            if let known = namespaceID[name] { return known }
            namespaceNames.append(name)
            namespaceID[name] = namespaceNames.count - 1
            return namespaceNames.count - 1
        }
        enum Entry {
            case kustomization(Int)
            case file(Int)
        }
        // Each kustomization's local entries (resources and components), resolved once: another kustomization, or a
        // file of the repository; entries that are neither are dropped.
        var entries: [[Entry]] = []
        var ownNamespace: [Int] = []
        var referenced = [Bool](repeating: false, count: folders.count)
        for (folder, k) in zip(folders, specs) {
            ownNamespace.append(id(ofNamespace: k.namespace.map(\.value).flatMap(Self.namespace)))
            var own: [Entry] = []
            own.reserveCapacity(k.resources.count + k.components.count)
            func add(_ list: [Located<String>]) {
                for entry in list {
                    guard let path = Self.local(entry.value, from: folder) else { continue }
                    if let sub = folderID[path] {
                        referenced[sub] = true
                        own.append(.kustomization(sub))
                    } else if let file = index.files[path] {
                        own.append(.file(file))
                    }
                }
            }
            add(k.resources)
            add(k.components)
            entries.append(own)
        }
        var visited = Set<Int>()
        // The namespaces (numbers) each file is applied in. Nearly every file gets one: it is kept in `applied`, and
        // only the files given more than one have a set (`appliedMore`), which spares a set per file.
        var applied = [Int32](repeating: -1, count: uris.count)
        var appliedMore: [Int: Set<Int32>] = [:]
        func apply(_ namespace: Int, to file: Int) {
            let ns = Int32(namespace)
            let first = applied[file]
            if first < 0 {
                applied[file] = ns
            } else if first != ns {
                appliedMore[file, default: [first]].insert(ns)
            }
        }
        /// `outer`: the namespace (number) an including kustomization sets, -1 for none.
        func visit(_ folder: Int, outer: Int, depth: Int) {
            guard depth < 64, visited.insert(folder &* 0x1_0000_0000 &+ (outer &+ 1)).inserted else { return }
            let namespace = outer >= 0 ? outer : ownNamespace[folder]
            // A chain that sets no namespace passes none on: an inner kustomization may still set its own.
            let passed = namespace == 0 ? -1 : namespace
            for entry in entries[folder] {
                switch entry {
                case .kustomization(let sub): visit(sub, outer: passed, depth: depth + 1)
                case .file(let file): apply(namespace, to: file)
                }
            }
        }
        // Per folder (by its number in the index): the kustomization folders at or above it, nearest first.
        var kustomizationIn = [Int](repeating: -1, count: index.folders.count)
        for (k, folder) in folders.enumerated() { if let n = index.folderNumbers[folder] { kustomizationIn[Int(n)] = k } }
        var chains = [[Int]?](repeating: nil, count: index.folders.count)
        func chain(_ folder: Int) -> [Int] {
            if let known = chains[folder] { return known }
            var c: [Int] = kustomizationIn[folder] >= 0 ? [kustomizationIn[folder]] : []
            if index.parents[folder] >= 0 { c += chain(Int(index.parents[folder])) }
            chains[folder] = c
            return c
        }
        struct Root: Hashable {
            var path: String
            var namespace: String?
        }
        // Flux paths with a kustomization are built from it; the others get a generated one (below).
        var generated: [(path: String, outer: Int, namespace: Int)] = []
        var generatedAt: [String: [Int]] = [:]
        var seenRoots = Set<Root>()
        for root in fluxRoots where seenRoots.insert(Root(path: root.path, namespace: root.namespace)).inserted {
            let outer = root.namespace.map { id(ofNamespace: $0) } ?? -1
            if let folder = folderID[root.path] {
                referenced[folder] = true
                visit(folder, outer: outer, depth: 0)
                continue
            }
            generatedAt[root.path, default: []].append(generated.count)
            generated.append((root.path, outer, id(ofNamespace: root.namespace)))
        }
        // The generated kustomization of a Flux path without one includes every manifest below the path, a folder
        // with a kustomization as a whole: the topmost kustomization folder inside the path at or above the
        // manifest's folder includes the manifest. Worked out once per folder (manifests of a folder are mostly
        // consecutive): the generated paths at or above it (".": all), each with that kustomization (-1: none).
        if !generated.isEmpty {
            var visitedTops = [Set<Int>](repeating: [], count: generated.count)
            // The generated paths at or above a folder, nearest first ("." last: it holds every folder, those of
            // absolute paths too). A path that is no folder of the index holds no manifest.
            let everywhere = generatedAt["."] ?? []
            var generatedIn = [[Int]](repeating: [], count: index.folders.count)
            for (path, roots) in generatedAt where path != "." {
                if let n = index.folderNumbers[path] { generatedIn[Int(n)] = roots }
            }
            var above = [[Int]?](repeating: nil, count: index.folders.count)
            func rootsAbove(_ folder: Int) -> [Int] {
                if index.parents[folder] < 0 { return everywhere }
                if let known = above[folder] { return known }
                let found = generatedIn[folder] + rootsAbove(Int(index.parents[folder]))
                above[folder] = found
                return found
            }
            var byFolder = [[(root: Int, top: Int)]?](repeating: nil, count: index.folders.count)
            func matches(_ folder: Int) -> [(root: Int, top: Int)] {
                if let known = byFolder[folder] { return known }
                let roots = rootsAbove(folder)
                let found = roots.isEmpty ? [] : roots.map { r in
                    (root: r, top: chain(folder).last { Self.inside(folders[$0], generated[r].path) } ?? -1)
                }
                byFolder[folder] = found
                return found
            }
            var lastFolder: Int32 = -1
            var lastMatches: [(root: Int, top: Int)] = []
            for i in 0..<index.count where index.manifestFolder[i] >= 0 {
                let folder = index.manifestFolder[i]
                if folder != lastFolder {
                    lastFolder = folder
                    lastMatches = matches(Int(folder))
                }
                for (root, top) in lastMatches {
                    if top >= 0 {
                        if visitedTops[root].insert(top).inserted {
                            referenced[top] = true
                            visit(top, outer: generated[root].outer, depth: 0)
                        }
                    } else {
                        apply(generated[root].namespace, to: i)
                    }
                }
            }
        }
        // Kustomizations nobody includes are built on their own (`kubectl apply -k`, a Flux path not in the repo).
        for folder in folders.indices.filter({ !referenced[$0] }).sorted(by: { folders[$0] < folders[$1] }) {
            visit(folder, outer: -1, depth: 0)
        }
        // The distinct sets numbered in file order: a file with one namespace by the namespace's number, the others
        // by their set.
        var numberedOne = [Int32](repeating: -1, count: namespaceNames.count)
        var numbered: [Set<Int32>: Int32] = [:]
        for file in applied.indices where applied[file] >= 0 {
            if let set = appliedMore[file] {
                if let known = numbered[set] {
                    setOfFile[file] = known
                    continue
                }
                numbered[set] = Int32(sets.count)
                setOfFile[file] = Int32(sets.count)
                sets.append(Set(set.map { namespaceNames[Int($0)] }))
                continue
            }
            let ns = Int(applied[file])
            if numberedOne[ns] < 0 {
                numberedOne[ns] = Int32(sets.count)
                sets.append([namespaceNames[ns]])
            }
            setOfFile[file] = numberedOne[ns]
        }
        for (later, first) in index.repeated { setOfFile[later] = setOfFile[first] }
    }

    /// The namespaces of a file's objects: `own` (their metadata) where a chain sets none; empty when no
    /// kustomization includes the file.
    func namespaces(ofFile file: Int32, own: String?) -> Set<String?> {
        let k = setOfFile[Int(file)]
        guard k >= 0 else { return [] }
        let applied = sets[Int(k)]
        return applied.contains(nil) ? Set(applied.map { $0 ?? own }) : applied
    }

    /// Whether the file is a kustomization kustomize reads: `kustomization.yaml`, `kustomization.yml` or
    /// `Kustomization` (on the URI's bytes: asked for every kustomize object).
    static func isKustomizationFile(_ uri: String) -> Bool {
        func named(_ name: StaticString) -> Bool {
            uri.hasByteSuffix(name) && (uri.utf8.count == name.utf8CodeUnitCount
                || uri.utf8[uri.utf8.index(uri.utf8.endIndex, offsetBy: -name.utf8CodeUnitCount - 1)] == UInt8(ascii: "/"))
        }
        return named("kustomization.yaml") || named("kustomization.yml") || named("Kustomization")
    }

    static func inside(_ path: String, _ folder: String) -> Bool { folder == "." || FilePath.isInside(path, folder) }

    static func isManifest(_ uri: String) -> Bool { Discovery.isYAMLName(uri) || uri.hasByteSuffix(".json") }

    /// A namespace value that can be used: no `${var}`, not empty.
    static func namespace(_ text: String) -> String? { text.isEmpty || text.hasSubstitution ? nil : text }

    /// A resource entry as a repository path, nil for remote ones (URLs, `github.com/…`) and `${var}`s.
    static func local(_ entry: String, from folder: String) -> String? {
        if Substring(entry).range(of: "://") != nil || entry.hasPrefix("github.com/") || entry.hasPrefix("git@") || entry.hasSubstitution { return nil }
        return resolve(entry, from: folder)
    }

    /// `path` joined to `folder` and normalised, on the UTF-8 bytes (one string built per join): thousands of entries
    /// are resolved per run.
    static func resolve(_ path: String, from folder: String) -> String {
        var path = path, folder = folder
        let joined = path.withUTF8 { p in
            folder.withUTF8 { f -> String in
                // `./x.yaml` is `x.yaml`: without the leading `./` most entries join into a path that is already normal.
                var start = 0
                while p.count - start > 2, p[start] == UInt8(ascii: "."), p[start + 1] == UInt8(ascii: "/") { start += 2 }
                let rest = UnsafeBufferPointer(rebasing: p[start...])
                let prefix = f.count == 0 || (f.count == 1 && f[0] == UInt8(ascii: ".")) ? 0 : f.count + 1
                return String(unsafeUninitializedCapacity: prefix + rest.count) { out in
                    if prefix > 0 {
                        _ = out.initialize(fromContentsOf: f)
                        out[f.count] = UInt8(ascii: "/")
                    }
                    _ = UnsafeMutableBufferPointer(rebasing: out[prefix...]).initialize(fromContentsOf: rest)
                    return prefix + rest.count
                }
            }
        }
        let normal = FilePath.normalize(joined)
        return normal.isEmpty ? "." : normal
    }
}

/// The walked files' URIs indexed for `AppliedNamespaces`: the first file of each URI, and each manifest's folder
/// and every folder's parent by number. Built on the walk's thread once the walk has ended, while the workers still
/// parse (`Linter.load`), or by `AppliedNamespaces` itself.
struct URIIndex: Sendable {
    /// How many files (the first `count` URIs) are indexed.
    let count: Int
    /// URI → the first file that has it.
    private(set) var files: [String: Int] = [:]
    /// Later files whose URI an earlier one has (overlapping roots): one file to kustomize.
    private(set) var repeated: [(later: Int, first: Int)] = []
    /// Per file: its folder's number when it is a manifest met first, else -1.
    private(set) var manifestFolder: [Int32] = []
    /// Folder number → its URI, and its parent's number (-1 for ".", "/" and "", which have none).
    private(set) var folders: [String] = []
    private(set) var parents: [Int32] = []
    private(set) var folderNumbers: [String: Int32] = [:]

    init(uris: [String]) {
        count = uris.count
        files.reserveCapacity(uris.count)
        manifestFolder = [Int32](repeating: -1, count: uris.count)
        var last: (folder: String, number: Int32)?
        for (i, uri) in uris.enumerated() {
            // One lookup when the URI is new (nearly always); put back when an earlier file has it.
            if let first = files.updateValue(i, forKey: uri) {
                files[uri] = first
                repeated.append((i, first))
                continue
            }
            guard AppliedNamespaces.isManifest(uri) else { continue }
            // Files come folder after folder: the folder is made a string only when it changes.
            if let last, FilePath.isInFolder(uri, last.folder) {
                manifestFolder[i] = last.number
            } else {
                let folder = FilePath.dirname(uri)
                let n = number(folder)
                last = (folder, n)
                manifestFolder[i] = n
            }
        }
    }

    /// The folder's number, given with its ancestors' the first time.
    private mutating func number(_ folder: String) -> Int32 {
        if let known = folderNumbers[folder] { return known }
        let parent: Int32 = folder == "." || folder == "/" || folder.isEmpty ? -1 : number(FilePath.dirname(folder))
        let n = Int32(folders.count)
        folders.append(folder)
        parents.append(parent)
        folderNumbers[folder] = n
        return n
    }
}

/// The last `AppliedNamespaces` of a `Workspace`, reused while its inputs — every file's URI and the kustomize / Flux
/// objects, with the files they are in — are the same: an edit of a policy in an editor changes neither.
final class AppliedNamespacesMemo: Sendable {
    struct Inputs: Equatable {
        var uris: [String]
        var structure: [KubeObject]
        var structureFiles: [Int32]

        init(uris: [String], objects: [KubeObject]) {
            self.uris = uris
            structure = objects.filter(\.kind.isKustomizeStructure)
            structureFiles = structure.map(\.span.file)
        }
    }

    private let last = Locked<(inputs: Inputs, value: AppliedNamespaces)?>(nil)

    init() {}

    func value(uris: [String], objects: [KubeObject], index: URIIndex? = nil) -> AppliedNamespaces {
        let inputs = Inputs(uris: uris, objects: objects)
        if let hit = last.withLock({ $0 }), hit.inputs == inputs { return hit.value }
        let value = AppliedNamespaces(uris: uris, objects: objects, index: index)
        last.withLock { $0 = (inputs, value) }
        return value
    }
}

