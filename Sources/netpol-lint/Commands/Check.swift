import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Lint the YAML manifests under PATH... (default: the current directory).",
            discussion: "Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error (a PATH that does not exist included).")

        enum FailOn: String, ExpressibleByArgument, CaseIterable { case error, warning, note, never }

        @Argument(help: "Files or folders to lint.")
        var paths: [String] = []

        @Option(name: .shortAndLong, help: "Output format: text, json, sarif or github.")
        var format: OutputFormat = .text

        @Option(name: .shortAndLong, help: "Write the report to FILE instead of standard output.")
        var output: String?

        @Flag(help: "Read one file from standard input (editor-on-save); needs --stdin-filename.")
        var stdin = false

        @Option(help: "The path the standard-input buffer is linted as; the rest of its repository is context.")
        var stdinFilename: String?

        @Option(help: "Lowest severity that makes the exit status 1: error, warning, note or never.")
        var failOn: FailOn = .error

        @Option(help: "Convention preset: homelab-profiles, tiered-zero-trust or kubernetes (overrides the config file).")
        var preset: String?

        @Option(help: "Configuration file (default: .netpol-lint.yaml found upward from the first path).")
        var config: String?

        @Option(name: .customLong("enable"), help: "Enable rules by id or name: NP204 or hardcoded-ip (repeatable; a comma list is fine).")
        var enable: [String] = []

        @Option(name: .customLong("disable"), help: "Disable rules by id or name: NP204 or hardcoded-ip (repeatable; a comma list is fine).")
        var disable: [String] = []

        // `.unconditional` so that `--jobs -1` is answered with what is wrong, not "missing value".
        @Option(parsing: .unconditional, help: "Parallel workers for reading and parsing files (at least 1).")
        var jobs: Int = 2

        @Option(parsing: .unconditional, help: ArgumentHelp(
            "Largest file read: 10MB, 512KB or a byte count, as maxFileSize in the configuration; bigger files are reported (NP106) and skipped. (default: the configuration's maxFileSize, else \(ByteSize.defaultText))",
            valueName: "size"))
        var maxFileSize: String?

        @Option(help: ArgumentHelp("Colour the text output: auto (a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
        var color: ColorChoice = .auto

        @Option(help: ArgumentHelp("Leave out the findings an accepted-findings file lists (written by --write-accepted); fail only on new ones, and name the accepted ones that no longer occur.", valueName: "file"))
        var accepted: String?

        @Option(help: ArgumentHelp("Record today's findings in an accepted-findings file (e.g. \(AcceptedFindings.defaultFileName)) and exit 0; entries for files or rules outside this run are kept.", valueName: "file"))
        var writeAccepted: String?

        func validate() throws {
            if stdin && stdinFilename == nil { throw ValidationError("--stdin needs --stdin-filename PATH") }
            if !stdin && stdinFilename != nil { throw ValidationError("--stdin-filename is only used with --stdin") }
            if jobs < 1 { throw ValidationError("--jobs must be a number of workers, at least 1 (got \(jobs))") }
            if case .failure(let problem) = maxFileSizeBytes { throw ValidationError("--max-file-size \(problem.message)") }
            for name in ruleSelection.enable + ruleSelection.disable where name.isEmpty {
                throw ValidationError("--enable/--disable: an empty rule name in a comma list")
            }
        }

        /// `--max-file-size` in bytes (nil: the configuration decides).
        var maxFileSizeBytes: Result<Int, ByteSize.Problem>? { maxFileSize.map(ByteSize.parse) }

        /// `--enable NP204,NP205 --enable naming`: the rule names, comma lists split.
        var ruleSelection: (enable: [String], disable: [String]) {
            func split(_ list: [String]) -> [String] {
                list.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { $0 != " " }) } }
            }
            return (split(enable), split(disable))
        }

        func run() throws {
            PhaseClock.start()
            // Also the context of --stdin: a missing one would silently lint the buffer without its repository.
            requireExistingPaths(paths)
            let cwd = FilePath.currentDirectory()
            let anchor = stdinFilename ?? paths.first ?? "."
            let configuration = loadConfiguration(anchor: anchor, file: config, preset: preset)
            let root = Self.repositoryRoot(anchor: anchor, configuration: configuration, cwd: cwd)
            var lintPaths = paths.isEmpty ? ["."] : paths
            var request = LintRequest(paths: lintPaths, configuration: configuration, repositoryRoot: root, workingDirectory: cwd)
            if stdin, let name = stdinFilename {
                let limit = (try? maxFileSizeBytes?.get()) ?? configuration.maxFileSize
                switch FileReader.readStandardInput(limit: limit) {
                case .bytes(let b): request.stdin = (b, name)
                case .tooLarge: fail("standard input is larger than the \(ByteSize.describe(limit)) limit")
                case .failed(let reason): fail("cannot read standard input: \(reason)")
                }
                // Context: the repository the file belongs to — its configuration's folder when that lies inside the
                // git root (a repository of several convention trees), else the git root.
                if paths.isEmpty {
                    lintPaths = [Self.repositoryContext(file: name, configuration: configuration)]
                    request.paths = lintPaths
                }
            } else if case let files = paths.filter({ !FilePath.isDirectory($0) }), !files.isEmpty {
                // Files named on the command line (pre-commit passes the staged ones) are judged with their repository
                // around them, by the rule --stdin uses: only their findings (and those of named folders) are reported.
                request.targets = paths
                var seen = Set<String>()
                let contexts = files.map { Self.repositoryContext(file: $0, configuration: configuration) }
                request.paths = (paths + contexts).filter { seen.insert(FilePath.absolute($0)).inserted }
            }
            request.jobs = jobs
            request.reportKeepsModel = true
            request.maxFileSize = (try? maxFileSizeBytes?.get()) ?? configuration.maxFileSize
            (request.enable, request.disable) = ruleSelection
            var report: LintReport
            PhaseClock.mark("setup")
            do {
                report = try Linter(rules: builtInRules).run(request)
            } catch {
                fail("\(error)")
            }
            let scope = AcceptedFindings.Scope(
                roots: (request.stdin.map { [$0.filename] } ?? request.targets ?? request.paths).map { path in
                    FilePath.relative(FilePath.absolute(path), to: root)
                },
                rules: Set(report.rulesRun))
            if let file = writeAccepted {
                let previous = FilePath.exists(file) ? Self.readAccepted(file) : AcceptedFindings(entries: [])
                let updated = previous.updated(with: report, scope: scope)
                guard FileOutput.write(updated.serialized(), to: file) else { fail("cannot write '\(file)'") }
                let kept = updated.entries.count - report.findings.count
                FileOutput.standardError("netpol-lint: wrote \(report.findings.count) accepted finding\(report.findings.count == 1 ? "" : "s") to \(file)"
                                         + (kept > 0 ? " (and kept \(kept) from files or rules outside this run)" : "") + "\n")
                return
            }
            if let file = accepted {
                let (count, stale) = Self.readAccepted(file).apply(to: &report, scope: scope)
                report.accepted = count
                for e in stale {
                    FileOutput.standardError("\(file): note: accepted finding no longer occurs: \(e.path):\(e.line): \(e.message) [\(e.rule)]\n")
                }
                if !stale.isEmpty {
                    FileOutput.standardError("netpol-lint: \(stale.count) accepted finding\(stale.count == 1 ? " no longer occurs" : "s no longer occur"); 'netpol-lint check --write-accepted \(file)' removes \(stale.count == 1 ? "it" : "them") from the file\n")
                }
            }
            let colored = format == .text && output == nil
                && color.enabled(isTerminal: FileOutput.standardOutputIsTerminal,
                                 environment: ["NO_COLOR": FileOutput.environment("NO_COLOR") ?? "", "TERM": FileOutput.environment("TERM") ?? ""])
            let text = format == .text ? TextReporter(color: colored).render(report) : reporter(for: format).render(report)
            if let output {
                guard FileOutput.write(text, to: output) else { fail("cannot write '\(output)'") }
            } else {
                FileOutput.standardOutput(text)
            }
            if format == .github { GitHubReporter().appendStepSummary(report) }
            PhaseClock.mark("report")
            PhaseClock.report()
            FileOutput.standardError(report.summaryLine + "\n")
            if let counts = report.ruleCounts(top: 5) { FileOutput.standardError("by rule: \(counts)\n") }
            if report.statistics.filesDiscovered == 0 {
                // As ruff does: an empty run is said out loud, so a wrong path in CI is noticed. The exit status
                // still follows the findings (usually 0: nothing was found).
                let list = lintPaths.map { "'\($0)'" }.joined(separator: ", ")
                FileOutput.standardError("netpol-lint: warning: no YAML files (*.yaml, *.yml) found under \(list)"
                                         + " (after the configuration's exclude: globs); nothing was linted\n")
            }
            let threshold: Severity? = switch failOn {
            case .error: .error
            case .warning: .warning
            case .note: .note
            case .never: nil
            }
            let failed = threshold.map { t in report.findings.contains { $0.severity >= t } } ?? false
            // Everything is written: exit here, while the report and the repository's model are still alive, so the
            // process does not spend time freeing them one by one on its way out.
            withExtendedLifetime(report) {
                NetpolLintCommand.exit(withError: failed ? ExitCode(1) : .success)
            }
        }

        /// An accepted-findings file, or exit 2 with its problem on one line.
        static func readAccepted(_ file: String) -> AcceptedFindings {
            guard let bytes = FileReader.read(file, limit: 256 << 20) else { fail("cannot read the accepted-findings file '\(file)'") }
            switch AcceptedFindings.parse(bytes, file: file) {
            case .success(let accepted): return accepted
            case .failure(let problem):
                FileOutput.standardError("\(problem)\n")
                NetpolLintCommand.exit(withError: ExitCode(2))
            }
        }

        /// The folder read as context for a `--stdin` file or a file named on the command line: its configuration's
        /// folder when the file lies inside it (and it inside the git root, if any); else the git root; else the
        /// file's own folder — never the whole working directory.
        static func repositoryContext(file: String, configuration: Configuration) -> String {
            let absolute = FilePath.absolute(file)
            let folder = FilePath.dirname(absolute)
            let git = FilePath.findUpward(".git", from: folder)
            if let config = configuration.file {
                let configFolder = FilePath.dirname(FilePath.absolute(config))
                if FilePath.isInside(absolute, configFolder), git.map({ FilePath.isInside(configFolder, $0) }) ?? true {
                    return configFolder
                }
            }
            return git ?? folder
        }

        /// SARIF URIs are relative to the git root, else the configuration's folder, else the linted folder (the
        /// current directory when it contains it).
        static func repositoryRoot(anchor: String, configuration: Configuration, cwd: String) -> String {
            let start = FilePath.exists(anchor) ? anchor : FilePath.dirname(FilePath.absolute(anchor))
            if let git = FilePath.findUpward(".git", from: start) { return git }
            if let file = configuration.file { return FilePath.dirname(FilePath.absolute(file)) }
            var folder = FilePath.absolute(start)
            if !FilePath.isDirectory(folder) { folder = FilePath.dirname(folder) }
            return FilePath.isInside(folder, FilePath.normalize(cwd)) ? cwd : folder
        }
    }
}
