import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// Item 4: every location is exact and inside its file.
@Suite struct LocationTests {
    /// Every finding's (and related location's) line and end line lie inside its file, and the end is not before
    /// the start.
    static func checkSpans(_ report: LintReport, root: String, _ what: String) -> Int {
        var lineCounts: [Int32: Int] = [:]
        func lines(_ file: Int32) -> Int {
            if let n = lineCounts[file] { return n }
            let path = report.files[Int(file)].path
            let full = path.hasPrefix("/") ? path : root + "/" + path
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data()
            // A last line without a newline still counts; an empty file has one (empty) line.
            let n = max(1, bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count - (bytes.last == 0x0A ? 1 : 0))
            lineCounts[file] = n
            return n
        }
        var checked = 0
        for f in report.findings {
            for s in [f.span] + f.related.map(\.span) {
                let n = lines(s.file)
                let path = report.files[Int(s.file)].path
                #expect(s.line >= 1 && Int(s.line) <= n, "\(what): \(path):\(s.line) is outside its \(n) lines (\(f.ruleID) \(f.message))")
                #expect(s.endLine >= s.line && Int(s.endLine) <= n, "\(what): \(path) end line \(s.endLine) (start \(s.line)) is outside its \(n) lines (\(f.ruleID))")
                #expect(s.endLine > s.line || s.endColumn >= s.column, "\(what): \(path):\(s.line) ends before it starts (\(f.ruleID))")
                checked += 1
            }
        }
        return checked
    }

    static func lint(_ dir: String, preset: String? = nil) throws -> LintReport {
        var configuration = try Configuration.discover(from: dir)
        if let preset { configuration.preset = preset }
        var request = LintRequest(paths: [dir], configuration: configuration, repositoryRoot: dir, workingDirectory: dir)
        request.jobs = 2
        return try Linter(rules: builtInRules).run(request)
    }

    @Test("every location of a fixture's findings lies inside its file", arguments: ["homelab", "tiered", "voting-app"])
    func fixtureLocationsAreInsideTheirFiles(_ fixture: String) throws {
        let dir = TestSupport.packageRoot + "/Fixtures/" + fixture
        #expect(Self.checkSpans(try Self.lint(dir), root: dir, fixture) > 10)
    }

    @Test func corpusLocationsAreInsideTheirFiles() throws {
        guard let shared = TestSupport.requireShared("the corpus location test") else { return }
        let corpus = shared + "/corpus"
        let repos = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
        var checked = 0
        for repo in repos.sorted() {
            let dir = corpus + "/" + repo
            checked += Self.checkSpans(try Self.lint(dir, preset: "homelab-profiles"), root: dir, repo)
        }
        #expect(checked > 100)
    }

    @Test func aResourceSetTemplateFindingPointsAtTheValueToFix() throws {
        let dir = TestSupport.packageRoot + "/Fixtures/homelab"
        let report = try Self.lint(dir)
        let np213 = report.findings.filter { $0.ruleID == "NP213" && report.files[Int($0.span.file)].path.hasSuffix("namespaces/tenants.yaml") }
        // `profile: internel` is on line 13 of the ResourceSet's inputs, column 16.
        #expect(np213.map { "\($0.span.line):\($0.span.column)-\($0.span.endLine):\($0.span.endColumn)" } == ["13:16-13:24"])
        let np214 = report.findings.filter { $0.ruleID == "NP214" && report.files[Int($0.span.file)].path.hasSuffix("namespaces/tenants.yaml") }
        // The access label is written on line 23 of the template.
        #expect(np214.allSatisfy { $0.span.line == 23 && $0.span.column == 9 }, "\(np214.map { "\($0.span.line):\($0.span.column)" })")
    }
}
