import NetpolLintCore
import Testing

/// `.netpol-lint.yaml` problems are all reported, each with its line, as manifests are.
@Suite struct ConfigurationTests {
    @Test func duplicateKeysAreErrors() {
        let c = Configuration.read(Array("preset: kubernetes\nexclude: [a]\nexclude: [b]\n".utf8), file: "c.yaml")
        #expect(c.problems.map(\.line) == [3])
        #expect(c.problems.first?.message == "duplicate key 'exclude' (first at line 2)")
        let nested = Configuration.read(Array("rules:\n  NP205: off\n  NP205: warning\n".utf8), file: "c.yaml")
        #expect(nested.problems.map(\.line) == [3])
    }

    @Test func everyProblemIsReportedAtOnceWithItsLine() {
        let text = """
            presets: kubernetes
            ciliumVersion: "1.7x"
            maxFileSize: 10GB
            publicPorts: [80, 0, 443, 70000]
            allowedCIDRs: [10.0.0.0/8, 300.0.0.0/8]
            rules:
              NP205: loud
              NP206: warning
            customRules:
              - id: X1
            """
        let c = Configuration.read(Array(text.utf8), file: "c.yaml")
        #expect(c.problems.map(\.line) == [1, 2, 3, 4, 4, 5, 7, 10], "\(c.problems)")
        #expect(c.problems.allSatisfy { $0.line != nil })
        do {
            _ = try Configuration.parse(text, file: "c.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.all.count == 8)
            #expect(error.description.split(separator: "\n").count == 8)
            #expect(error.description.hasPrefix("c.yaml:1: error: unknown key 'presets'; did you mean 'preset'?"))
        }
    }

    @Test func ciliumVersionMustBeARelease() {
        #expect(Configuration.read(Array("ciliumVersion: \"1.17\"\n".utf8), file: "c").problems.isEmpty)
        #expect(Configuration.read(Array("ciliumVersion: v1.19.2\n".utf8), file: "c").problems.isEmpty)
        for bad in ["\"2.0\"", "\"1.99\"", "\"0.9\""] {
            let c = Configuration.read(Array("ciliumVersion: \(bad)\n".utf8), file: "c")
            #expect(c.problems.first?.message.contains("not a Cilium release netpol-lint knows") == true, "\(bad): \(c.problems)")
        }
    }

    @Test func numbersAreRangeChecked() {
        for (text, expected) in [("maxFileSize: 0\n", "maxFileSize must be a size"), ("maxFileSize: 2048MB\n", "at most 1024MB"),
                                 ("maxFileSize: 99999999999999999999MB\n", "maxFileSize must be"),
                                 ("maxFileSize: 9223372036854775807MB\n", "at most 1024MB"),
                                 ("publicPorts: [65536]\n", "1-65535"), ("publicPorts: [-1]\n", "1-65535")] {
            let c = Configuration.read(Array(text.utf8), file: "c")
            #expect(c.problems.first?.message.contains(expected) == true, "\(text): \(c.problems)")
        }
        #expect(Configuration.read(Array("maxFileSize: 512KB\n".utf8), file: "c").maxFileSize == 512 * 1024)
    }

    @Test func aMissingFileSaysWhyWithoutALine() {
        let c = Configuration.read(path: "/nonexistent/missing.yaml")
        #expect(c.problems.count == 1)
        #expect(c.problems.first?.line == nil)
        #expect(c.problems.first?.description == "/nonexistent/missing.yaml: error: cannot read the configuration file: No such file or directory")
    }
}
