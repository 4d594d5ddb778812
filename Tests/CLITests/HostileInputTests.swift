import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// Hostile inputs end in a diagnostic or a deliberate skip, in bounded time, and the rest of the tree is linted.
@Suite struct HostileInputTests {
    let good = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: ok, namespace: a}
        spec:
          endpointSelector: {}
          ingress:
            - fromEndpoint: [{}]
        """

    func lint(_ dir: String) throws -> LintReport {
        try TestSupport.lint(directory: dir, rules: builtInRules, enableAll: false)
    }

    func findings(_ r: LintReport, _ file: String) -> [Finding] {
        r.findings.filter { r.files[Int($0.span.file)].path.hasSuffix(file) }
    }

    /// The good file is still linted (its unknown field is found) whatever else the tree holds.
    func expectGoodFileLinted(_ r: LintReport) {
        #expect(findings(r, "good.yaml").contains { $0.ruleID == "NP101" })
    }

    @Test func aliasBomb() throws {
        var s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { s += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let dir = TestSupport.writeTree([("bomb.yaml", s), ("good.yaml", good)])
        let r = try lint(dir)
        #expect(findings(r, "bomb.yaml").contains { $0.ruleID == "NP100" && $0.message.contains("billion laughs") })
        expectGoodFileLinted(r)
    }

    @Test func deepNesting() throws {
        let s = "spec: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let dir = TestSupport.writeTree([("deep.yaml", s), ("good.yaml", good)])
        let r = try lint(dir)
        #expect(findings(r, "deep.yaml").contains { $0.ruleID == "NP100" && $0.message.contains("nesting") })
        expectGoodFileLinted(r)
    }

    @Test func invalidUTF8AndNULBytes() throws {
        let dir = TestSupport.writeTree([("good.yaml", good)])
        #expect(FileManager.default.createFile(atPath: dir + "/latin1.yaml", contents: Data("name: caf".utf8 + [0xE9, 0x0A])))
        #expect(FileManager.default.createFile(atPath: dir + "/binary.yaml", contents: Data([0x61, 0x3A, 0x20, 0x00, 0x01, 0x02])))
        let r = try lint(dir)
        #expect(findings(r, "latin1.yaml").contains { $0.ruleID == "NP100" && $0.message.contains("UTF-8") && $0.span.line == 1 })
        #expect(findings(r, "binary.yaml").contains { $0.ruleID == "NP100" && $0.message.contains("NUL") })
        expectGoodFileLinted(r)
    }

    @Test func fiftyMegabyteFileIsSkippedWithADiagnostic() throws {
        let dir = TestSupport.writeTree([("good.yaml", good)])
        let line = Data("key: value value value value value value value value value value\n".utf8)
        var big = Data(capacity: 51 * 1024 * 1024)
        while big.count < 50 * 1024 * 1024 { big.append(line) }
        #expect(FileManager.default.createFile(atPath: dir + "/huge.yaml", contents: big))
        let r = try lint(dir)
        #expect(findings(r, "huge.yaml").contains { $0.ruleID == "NP106" && $0.message.contains("limit") })
        expectGoodFileLinted(r)
    }

    @Test func symlinkLoopAndEscape() throws {
        let dir = TestSupport.writeTree([("sub/good.yaml", good)])
        let outside = TestSupport.writeTree([("secret.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: outside}\n")])
        try FileManager.default.createSymbolicLink(atPath: dir + "/sub/loop", withDestinationPath: dir)
        try FileManager.default.createSymbolicLink(atPath: dir + "/escape.yaml", withDestinationPath: outside + "/secret.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/escape-dir", withDestinationPath: outside)
        let r = try lint(dir)
        #expect(findings(r, "escape.yaml").contains { $0.ruleID == "NP106" && $0.message.contains("outside") })
        #expect(findings(r, "escape-dir").contains { $0.ruleID == "NP106" })
        #expect(!r.files.contains { $0.path.contains("secret.yaml") })
        #expect(r.files.filter { $0.path.hasSuffix("good.yaml") }.count == 1)
        expectGoodFileLinted(r)
    }

    @Test func unreadableFile() throws {
        let dir = TestSupport.writeTree([("good.yaml", good), ("locked.yaml", "a: 1\n")])
        var paths = [dir]
        var target = dir + "/locked.yaml"
        if geteuid() == 0 {
            // root reads any file: /proc/self/mem is a regular file whose read fails, a real unreadable file.
            target = "/proc/self/mem"
            paths.append(target)
        } else {
            chmod(target, 0)
        }
        var request = LintRequest(paths: paths, configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
        request.jobs = 2
        let r = try Linter(rules: builtInRules).run(request)
        #expect(r.findings.contains { r.files[Int($0.span.file)].path.hasSuffix(target == "/proc/self/mem" ? "mem" : "locked.yaml") && $0.ruleID == "NP100" && $0.message.contains("cannot read") })
        expectGoodFileLinted(r)
    }

    @Test func directoryNamedLikeAFileAndEmptyFiles() throws {
        let dir = TestSupport.writeTree([
            ("x.yaml/inner.yaml", good.replacingOccurrences(of: "name: ok", with: "name: inner")),
            ("good.yaml", good), ("empty.yaml", ""), ("comment.yaml", "# nothing here\n"), ("dashes.yaml", "---\n"),
            ("dashes2.yml", "---\n---\n"),
        ])
        let r = try lint(dir)
        for f in ["empty.yaml", "comment.yaml", "dashes.yaml", "dashes2.yml"] { #expect(findings(r, f).isEmpty) }
        #expect(findings(r, "x.yaml/inner.yaml").contains { $0.ruleID == "NP101" })
        expectGoodFileLinted(r)
        #expect(r.statistics.filesDiscovered == 6)
    }

    @Test func explicitDirectoryPathArgument() throws {
        let dir = TestSupport.writeTree([("good.yaml", good)])
        var request = LintRequest(paths: [dir + "/good.yaml", dir + "/missing.yaml"], configuration: Configuration(),
                                  repositoryRoot: dir, workingDirectory: dir)
        request.jobs = 1
        let r = try Linter(rules: builtInRules).run(request)
        #expect(r.findings.contains { $0.ruleID == "NP100" && $0.message.contains("cannot read") })
        expectGoodFileLinted(r)
    }
}

@Suite struct OverlappingRootsTests {
    @Test func aFileUnderTwoRootsIsReadOnce() throws {
        let dir = TestSupport.writeTree([("apps/np.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  podSelector: {}\n")])
        let request = LintRequest(paths: [dir, dir + "/apps"], configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
        let r = try Linter(rules: builtInRules).run(request)
        #expect(r.statistics.filesDiscovered == 1)
        #expect(!r.findings.contains { $0.ruleID == "NP103" })
    }
}
