import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// Every rule's examples are its tests: findings exactly at the markers, nothing on the good examples, and
/// suppression silences them.
@Suite struct RuleExampleTests {
    static let ids = builtInRules.map { $0.description.id }

    static func rule(_ id: String) -> any Rule.Type { builtInRules.first { $0.description.id == id }! }

    @Test("triggering examples report exactly at the markers", arguments: ids)
    func triggering(_ id: String) throws {
        let rule = Self.rule(id)
        for example in rule.description.triggeringExamples {
            let (report, expected) = try TestSupport.run(example, rule: rule)
            let actual = TestSupport.positions(report)
            #expect(Set(actual) == Set(expected), "\(id) example at \(example.sourceFile):\(example.sourceLine): expected \(expected), got \(report.findings.map { "\(report.files[Int($0.span.file)].path):\($0.span.line):\($0.span.column) \($0.message)" })")
            #expect(actual.count == expected.count, "\(id): one finding per marker, got \(actual.count) for \(expected.count)")
            #expect(report.findings.allSatisfy { $0.ruleID == id })
        }
    }

    @Test("non-triggering examples report nothing", arguments: ids)
    func nonTriggering(_ id: String) throws {
        let rule = Self.rule(id)
        for example in rule.description.nonTriggeringExamples {
            let (report, _) = try TestSupport.run(example, rule: rule)
            #expect(report.findings.isEmpty, "\(id) example at \(example.sourceFile):\(example.sourceLine) reported \(report.findings.map(\.message))")
        }
    }

    @Test("a disable-file directive silences every triggering example", arguments: ids)
    func fileDirective(_ id: String) throws {
        let rule = Self.rule(id)
        for example in rule.description.triggeringExamples where !example.unreadableByDesign {
            let (report, _) = try TestSupport.run(example, rule: rule) { "# netpol-lint: disable-file \(id) -- test\n" + $0 }
            #expect(report.findings.isEmpty, "\(id): disable-file did not silence \(report.findings.map(\.message))")
            let (byName, _) = try TestSupport.run(example, rule: rule) { "# netpol-lint: disable-file \(rule.description.name) -- test\n" + $0 }
            #expect(byName.findings.isEmpty, "\(id): disable-file by name did not silence \(byName.findings.map(\.message))")
        }
    }

    @Test("a disable-next-line directive above each marked line silences it", arguments: ids)
    func nextLineDirective(_ id: String) throws {
        let rule = Self.rule(id)
        for example in rule.description.triggeringExamples where !example.unreadableByDesign {
            let (_, expected) = try TestSupport.run(example, rule: rule)
            let lines = Set(expected.map(\.line))
            let (report, _) = try TestSupport.run(example, rule: rule) { text in
                var out: [String] = []
                for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if lines.contains(i + 1) { out.append("# netpol-lint: disable-next-line \(id) -- test") }
                    out.append(String(line))
                }
                return out.joined(separator: "\n")
            }
            // Inserted comment lines shift the findings; any finding left means the directive did not work.
            #expect(report.findings.isEmpty, "\(id): disable-next-line did not silence \(report.findings.map(\.message))")
        }
    }

    @Test("object annotations silence findings reported on an object", arguments: ids)
    func annotation(_ id: String) throws {
        let rule = Self.rule(id)
        for example in rule.description.triggeringExamples {
            let (report, _) = try TestSupport.run(example, rule: rule)
            guard report.findings.contains(where: { $0.object != nil }) else { continue }
            let (silenced, _) = try TestSupport.run(example, rule: rule) { text in
                let annotation = "    ignore-check.netpol-lint.io/\(id): \"accepted in review\"\n"
                // Into the object's annotations when it has some (a second `annotations:` key would be a duplicate).
                if text.contains("\nmetadata:\n"), let r = text.range(of: "\n  annotations:\n") {
                    return text.replacingCharacters(in: r, with: "\n  annotations:\n" + annotation)
                }
                return text.replacingOccurrences(of: "\nmetadata:\n", with: "\nmetadata:\n  annotations:\n" + annotation)
            }
            #expect(silenced.findings.filter { $0.object != nil }.isEmpty,
                    "\(id): annotation did not silence \(silenced.findings.map(\.message))")
        }
    }
}

extension Example {
    /// Examples whose file is never read (over the size limit), so comment directives cannot apply.
    var unreadableByDesign: Bool { configuration?.contains("maxFileSize") ?? false }
}
