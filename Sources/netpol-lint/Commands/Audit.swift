import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Audit the repository's policies against a documented baseline: the traffic matrix and capabilities, undocumented flows, drift from a live cluster, observed Hubble flows.",
            discussion: """
                --spec FILE is a NetworkBaseline (apiVersion netpol-lint.io/v1alpha1; see docs/audit.md). Without \
                it, the audit reports what the repository allows today; --write-spec FILE writes a starter spec from \
                that. --live FILE compares with `kubectl get cnp,ccnp,netpol,ns -A -o yaml`; --flows FILE replays \
                `hubble observe -o json` output.
                Exit status: 0 every row and capability passes and nothing disagrees (no drift, no observed flow the \
                repository contradicts), 1 otherwise, 2 usage or spec error.
                """)

        enum AuditFormat: String, ExpressibleByArgument, CaseIterable { case text, md, html, json }

        @Argument(help: "Files or folders holding the policies (default: the current directory).")
        var paths: [String] = []

        @Option(help: "The documented baseline: a NetworkBaseline spec (docs/audit.md).")
        var spec: String?

        @Option(help: "A live cluster export: `kubectl get cnp,ccnp,netpol,ns -A -o yaml` (a List or several documents).")
        var live: String?

        @Option(help: "Observed flows: `hubble observe -o json` output, one JSON object per line.")
        var flows: String?

        @Option(name: .shortAndLong, help: "Output format: text, md (GitHub markdown), html (one self-contained page) or json.")
        var format: AuditFormat = .text

        @Option(name: .shortAndLong, help: "Write the report to FILE instead of standard output.")
        var output: String?

        @Option(help: "Write a starter spec documenting what the repository allows today to FILE (refuses to overwrite an existing file).")
        var writeSpec: String?

        @Option(help: "Convention preset (platform namespaces and well-known endpoints); overrides the config file.")
        var preset: String?

        @Option(help: "Configuration file (default: .netpol-lint.yaml found upward from the first path).")
        var config: String?

        func run() throws {
            let cwd = FilePath.currentDirectory()
            requireExistingPaths(paths)
            for (option, file) in [("--spec", spec), ("--live", live), ("--flows", flows)] {
                if let file, !FilePath.exists(file) { fail("\(option): '\(file)' does not exist") }
            }
            if let writeSpec, FilePath.exists(writeSpec) { fail("--write-spec: '\(writeSpec)' already exists; remove it or choose another name") }
            if writeSpec != nil && spec != nil { fail("--write-spec writes a new spec from what the repository allows; it cannot be combined with --spec") }
            // The spec first: its errors are usage errors (exit 2), found before any work.
            var baseline: BaselineSpec?
            if let spec {
                switch BaselineSpec.load(path: spec) {
                case .success(let s): baseline = s
                case .failure(let errors):
                    FileOutput.standardError(errors.description + "\n")
                    FileOutput.standardError("netpol-lint: \(errors.errors.count) error\(errors.errors.count == 1 ? "" : "s") in the spec\n")
                    throw ExitCode(2)
                }
            }
            let anchor = paths.first ?? "."
            let configuration = loadConfiguration(anchor: anchor, file: config, preset: preset)
            let root = Check.repositoryRoot(anchor: anchor, configuration: configuration, cwd: cwd)
            let request = LintRequest(paths: paths.isEmpty ? ["."] : paths, configuration: configuration,
                                      repositoryRoot: root, workingDirectory: cwd)
            let linter = Linter(rules: builtInRules)
            let enabled: [(rule: any Rule.Type, severity: Severity)]
            do { enabled = try linter.enabledRules(request) } catch { fail("\(error)") }
            let (context, _, _) = linter.load(request)
            let engine = Convention.auditEngine(context, spec: baseline)
            var report = engine.run(paths: paths.isEmpty ? ["."] : paths, preset: configuration.preset)
            report.findings = FindingsSummary(linter.check(context, enabled: enabled), rules: linter.rules.map { $0.description })

            if let live {
                switch LiveDrift.compare(context: context, livePath: live) {
                case .success(let (entries, notes)):
                    report.drift = entries
                    report.livePath = live
                    report.notes += notes.map { "live export: \($0)" }
                case .failure(let error):
                    FileOutput.standardError("\(error)\n")
                    throw ExitCode(2)
                }
            }
            if let flows {
                switch HubbleFlows.read(path: flows) {
                case .success(let (groups, statistics)):
                    report.flows = engine.observed(groups)
                    report.flowStatistics = statistics
                    report.flowsPath = flows
                    if statistics.used == 0 {
                        let skipped = statistics.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                        FileOutput.standardError("netpol-lint: warning: no line of \(flows) is a policy verdict or policy drop of `hubble observe -o json` (\(statistics.lines) lines\(skipped.isEmpty ? "" : ": " + skipped))\n")
                    }
                case .failure(let error):
                    FileOutput.standardError("\(error)\n")
                    throw ExitCode(2)
                }
            }
            if let writeSpec {
                let text = StarterSpec(engine: engine, report: report, name: FilePath.basename(FilePath.absolute(anchor))).render()
                guard FileOutput.write(text, to: writeSpec) else { fail("cannot write '\(writeSpec)'") }
                FileOutput.standardError("netpol-lint: wrote a starter spec to \(writeSpec); check it, then run: netpol-lint audit --spec \(writeSpec)\n")
            }

            let text: String = switch format {
            case .text: AuditTextReporter(report: report).render()
            case .json: AuditJSONReporter(report: report).render()
            case .md: AuditMarkdownReporter(report: report).render()
            case .html: AuditHTMLReporter(report: report).render()
            }
            if let output {
                guard FileOutput.write(text, to: output) else { fail("cannot write '\(output)'") }
            } else {
                FileOutput.standardOutput(text)
            }
            let s = report.summary
            var summary = "netpol-lint: audit \(report.passed ? "passed" : "did not pass"): \(s.pass) pass, \(s.fail) fail, \(s.conditional) conditional, \(s.undocumented) undocumented flows"
            if report.drift != nil { summary += ", \(s.drift) drift" }
            if report.flows != nil { summary += ", \(s.flowsDisagreeing) observed flow\(s.flowsDisagreeing == 1 ? "" : "s") disagreeing" }
            FileOutput.standardError(summary + "\n")
            // Without a spec there is nothing to pass or fail: the report describes the repository.
            if baseline != nil || live != nil || flows != nil, !report.passed { throw ExitCode(1) }
        }
    }
}
