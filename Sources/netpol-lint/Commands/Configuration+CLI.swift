import NetpolLintCore
import NetpolLintRules

/// The configuration of a run: `--config FILE`, else `.netpol-lint.yaml` found upward from `anchor`; `--preset`
/// overrides its preset. Errors exit 2 with the file and line.
func loadConfiguration(anchor: String, file: String?, preset: String?) -> Configuration {
    var configuration: Configuration
    do {
        if let file { configuration = try Configuration.load(path: file) } else {
            configuration = try Configuration.discover(from: FilePath.exists(anchor) ? anchor : FilePath.dirname(FilePath.absolute(anchor)))
        }
    } catch {
        fail("\(error)")
    }
    let known = Presets.all.map(\.name).joined(separator: ", ")
    if let preset {
        guard Presets.named(preset) != nil else { fail("unknown preset '\(preset)' (known: \(known))") }
        configuration.preset = preset
    } else if let p = configuration.preset, Presets.named(p) == nil {
        fail("\(configuration.file ?? Configuration.fileName): error: unknown preset '\(p)' (known: \(known))")
    }
    return configuration
}
