import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// What `check` finds on the shared corpus (the benchmark's data set), as `benchmarks/run.sh` lints it: the count per
/// rule and a hash of every finding, kept in benchmarks/corpus-findings.txt. A change of the reader or of the engine
/// made for speed must not change them (UPDATE_GOLDEN=1 rewrites the file after a deliberate change of the rules).
@Suite struct CorpusFindingsTests {
    static let golden = TestSupport.packageRoot + "/benchmarks/corpus-findings.txt"

    /// FNV-1a, 64 bits: a stable hash without Foundation's help.
    static func fnv1a(_ lines: [String]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for line in lines {
            for b in line.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = (h ^ 0x0A) &* 0x0000_0100_0000_01B3
        }
        return String(h, radix: 16)
    }

    static func summary(_ report: LintReport) -> String {
        let lines = report.findings.map { f in
            "\(report.files[Int(f.span.file)].path):\(f.span.line):\(f.span.column) \(f.severity.rawValue) \(f.ruleID) \(f.message)"
        }.sorted()
        var counts: [String: Int] = [:]
        for f in report.findings { counts[f.ruleID, default: 0] += 1 }
        var out = "# netpol-lint check over the shared corpus (the benchmark data set): findings per rule and a hash of them all.\n"
        out += "# Checked by Tests/CLITests/CorpusFindingsTests.swift; UPDATE_GOLDEN=1 rewrites it.\n"
        out += "files \(report.statistics.filesDiscovered)\nobjects \(report.statistics.objects)\nfindings \(lines.count)\n"
        for (rule, n) in counts.sorted(by: { $0.key < $1.key }) { out += "\(rule) \(n)\n" }
        out += "hash \(fnv1a(lines))\n"
        return out
    }

    @Test func findingsOnTheCorpusAreUnchanged() throws {
        guard let shared = TestSupport.requireShared("the corpus findings test") else { return }
        let corpus = shared + "/corpus"
        var summaries: [Int: String] = [:]
        for jobs in [1, 2] {
            // As `check` runs from the corpus folder: paths shown relative to it.
            var request = LintRequest(paths: [corpus], configuration: Configuration(), repositoryRoot: corpus, workingDirectory: corpus)
            request.jobs = jobs
            summaries[jobs] = Self.summary(try Linter(rules: builtInRules).run(request))
        }
        #expect(summaries[1] == summaries[2], "--jobs 1 and --jobs 2 differ")
        let actual = summaries[1] ?? ""
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try actual.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = (try? String(contentsOfFile: Self.golden, encoding: .utf8)) ?? ""
        #expect(actual == expected, "the corpus findings changed:\n\(actual)\nexpected:\n\(expected)")
    }
}

/// Editor on save on real repositories: `check --stdin` reads the context through a filter and its rules skip the
/// namespaces no reported policy is in; a policy file's findings must still be exactly those of a whole run.
@Suite struct CorpusStdinTests {
    @Test(arguments: ["monosense-io+k8s-gitops", "ArthurVardevanyan+HomeLab", "JJGadgets+Biohazard"])
    func stdinAgreesWithTheWholeRun(_ repository: String) throws {
        guard let shared = TestSupport.requireShared("the corpus --stdin test") else { return }
        let dir = shared + "/corpus/" + repository
        let preset = ["--preset", "homelab-profiles"]
        let whole = try TestSupport.runCLI(["check"] + preset + ["."], in: dir).stdout
            .split(separator: "\n").filter { !$0.hasPrefix(" ") }.map(String.init)
        // The policy files with findings, by the rules that skip work in an editor first, then any others.
        var byFile: [String: [String]] = [:]
        for line in whole { byFile[String(line.prefix { $0 != ":" }), default: []].append(line) }
        let semantic = byFile.filter { $0.value.contains { l in ["NP305", "NP312", "NP210", "NP214"].contains { l.contains("[\($0) ") } } }
        // And files holding both namespaced and cluster-wide policies (the rules widen their look for those).
        let mixed = try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted().filter { path in
            guard let text = try? String(contentsOfFile: dir + "/" + path, encoding: .utf8) else { return false }
            return text.contains("kind: CiliumClusterwideNetworkPolicy") && text.contains("kind: CiliumNetworkPolicy")
        }
        let files = Array(semantic.keys.sorted().prefix(8)) + Array(byFile.keys.sorted().filter { semantic[$0] == nil }.prefix(4))
            + mixed.prefix(3)
        // JJGadgets+Biohazard has none, but files that mix namespaced and cluster-wide policies.
        #expect(!semantic.isEmpty || repository.hasPrefix("JJGadgets"), "\(repository) has findings of the semantic rules")
        for file in files {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            let r = try TestSupport.runCLI(["check"] + preset + ["--stdin", "--stdin-filename", file, "."], in: dir, stdin: text)
            let got = r.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map(String.init)
            #expect(got == byFile[file] ?? [], "\(repository)/\(file)")
        }
    }
}
