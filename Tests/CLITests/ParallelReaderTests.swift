import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// Files are read, parsed and decoded by parallel workers (`--jobs`): any number of workers finds exactly what one
/// finds. ThreadSanitizer runs this suite (scripts/sanitizers.sh) to catch data races in the reader.
@Suite struct ParallelReaderTests {
    /// A tree with every kind of file the reader meets: policies with findings, broken YAML, duplicates, aliases,
    /// templates, UTF-16, binary, empty and many-document files.
    static func tree() -> String {
        var files: [(path: String, content: String)] = []
        for i in 0..<240 {
            let name = "p\(i)"
            switch i % 8 {
            case 0: files.append(("apps/\(name).yaml", "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: \(name), namespace: ns\(i % 7)}\nspec:\n  endpointSelector: {matchLabels: {app: a\(i)}}\n  egress:\n    - toCIDR: [10.0.\(i).0/24]\n    - toEntities: [world]\n      toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]\n  egressDeny:\n    - toCIDR: [10.0.0.0/16]\n"))
            case 1: files.append(("apps/\(name).yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: ns\(i % 7)}\nspec:\n  podSelector: {}\n  ingress: [{}]\n  egres: []\n"))
            case 2: files.append(("broken/\(name).yaml", "a: [1, 2\nb: \(i)\n"))
            case 3: files.append(("dup/\(name).yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\(i % 7)\n  name: again\n  labels: {team: t\(i)}\n"))
            case 4: files.append(("alias/\(name).yaml", "base: &b {app: x\(i)}\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: \(name), namespace: ns1}\nspec:\n  endpointSelector: {matchLabels: *b}\n  ingress: [{fromEndpoints: [{matchLabels: *b}]}]\n"))
            case 5: files.append(("charts/\(name).yaml", "metadata:\n  name: x\n{{- if .Values.on }}\nspec: {}\n{{- end }}\n"))
            case 6: files.append(("many/\(name).yaml", String(repeating: "---\nkind: ConfigMap\n", count: 50) + "---\nkind: ciliumnetworkpolicy\napiVersion: cilium.io/v2\n"))
            default:
                if i % 16 == 15 {
                    // Documents the model reads among others that only get notes, with a duplicate key in between: with
                    // one worker the first are decoded on the walk's thread and put back in order.
                    files.append(("mixed/\(name).yaml", "apiVersion: networking.k8s.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: m\(i), namespace: ns1}\nspec: {endpointSelector: {}}\n---\nkind: networkpolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: mixed\(i)\n  name: again\n---\n- {apiVersion: v1, kind: Service}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n\(i), namespace: ns2}\nspec:\n  endpointSelector: {}\n  egres: []\n  egress: [{toCIDR: [10.1.\(i).0/24]}]\n"))
                } else if i % 32 == 23 {
                    // Suppression directives (one used, one hiding nothing, one malformed) and a binary file: what the
                    // walk's thread scans ahead of the worker with one worker, and each worker itself with more.
                    files.append(("directives/\(name).yaml", "# netpol-lint: disable-next-line NP204 -- lab range\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: \(name), namespace: ns3}\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR: [10.9.\(i).0/24]  # netpol-lint: disable-line NP205 -- nothing here\n# netpol-lint: disable-nextline NP204\n"))
                    files.append(("binary/\(name).yaml", "a: 1\n\u{0}\u{0}b: 2\n"))
                } else {
                    files.append(("empty/\(name).yaml", i % 16 == 7 ? "" : "# nothing\n"))
                }
            }
        }
        return TestSupport.writeTree(files)
    }

    func findings(_ dir: String, jobs: Int, roots: [String]? = nil) throws -> [String] {
        var request = LintRequest(paths: roots ?? [dir], configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
        request.jobs = jobs
        request.enable = builtInRules.map { $0.description.id }
        let r = try Linter(rules: builtInRules).run(request)
        return r.findings.map { "\(r.files[Int($0.span.file)].path):\($0.span.line):\($0.span.column) \($0.ruleID) \($0.message)" }
    }

    @Test func anyNumberOfWorkersFindsWhatOneFinds() throws {
        let dir = Self.tree()
        let one = try findings(dir, jobs: 1)
        #expect(one.count > 240, "\(one.count) findings")
        for rule in ["NP100", "NP101", "NP105", "NP108", "NP109", "NP110", "NP204"] {
            #expect(one.contains { $0.contains(" \(rule) ") }, "no \(rule) finding in \(Set(one.map { $0.split(separator: " ")[1] }))")
        }
        for jobs in [2, 3, 8] {
            let many = try findings(dir, jobs: jobs)
            #expect(many == one, "--jobs \(jobs) differs from --jobs 1")
        }
    }

    /// The walk holds the folders it is in open (files are opened by name in them) up to a depth; deeper folders are
    /// opened and read by path: every file of a very deep tree is read, with one worker or several.
    @Test func filesDeeperThanTheOpenFoldersAreRead() throws {
        let depths = [0, 1, Discovery.openFolders - 1, Discovery.openFolders, Discovery.openFolders + 1, 90]
        let files = depths.map { depth in
            (path: String(repeating: "d/", count: depth) + "p\(depth).yaml",
             content: "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p\(depth), namespace: ns}\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR: [10.0.0.0/24]\n")
        }
        let dir = TestSupport.writeTree(files)
        let one = try findings(dir, jobs: 1)
        // Each file read and decoded has its hard-coded CIDR found; one that could not be opened would have an NP100.
        let read = Set(one.filter { $0.contains(" NP204 ") }.map { String($0.split(separator: ":")[0].split(separator: "/").last!) })
        #expect(read == Set(depths.map { "p\($0).yaml" }), "files whose policy was read: \(read.sorted())")
        #expect(!one.contains { $0.contains(" NP100 ") }, "\(one.filter { $0.contains(" NP100 ") })")
        #expect(try findings(dir, jobs: 2) == one, "--jobs 2 differs from --jobs 1")
    }

    /// With more than one worker the walk hands files to the readers as it finds them: overlapping roots (a folder and
    /// a file or folder inside it) are still read once each, in the same order as with one worker.
    @Test func overlappingRootsWhileWalking() throws {
        let dir = Self.tree()
        let roots = [dir + "/apps", dir, dir + "/alias/p4.yaml", dir + "/apps"]
        let one = try findings(dir, jobs: 1, roots: roots)
        // Findings are sorted by path: reading every file once gives the single root's list.
        #expect(one == (try findings(dir, jobs: 1)), "overlapping roots changed the findings")
        for jobs in [2, 5] {
            #expect(try findings(dir, jobs: jobs, roots: roots) == one, "--jobs \(jobs) differs from --jobs 1")
        }
    }
}
