import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

@Suite struct RegistryTests {
    let rules = builtInRules.map { $0.description }

    @Test func idsAndNamesAreUniqueAndWellFormed() {
        #expect(Set(rules.map(\.id)).count == rules.count)
        #expect(Set(rules.map(\.name)).count == rules.count)
        for r in rules {
            #expect(r.id.count == 5 && r.id.hasPrefix("NP") && Int(r.id.dropFirst(2)) != nil, "bad id \(r.id)")
            #expect(r.name.allSatisfy { $0.isLowercase || $0 == "-" || $0.isNumber }, "name \(r.name) is not kebab-case")
            #expect(!r.summary.hasSuffix("."), "\(r.id): summary ends with a period")
            #expect(!r.rationale.isEmpty && !r.remediation.isEmpty)
        }
    }

    @Test func everyRuleHasBothKindsOfExample() {
        for r in rules {
            #expect(!r.triggeringExamples.isEmpty, "\(r.id) has no triggering example")
            #expect(!r.nonTriggeringExamples.isEmpty, "\(r.id) has no non-triggering example")
        }
    }

    @Test func oneFilePerRuleAndEachIsRegistered() throws {
        let root = TestSupport.packageRoot + "/Rules"
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }.filter { $0.hasSuffix("Rule.swift") }
        #expect(files.count == builtInRules.count, "Rules/ has \(files.count) *Rule.swift files, the list has \(builtInRules.count)")
        let typeNames = Set(builtInRules.map { String(describing: $0) })
        for f in files {
            let name = String(f.split(separator: "/").last!.dropLast(".swift".count))
            #expect(typeNames.contains(name), "\(f) is not in builtInRules")
        }
    }

    @Test func generatedDocsAreCurrent() throws {
        for (name, text) in RuleDocumentation.files(rules) {
            let path = TestSupport.packageRoot + "/docs/rules/" + name
            let committed = try? String(contentsOfFile: path, encoding: .utf8)
            #expect(committed == text, "docs/rules/\(name) is stale: run `make docs`")
        }
        let present = try FileManager.default.contentsOfDirectory(atPath: TestSupport.packageRoot + "/docs/rules")
        #expect(Set(present) == Set(RuleDocumentation.files(rules).map(\.0)), "docs/rules/ has pages for rules that no longer exist")
    }

    /// The README's rule table is the generated index (by id, "runs" in the same words), its links into docs/rules/.
    @Test func readmeRuleTableIsTheIndex() throws {
        let readme = try String(contentsOfFile: TestSupport.packageRoot + "/README.md", encoding: .utf8)
        let index = RuleDocumentation.markdownIndex(rules).replacingOccurrences(of: "](NP", with: "](docs/rules/NP")
        #expect(readme.contains(index), "README.md's rule table differs from `netpol-lint rules --format markdown` (links into docs/rules/)")
        let ids = rules.map(\.id)
        let listed = RuleDocumentation.table(rules).split(separator: "\n").dropFirst().map { String($0.prefix(5)) }
        #expect(listed == ids.sorted(), "`netpol-lint rules` lists by id")
    }
}
