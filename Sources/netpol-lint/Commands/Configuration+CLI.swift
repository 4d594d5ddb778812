import ArgumentParser
import NetpolLintCore
import NetpolLintRules

/// The configuration of a run: `--config FILE`, else `.netpol-lint.yaml` (or `.yml`) found upward from `anchor`;
/// `--preset` overrides its preset. Every problem in the file (a bad key or value, an unknown preset or rule, a
/// duplicate key) is printed at once, each as `file:line: error: …`, and the run exits 2.
func loadConfiguration(anchor: String, file: String?, preset: String?) -> Configuration {
    var configuration = if let file { Configuration.read(path: file) } else {
        Configuration.read(discoveredFrom: FilePath.exists(anchor) ? anchor : FilePath.dirname(FilePath.absolute(anchor)))
    }
    if let preset {
        guard Presets.named(preset) != nil else { fail("--preset: " + unknownPreset(preset)) }
        configuration.preset = preset
    }
    if let error = ConfigurationError.combining(configurationProblems(configuration)) {
        FileOutput.standardError("\(error)\n")
        NetpolLintCommand.exit(withError: ExitCode(2))
    }
    return configuration
}

/// Every problem of a configuration, in the order `check` prints them: its own (keys, values), an unknown preset,
/// then unknown rules and bad rule parameters. Also what `netpol-lint lsp` shows for a configuration it cannot use.
func configurationProblems(_ configuration: Configuration) -> [ConfigurationError] {
    var problems = configuration.problems
    if let p = configuration.preset, Presets.named(p) == nil {
        problems.append(ConfigurationError(file: configuration.file ?? Configuration.fileName, line: configuration.presetLine,
                                           message: unknownPreset(p)))
    }
    return problems + Linter(rules: builtInRules).configurationProblems(configuration)
}

/// `unknown preset 'x'; did you mean 'y'? (known: ...)`.
func unknownPreset(_ name: String) -> String {
    let known = Presets.all.map(\.name)
    return "unknown preset '\(name)'" + (Suggest.closest(name, in: known).map { "; did you mean '\($0)'?" } ?? "")
        + " (known: \(known.joined(separator: ", ")))"
}
