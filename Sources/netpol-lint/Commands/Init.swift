import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Look at a repository, pick the preset that fits, and write a commented .netpol-lint.yaml.")

        @Argument(help: "The repository folder (default: the current directory).")
        var path: String?

        @Flag(help: "Overwrite an existing .netpol-lint.yaml.")
        var force = false

        @Flag(help: "Print the configuration instead of writing it.")
        var stdout = false

        func run() throws {
            let path = self.path ?? "."
            guard FilePath.exists(path) else { fail("'\(path)' does not exist") }
            // An existing .netpol-lint.yml is the file to overwrite (with --force), never a second file beside it.
            let existing = Configuration.fileNames.map { FilePath.join(path, $0) }.first(where: FilePath.exists)
            let target = existing ?? FilePath.join(path, Configuration.fileName)
            if !stdout, !force, let existing { fail("\(existing) already exists; use --force to overwrite it") }
            let cwd = FilePath.currentDirectory()
            let request = LintRequest(paths: [path], configuration: Configuration(), repositoryRoot: FilePath.absolute(path),
                                      workingDirectory: cwd)
            let (context, stats, _) = Linter(rules: builtInRules).load(request)
            let result = PresetDetector.detect(context)
            let yaml = PresetDetector.configuration(for: result)
            FileOutput.standardError("netpol-lint: read \(stats.filesDiscovered) files (\(stats.objects) objects)\n")
            FileOutput.standardError("netpol-lint: preset: \(result.preset?.name ?? "none")\n")
            for r in result.reasons { FileOutput.standardError("  because \(r)\n") }
            FileOutput.standardError("netpol-lint: ciliumVersion: \(result.cilium.version)\(result.cilium.source.map { " (from \($0))" } ?? " (default)")\n")
            for r in result.cilium.reasons { FileOutput.standardError("  \(r)\n") }
            if stdout {
                FileOutput.standardOutput(yaml)
            } else {
                guard FileOutput.write(yaml, to: target) else { fail("cannot write \(target)") }
                FileOutput.standardError("netpol-lint: wrote \(target)\n")
            }
        }
    }
}
