import ArgumentParser
import NetpolLintCore
import NetpolLintRules

@main
struct NetpolLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netpol-lint",
        abstract: "Lint and audit Kubernetes and Cilium network policies in a GitOps repository.",
        version: NetpolLint.version,
        subcommands: [Check.self, Trace.self, Audit.self, Diff.self, Rules.self, Explain.self, Init.self, GenerateDocs.self, LSP.self],
        defaultSubcommand: Check.self
    )

    /// Like ArgumentParser's `main`, but usage errors exit 2 (our documented code) instead of 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            // Every command but the language server runs once and exits.
            if !(command is LSP) { ProcessMemory.tuneForOneRun() }
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            FileOutput.standardError(fullMessage(for: error) + "\n")
            exit(withError: code == .failure ? code : ExitCode(2))
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ColorChoice: ExpressibleByArgument {}

/// Exit 2 with a one-line message (usage and configuration errors).
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
}

/// Every PATH argument must exist. `check` is the default subcommand, so a mistyped subcommand (`netpol-lint chek`)
/// arrives here as a path: it is a usage error (exit 2) with a did-you-mean, never a finding about a missing file.
func requireExistingPaths(_ paths: [String]) {
    for path in paths where !FilePath.exists(path) {
        let subcommands = NetpolLintCommand.configuration.subcommands.map { $0._commandName }
        if !path.contains("/"), let name = Suggest.closest(path, in: subcommands, caseInsensitive: true) {
            fail("'\(path)' is neither a subcommand nor a file or folder; did you mean '\(name)'? (see 'netpol-lint --help')")
        }
        fail("'\(path)' does not exist")
    }
}

func fail(_ message: String) -> Never {
    FileOutput.standardError("netpol-lint: \(message)\n")
    NetpolLintCommand.exit(withError: ExitCode(2))
}
