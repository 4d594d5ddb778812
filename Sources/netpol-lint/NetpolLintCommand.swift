import ArgumentParser
import NetpolLintCore
import NetpolLintRules

@main
struct NetpolLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netpol-lint",
        abstract: "Lint and audit Kubernetes and Cilium network policies in a GitOps repository.",
        version: NetpolLint.version,
        subcommands: [Check.self, Rules.self, Explain.self, GenerateDocs.self],
        defaultSubcommand: Check.self
    )
}

extension OutputFormat: ExpressibleByArgument {}

/// Exit 2 with a one-line message (usage and configuration errors).
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
}

func fail(_ message: String) -> Never {
    FileOutput.standardError("netpol-lint: \(message)\n")
    NetpolLintCommand.exit(withError: ExitCode(2))
}
