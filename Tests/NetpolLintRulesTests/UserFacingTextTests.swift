import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// What users read names conventions and public sources, never the project's internal design documents (which users
/// do not have), and points at no page that does not exist.
@Suite struct UserFacingTextTests {
    /// "seed 000", "seeds 000 and 001", "research (b)", "research/cilium-semantics.md", "FR24".
    static func internalReferences(_ text: String) -> [String] {
        let patterns = [#"(?i)\bseeds? ?\d{3}"#, #"(?i)\bresearch\b"#, #"(?i)seed documents?"#, #"\bFR\d+\b"#, #"DESIGN §"#]
        return patterns.flatMap { p in
            text.ranges(of: try! Swift.Regex(p)).map { r in String(text[text.index(r.lowerBound, offsetBy: -min(30, text.distance(from: text.startIndex, to: r.lowerBound)))..<r.upperBound]) }
        }
    }

    @Test func ruleMetadataCitesNoInternalDocuments() {
        for r in builtInRules.map({ $0.description }) {
            var texts = [r.summary, r.rationale, r.remediation] + r.references + r.parameters.map(\.summary) + r.parameters.map(\.defaultValue)
            texts += (r.triggeringExamples + r.nonTriggeringExamples).flatMap { $0.files.map(\.content) + [$0.configuration ?? ""] }
            let found = texts.flatMap(Self.internalReferences)
            #expect(found.isEmpty, "\(r.id): \(found)")
            #expect(r.helpURI == nil || r.helpURI!.hasPrefix(NetpolLint.homepage ?? "-"), "help links point at the project's home or are left out")
        }
        for p in Presets.all { #expect(Self.internalReferences(p.summary).isEmpty) }
    }

    @Test func docsAndREADMECiteNoInternalDocuments() throws {
        let root = TestSupport.packageRoot
        var files = ["README.md"]
        for dir in ["docs", "docs/rules", "docs/conventions"] {
            files += try FileManager.default.contentsOfDirectory(atPath: root + "/" + dir).filter { $0.hasSuffix(".md") }.map { dir + "/" + $0 }
        }
        // docs/audit.md belongs to the audit, documented separately.
        for f in files where f != "docs/audit.md" {
            let text = try String(contentsOfFile: root + "/" + f, encoding: .utf8)
            #expect(Self.internalReferences(text).isEmpty, "\(f): \(Self.internalReferences(text))")
        }
    }

    @Test("each preset has a page under docs/conventions/ naming the rules it turns on", arguments: Presets.all.map(\.name))
    func conventionPage(_ preset: String) throws {
        let p = try #require(Presets.named(preset))
        #expect(p.docs == "docs/conventions/\(preset).md")
        let page = try String(contentsOfFile: TestSupport.packageRoot + "/" + p.docs, encoding: .utf8)
        #expect(page.hasPrefix("# Convention `\(preset)`"))
        for r in builtInRules.map({ $0.description }) where r.presets.contains(preset) {
            #expect(page.contains("[\(r.id) \(r.name)](../rules/\(r.id).md)"), "\(p.docs) does not state \(r.id)")
        }
    }

    @Test func initPointsAtNothingOutsideTheRepository() throws {
        for fixture in ["homelab", "tiered", "voting-app"] {
            let dir = TestSupport.packageRoot + "/Fixtures/" + fixture
            var request = LintRequest(paths: [dir], configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
            request.jobs = 1
            let context = Linter(rules: builtInRules).load(request).context
            let yaml = PresetDetector.configuration(for: PresetDetector.detect(context))
            #expect(Self.internalReferences(yaml).isEmpty, "\(fixture): \(Self.internalReferences(yaml))")
            #expect(!yaml.contains("docs/") && !yaml.contains("http"), "\(fixture): init's comments point at a page the user does not have:\n\(yaml)")
        }
    }

    @Test func fixtureFindingsCiteNoInternalDocuments() throws {
        for fixture in ["homelab", "tiered", "voting-app"] {
            let text = try String(contentsOfFile: TestSupport.packageRoot + "/Fixtures/\(fixture)/expected.txt", encoding: .utf8)
            #expect(Self.internalReferences(text).isEmpty, "\(fixture): \(Self.internalReferences(text))")
            let sarif = try String(contentsOfFile: TestSupport.packageRoot + "/Fixtures/\(fixture)/expected.sarif", encoding: .utf8)
            #expect(Self.internalReferences(sarif).isEmpty)
            #expect(!sarif.contains("github.com/netpol-lint"), "no link to a home the project does not have")
        }
    }
}
