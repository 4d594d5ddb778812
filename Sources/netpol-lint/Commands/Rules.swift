import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rules", abstract: "List the rules.")

        enum Format: String, ExpressibleByArgument { case text, json, markdown }

        @Option(name: .shortAndLong, help: "text, json or markdown.")
        var format: Format = .text

        func run() {
            let rules = builtInRules.map { $0.description }
            switch format {
            case .text: FileOutput.standardOutput(RuleDocumentation.table(rules))
            case .json: FileOutput.standardOutput(RuleDocumentation.json(rules))
            case .markdown: FileOutput.standardOutput(RuleDocumentation.markdownIndex(rules))
            }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "explain", abstract: "Explain a rule: why it exists and how to fix its findings.")

        @Argument(help: "Rule id or name, e.g. NP204 or hardcoded-ip.")
        var rule: String

        func run() {
            let linter = Linter(rules: builtInRules)
            guard let r = linter.lookup(rule) else {
                fail("unknown rule '\(rule)'" + (linter.suggestion(for: rule).map { "; did you mean '\($0)'?" } ?? "") + " (see 'netpol-lint rules')")
            }
            FileOutput.standardOutput(RuleDocumentation.page(r.description))
        }
    }

    struct GenerateDocs: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate-docs",
                                                        abstract: "Write docs/rules/ from the rule metadata.")

        // Required: a default folder would write pages into whatever directory the command happens to run in.
        @Option(name: .shortAndLong, help: ArgumentHelp("The folder to write the pages into (this project keeps them in docs/rules).", valueName: "folder"))
        var output: String

        func run() {
            let rules = builtInRules.map { $0.description }
            for (name, text) in RuleDocumentation.files(rules) {
                guard FileOutput.write(text, to: FilePath.join(output, name)) else { fail("cannot write \(output)/\(name)") }
            }
        }
    }
}
