import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules.")

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
        static let configuration = CommandConfiguration(abstract: "Explain a rule: why it exists and how to fix its findings.")

        @Argument(help: "Rule id or name, e.g. NP204 or hardcoded-ip.")
        var rule: String

        func run() {
            guard let r = Linter(rules: builtInRules).lookup(rule) else {
                fail("unknown rule '\(rule)' (see 'netpol-lint rules')")
            }
            FileOutput.standardOutput(RuleDocumentation.page(r.description))
        }
    }

    struct GenerateDocs: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate-docs",
                                                        abstract: "Write docs/rules/ from the rule metadata.")

        @Option(name: .shortAndLong, help: "Output folder.")
        var output: String = "docs/rules"

        func run() {
            let rules = builtInRules.map { $0.description }
            for (name, text) in RuleDocumentation.files(rules) {
                guard FileOutput.write(text, to: FilePath.join(output, name)) else { fail("cannot write \(output)/\(name)") }
            }
        }
    }
}
