import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct LSP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lsp",
            abstract: "Run as a Language Server (LSP 3.17) over standard input and output, for editors.",
            discussion: """
                Publishes diagnostics for the open YAML documents, each linted with the rest of its repository \
                (found as 'check --stdin' finds it: the folder of its .netpol-lint.yaml, else the git root, else the \
                workspace folder), explains a rule on hover, and offers quick fixes and suppression comments. \
                Setup for Neovim, VS Code, Helix and Emacs: docs/editors.md. \
                Exit status: 0 after 'shutdown' and 'exit', 1 when the client leaves without 'shutdown'.
                """)

        @Flag(help: "Speak over standard input and output (the only transport; accepted because clients pass it).")
        var stdio = false

        @Option(parsing: .unconditional, help: "Parallel workers for the first read of a repository (at least 1).")
        var jobs: Int = 2

        func validate() throws {
            if jobs < 1 { throw ValidationError("--jobs must be a number of workers, at least 1 (got \(jobs))") }
        }

        func run() throws {
            var setup = LanguageServerSetup(
                rules: builtInRules,
                contextFolder: { file, configuration in Check.repositoryContext(file: file, configuration: configuration) },
                configurationProblems: configurationProblems)
            setup.jobs = jobs
            let status = LanguageServer(setup: setup).run()
            if status != 0 { throw ExitCode(status) }
        }
    }
}
