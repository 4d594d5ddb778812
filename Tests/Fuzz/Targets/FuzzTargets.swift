import NetpolLintCore
import NetpolLintRules

/// The entry points the fuzzers drive (`make fuzz`, scripts/fuzz.sh) and the regression tests replay: each takes
/// one input as bytes and runs one reader of untrusted input over it. None touches the file system. A crash, a
/// sanitizer report, a hang or a runaway allocation inside one of them is a bug; whatever the input, each must end
/// with a result or a diagnostic.
public enum FuzzTargets {
    public static let names = ["yaml", "model", "engine", "config", "spec"]

    /// Runs the target called `name` (one of `names`) on `input`.
    public static func run(_ name: String, _ input: UnsafeRawBufferPointer) {
        switch name {
        case "yaml": yaml(input)
        case "model": model(input)
        case "engine": engine(input)
        case "config": config(input)
        case "spec": spec(input)
        default: preconditionFailure("unknown fuzz target '\(name)'")
        }
    }

    /// The YAML composer: every document streamed, every node visited and read as the decoder reads it.
    public static func yaml(_ input: UnsafeRawBufferPointer) {
        var parser = YAMLParser()
        let bytes = text(input)
        _ = bytes.withUnsafeBytes { raw in
            parser.parse(raw) { doc in
                var checksum = 0
                for i in 0..<doc.nodes.count {
                    let n = Int32(i)
                    switch doc.kind(n) {
                    case .scalar:
                        checksum &+= doc.string(n).utf8.count &+ doc.excerpt(n).utf8.count
                        if doc.isNull(n) { checksum &+= 1 }
                        _ = doc.tag(n)
                    case .sequence:
                        for item in doc.items(n) { checksum &+= Int(item) }
                    case .mapping:
                        for (k, v) in doc.entries(n) { checksum &+= Int(k) &+ Int(v) }
                        _ = doc.value(n, forKey: "kind")
                    }
                }
                for dup in doc.duplicateKeys { checksum &+= doc.excerpt(dup.duplicate).utf8.count &+ Int(dup.first) }
                precondition(checksum != Int.min)
            }
        }
    }

    /// The model decoder: every document decoded into policies, namespaces, workloads and kustomizations.
    public static func model(_ input: UnsafeRawBufferPointer) {
        var parser = YAMLParser()
        var objects: [KubeObject] = []
        let bytes = text(input)
        _ = bytes.withUnsafeBytes { raw in
            parser.parse(raw) { doc in
                let decoded = ModelDecoder.decode(doc, file: 0, capture: Set(ObjectKind.allCases))
                objects += decoded.objects
                for issue in decoded.issues { precondition(!issue.message.isEmpty) }
                for issue in decoded.unrecognized { precondition(!issue.message.isEmpty) }
            }
        }
        for o in objects { _ = o.displayName }
    }

    /// The whole engine on one file, as `check --stdin` runs it: every rule (presets' too), then every report.
    public static func engine(_ input: UnsafeRawBufferPointer) {
        var request = LintRequest(paths: [], configuration: Configuration(), repositoryRoot: "/nonexistent-fuzz",
                                  workingDirectory: "/nonexistent-fuzz")
        request.stdin = (Array(input), "fuzz/input.yaml")
        request.enable = builtInRules.map { $0.description.id }
        guard let report = try? Linter(rules: builtInRules).run(request) else { return }
        // SARIF carries every rule's documentation, costly to render: one input in eight renders every format.
        let formats: [OutputFormat] = input.count % 8 == 0 ? OutputFormat.allCases : [.text, .json]
        for format in formats {
            let text = reporter(for: format).render(report)
            precondition(format != .text || text.split(separator: "\n").allSatisfy { !$0.isEmpty })
        }
        for f in report.findings {
            precondition(!f.message.contains("\n"), "a diagnostic must be one line")
            precondition(f.span.line >= 1 && f.span.column >= 1)
        }
    }

    /// The configuration reader, its rule settings and custom rules, and its globs and patterns in use.
    public static func config(_ input: UnsafeRawBufferPointer) {
        let c = Configuration.read(Array(input), file: ".netpol-lint.yaml")
        let problems = Linter(rules: builtInRules).configurationProblems(c)
        for p in c.problems + problems { precondition(!p.description.isEmpty) }
        for g in c.exclude {
            _ = g.matches("apps/a/b/c/netpol.yaml")
            _ = g.matches(String(repeating: "a/", count: 40) + "x.yaml")
        }
        for rule in c.customRules {
            _ = rule.pattern.matches("api.example.com")
            _ = rule.pattern.matches(String(repeating: "a", count: 64) + "!")
        }
    }

    /// The audit's baseline spec reader (`audit --spec`).
    public static func spec(_ input: UnsafeRawBufferPointer) {
        switch BaselineSpec.parse(Array(input), path: "network-baseline.yaml") {
        case .success(let spec): _ = spec.name
        case .failure(let errors): for e in errors.errors { precondition(!e.description.isEmpty) }
        }
    }

    /// The input as the linter reads a file: UTF-16 and UTF-32 transcoded.
    static func text(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        TextEncoding.normalized(Array(input))
    }
}
