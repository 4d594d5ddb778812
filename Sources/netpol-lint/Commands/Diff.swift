import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "What a change does to who can reach whom: the flows whose verdict differs between two revisions.",
            discussion: """
                Reads --base (and --head, default: the work tree) from git without touching the work tree or the \
                index and without running anything the repository configures (hooks, fsmonitor, filters); resolves \
                each into the model and lists every flow between pod groups, on the ports the policies name, whose \
                verdict changed (newly allowed, newly denied, now conditional), with the rules that decide each side \
                (file:line at that revision), grouped by namespace pair; then the policies, namespaces and workloads \
                added, removed, changed or moved. See docs/diff.md.
                Exit status: 0 no verdict changes, 1 changes, 2 usage error (an unknown revision is named).
                """)

        enum DiffFormat: String, ExpressibleByArgument, CaseIterable { case text, md, json }

        @Option(help: "The revision to compare against (a branch, tag or commit: origin/main, HEAD~1).")
        var base: String

        @Option(help: "The revision with the change (default: the work tree as it is).")
        var head: String?

        @Argument(help: "Files or folders inside the repository to compare (default: the current directory).")
        var paths: [String] = []

        @Option(name: .shortAndLong, help: "Output format: text, md (for a pull request's job summary) or json.")
        var format: DiffFormat = .text

        @Option(name: .shortAndLong, help: "Write the report to FILE instead of standard output.")
        var output: String?

        @Option(help: "Convention preset (well-known endpoints); overrides the config file.")
        var preset: String?

        @Option(help: "Configuration file (default: .netpol-lint.yaml found upward from the first path, in the work tree).")
        var config: String?

        func run() throws {
            let cwd = FilePath.currentDirectory()
            for p in paths where !FilePath.exists(p) && head == nil { fail("'\(p)' does not exist") }
            let anchor = paths.first ?? "."
            let start = FilePath.absolute(FilePath.exists(anchor) ? anchor : cwd)
            guard let root = FilePath.findUpward(".git", from: FilePath.isDirectory(start) ? start : FilePath.dirname(start)) else {
                fail("'\(anchor)' is not inside a git repository")
            }
            // Pathspecs relative to the repository root.
            var pathspecs: [String] = []
            for p in paths {
                let abs = FilePath.normalize(FilePath.absolute(p))
                guard FilePath.isInside(abs, root) || abs == root else { fail("'\(p)' is outside the repository \(root)") }
                let rel = FilePath.relative(abs, to: root)
                if rel != "." && !rel.isEmpty { pathspecs.append(rel) }
            }
            if pathspecs.count != paths.count { pathspecs = [] }  // one of them is the whole repository
            let configuration = loadConfiguration(anchor: anchor, file: config, preset: preset)
            let configRelative = configuration.file.map { FilePath.relative(FilePath.normalize(FilePath.absolute($0)), to: root) }

            let baseCommit: String
            switch GitRevision.resolve(base, in: root) {
            case .success(let c): baseCommit = c
            case .failure(let e): fail("--base: \(e)")
            }
            var headCommit: String?
            if let head {
                switch GitRevision.resolve(head, in: root) {
                case .success(let c): headCommit = c
                case .failure(let e): fail("--head: \(e)")
                }
            }
            let linter = Linter(rules: builtInRules)
            var folders: [String] = []
            defer { for f in folders { GitRevision.removeTree(f) } }
            /// A usage error once temporary folders exist: they are removed first (`fail` exits at once).
            func bail(_ message: String) -> Never {
                for f in folders { GitRevision.removeTree(f) }
                fail(message)
            }

            /// A revision read from git into a fresh folder, loaded as if that folder were the repository.
            func revision(_ commit: String) -> (AuditEngine, String) {
                guard let folder = GitRevision.temporaryFolder() else { bail("cannot create a temporary folder") }
                folders.append(folder)
                switch GitRevision.materialize(commit: commit, root: root, pathspecs: pathspecs, into: folder) {
                case .success: break
                case .failure(let e): bail("\(e)")
                }
                var c = configuration
                // Excludes are relative to the configuration's folder: its place in this copy.
                if let rel = configRelative { c.file = FilePath.join(folder, rel) }
                let targets = pathspecs.isEmpty ? [folder] : pathspecs.map { FilePath.join(folder, $0) }.filter(FilePath.exists)
                let request = LintRequest(paths: targets.isEmpty ? [folder] : targets, configuration: c, repositoryRoot: folder,
                                          workingDirectory: folder)
                let context = linter.load(request).context
                return (Convention.auditEngine(context), folder)
            }
            let (baseEngine, baseFolder) = revision(baseCommit)
            if head != nil {
                // Without the work tree, a mistyped path would compare nothing and pass: it must exist in a revision.
                for (p, spec) in zip(paths, pathspecs) where !FilePath.exists(FilePath.join(baseFolder, spec)) {
                    let headHas = GitRevision.git(root, ["cat-file", "-e", "\(headCommit!):\(spec)"]).status == 0
                    if !headHas && !FilePath.exists(p) { bail("'\(p)' exists in neither revision") }
                }
            }
            let headEngine: AuditEngine, headFolder: String
            if let headCommit {
                (headEngine, headFolder) = revision(headCommit)
            } else {
                let targets = pathspecs.isEmpty ? [root] : pathspecs.map { FilePath.join(root, $0) }
                let context = linter.load(LintRequest(paths: targets, configuration: configuration, repositoryRoot: root,
                                                      workingDirectory: root)).context
                headEngine = Convention.auditEngine(context)
                headFolder = root
            }
            let report = ConnectivityDiff.compute(
                base: baseEngine, head: headEngine, baseRoot: baseFolder, headRoot: headFolder,
                baseName: "\(base) (\(baseCommit.prefix(7)))",
                headName: head.map { "\($0) (\(headCommit!.prefix(7)))" } ?? "the work tree")
            let text: String = switch format {
            case .text: DiffTextReporter(report: report).render()
            case .md: DiffMarkdownReporter(report: report).render()
            case .json: DiffJSONReporter(report: report).render()
            }
            if let output {
                guard FileOutput.write(text, to: output) else { bail("cannot write '\(output)'") }
            } else {
                FileOutput.standardOutput(text)
            }
            FileOutput.standardError("netpol-lint: diff: \(report.newlyAllowed) newly allowed, \(report.newlyDenied) newly denied, \(report.nowConditional) now conditional\n")
            if !report.changes.isEmpty { throw ExitCode(1) }
        }
    }
}
