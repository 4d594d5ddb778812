import Foundation
import NetpolLintFuzzTargets
import NetpolLintTestSupport
import Testing

/// The fuzz targets (scripts/fuzz.sh, `make fuzz`) replayed on their seeds and on every input kept in
/// Tests/Fuzz/Regressions/<target>/ (inputs that once crashed, hung or ran out of memory): in process, as the
/// fuzzers run them, and through the CLI, whose exit status must be a verdict, never a crash.
@Suite(.serialized) struct FuzzRegressionTests {
    static let root = TestSupport.packageRoot

    /// The kept inputs of one target.
    static func regressions(_ target: String) -> [String] {
        let dir = root + "/Tests/Fuzz/Regressions/" + target
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir + "/" + $0 }
    }

    /// The seeds scripts/fuzz.sh starts from (the Fixtures part).
    static func seeds(_ target: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: root + "/Fixtures")?.compactMap { $0 as? String } ?? []
        let chosen: [String] = switch target {
        case "config": files.filter { $0.hasSuffix(".netpol-lint.yaml") }
        case "spec": files.filter { $0.contains("/audit/") && $0.hasSuffix(".yaml") }
        default: files.filter { $0.hasSuffix(".yaml") && !$0.contains("/audit/") }
        }
        return chosen.sorted().map { root + "/Fixtures/" + $0 }
    }

    @Test(arguments: FuzzTargets.names)
    func targetsRunOnTheirSeedsAndKeptInputs(_ target: String) throws {
        let inputs = Self.seeds(target) + Self.regressions(target)
        #expect(!Self.seeds(target).isEmpty, "\(target) has no seed")
        for path in inputs {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.withUnsafeBytes { FuzzTargets.run(target, $0) }
        }
    }

    /// Every kept input through the command line, in a child process: a verdict (exit 0, 1, or 2 for a bad
    /// configuration or spec), bounded memory, diagnostics on one line each.
    @Test(arguments: FuzzTargets.names)
    func keptInputsThroughTheCommandLine(_ target: String) throws {
        for path in Self.regressions(target) {
            let dir = TestSupport.temporaryDirectory()
            let input = dir + "/input.yaml"
            try FileManager.default.copyItem(atPath: path, toPath: input)
            let args: [String] = switch target {
            case "config": ["check", "--config", "input.yaml", "."]
            case "spec": ["audit", "--spec", "input.yaml", "."]
            default: ["check", "input.yaml"]
            }
            let r = try #require(MeasuredRun.netpolLint(args, in: dir))
            let allowed: [Int32] = target == "config" || target == "spec" ? [0, 1, 2] : [0, 1]
            #expect(r.status.map(allowed.contains) ?? false, "\(path): \(r.ending)\n\(r.stderr.suffix(1500))")
            MeasuredRun.expectPeak(r, atMost: 500, path)
        }
    }
}
