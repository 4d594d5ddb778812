import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// Adoption: `check --write-accepted FILE` records today's findings, `check --accepted FILE` fails only on new ones;
/// fingerprints survive unrelated edits.
@Suite struct AcceptedFindingsTests {
    func run(_ args: [String], in dir: String, env: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir, environment: env)
    }

    /// A private copy of a fixture (these tests edit files).
    func copy(_ fixture: String) throws -> String {
        let dir = TestSupport.temporaryDirectory() + "/" + fixture
        try FileManager.default.copyItem(atPath: TestSupport.packageRoot + "/Fixtures/" + fixture, toPath: dir)
        return dir
    }

    struct Entry: Hashable { var path: String; var line: Int; var column: Int; var rule: String; var message: String; var fingerprint: String }

    func findings(_ json: String) throws -> [Entry] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(doc["findings"] as? [[String: Any]]).map {
            Entry(path: $0["path"] as! String, line: $0["line"] as! Int, column: $0["column"] as! Int,
                  rule: $0["ruleId"] as! String, message: $0["message"] as! String, fingerprint: $0["fingerprint"] as! String)
        }
    }

    @Test func onlyNewFindingsFailAndFixedOnesAreNamed() throws {
        let dir = try copy("homelab")
        let file = AcceptedFindings.defaultFileName
        let write = try run(["check", "--write-accepted", file, "."], in: dir)
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stdout.isEmpty)
        #expect(write.stderr.contains("wrote 39 accepted findings to \(file)"), "\(write.stderr)")

        let clean = try run(["check", "--accepted", file, "."], in: dir)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.isEmpty)
        #expect(clean.stderr.contains("0 errors, 0 warnings, 0 notes in") && clean.stderr.contains("39 accepted findings not shown"), "\(clean.stderr)")

        // A new problem: a CIDR added to a file that already has accepted findings. Only it is reported.
        let path = dir + "/network-policy/platform/database.yaml"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += """
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: database-new
              namespace: database
            spec:
              description: A new rule added after adoption.
              endpointSelector: {}
              egress:
                - toPorts:
                    - ports: [{port: "443", protocol: tcp}]
                  toEndpoints: [{}]

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let new = try run(["check", "--accepted", file, "."], in: dir)
        #expect(new.status == 1)
        let lines = new.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("network-policy/platform/database.yaml:") }, "\(new.stdout)")
        #expect(lines.contains { $0.contains("[NP102 invalid-value]") }, "\(new.stdout)")

        // A fixed finding: its entry is named, the exit status does not change, --write-accepted shrinks the file.
        try FileManager.default.removeItem(atPath: dir + "/network-policy/shared-resources/dragonfly.yaml")
        let stale = try run(["check", "--accepted", file, "."], in: dir)
        #expect(stale.stderr.contains("\(file): note: accepted finding no longer occurs: network-policy/shared-resources/dragonfly.yaml:7:"), "\(stale.stderr)")
        #expect(stale.stderr.contains("1 accepted finding no longer occurs"))
        let before = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        #expect(try run(["check", "--write-accepted", file, "."], in: dir).status == 0)
        let after = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        #expect(before.contains("dragonfly.yaml") && !after.contains("dragonfly.yaml"))
        #expect(try run(["check", "--accepted", file, "."], in: dir).status == 0)
    }

    /// Running on some files (pre-commit) judges and rewrites only their entries.
    @Test func aPartialRunKeepsTheRestOfTheFile() throws {
        let dir = try copy("homelab")
        let file = "accepted.json"
        #expect(try run(["check", "--write-accepted", file, "."], in: dir).status == 0)
        let whole = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        let partial = try run(["check", "--accepted", file, "namespaces/my-app.yaml"], in: dir)
        #expect(partial.status == 0)
        #expect(!partial.stderr.contains("no longer occurs"), "entries of files outside the run are not stale: \(partial.stderr)")
        let write = try run(["check", "--write-accepted", file, "namespaces/my-app.yaml"], in: dir)
        #expect(write.stderr.contains("wrote 1 accepted finding to accepted.json (and kept 38 from files or rules outside this run)"), "\(write.stderr)")
        #expect(try String(contentsOfFile: dir + "/" + file, encoding: .utf8) == whole)
        // A rule turned off is outside the run too.
        let disabled = try run(["check", "--accepted", file, "--disable", "NP401", "."], in: dir)
        #expect(disabled.status == 0 && !disabled.stderr.contains("no longer occurs"), "\(disabled.stderr)")
    }

    /// The NP308 message counts allows in other files; deleting one of them must not change any fingerprint.
    @Test func fingerprintsSurviveUnrelatedEditsAndMovedLines() throws {
        let dir = try copy("homelab")
        let before = try findings(try run(["check", "--format", "json", "."], in: dir).stdout)
        let deleted = "network-policy/platform/database.yaml"
        try FileManager.default.removeItem(atPath: dir + "/" + deleted)
        // Lines inserted above every finding of another file.
        let moved = "network-policy/baselines/node-local-dns.yaml"
        let original = try String(contentsOfFile: dir + "/" + moved, encoding: .utf8)
        try ("# a comment\n\n# another\n" + original).write(toFile: dir + "/" + moved, atomically: true, encoding: .utf8)
        let after = try findings(try run(["check", "--format", "json", "."], in: dir).stdout)

        let np308 = before.filter { $0.rule == "NP308" && $0.path == "network-policy/baselines/allow-intra-namespace.yaml" && $0.line == 13 }
        let np308After = after.filter { $0.rule == "NP308" && $0.path == "network-policy/baselines/allow-intra-namespace.yaml" && $0.line == 13 }
        #expect(np308.count == 1 && np308After.count == 1)
        #expect(np308.first?.message != np308After.first?.message, "the message varies with the other file")
        #expect(np308.first?.fingerprint == np308After.first?.fingerprint)

        let movedBefore = before.filter { $0.path == moved }, movedAfter = after.filter { $0.path == moved }
        #expect(!movedBefore.isEmpty && movedBefore.map(\.fingerprint) == movedAfter.map(\.fingerprint))
        #expect(movedBefore.map(\.line) != movedAfter.map(\.line))

        // Every finding still at its place (deleting a file may legitimately end or start others) keeps its fingerprint.
        struct Place: Hashable { var path: String; var line: Int; var column: Int; var rule: String }
        let afterByPlace = Dictionary(after.map { (Place(path: $0.path, line: $0.line, column: $0.column, rule: $0.rule), $0.fingerprint) },
                                      uniquingKeysWith: { a, _ in a })
        let kept = before.filter { $0.path != deleted && $0.path != moved }.compactMap { f in
            afterByPlace[Place(path: f.path, line: f.line, column: f.column, rule: f.rule)].map { (f.fingerprint, $0) }
        }
        #expect(kept.count > 30)
        #expect(kept.allSatisfy { $0.0 == $0.1 })
        // Every fingerprint in one run is distinct (two findings on one line differ by column, then by order).
        #expect(Set(before.map(\.fingerprint)).count == before.count)
    }

    @Test func aBrokenFileIsOneLineAndExit2() throws {
        let dir = TestSupport.writeTree([("a.yaml", "a: 1\n"),
                                         ("bad.json", "{\"kind\": \"netpol-lint accepted findings\",\n \"version\": 1,\n \"findings\": [}\n"),
                                         ("other.json", "{\"kind\": \"something else\", \"version\": 1, \"findings\": []}\n"),
                                         ("fp.json", "{\"kind\": \"netpol-lint accepted findings\", \"version\": 1, \"findings\": [{\"fingerprint\": \"xyz\"}]}\n")])
        let bad = try run(["check", "--accepted", "bad.json", "."], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("bad.json:3:15: error: not an accepted-findings file:"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)
        let other = try run(["check", "--accepted", "other.json", "."], in: dir)
        #expect(other.status == 2 && other.stderr.contains("\"kind\" must be \"netpol-lint accepted findings\""), "\(other.stderr)")
        let fp = try run(["check", "--accepted", "fp.json", "."], in: dir)
        #expect(fp.status == 2 && fp.stderr.contains("findings[0]: \"fingerprint\" must be 16 lowercase hex digits"), "\(fp.stderr)")
        let missing = try run(["check", "--accepted", "nope.json", "."], in: dir)
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the accepted-findings file 'nope.json'"))
    }

    @Test func sarifCarriesTheSameFingerprint() throws {
        let dir = TestSupport.packageRoot + "/Fixtures/homelab"
        let json = try findings(try run(["check", "--format", "json", "."], in: dir).stdout)
        let sarif = try run(["check", "--format", "sarif", "."], in: dir).stdout
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let results = try #require(((doc["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        let prints = results.compactMap { ($0["partialFingerprints"] as? [String: String])?["netpolLint/v2"] }
        #expect(prints == json.map(\.fingerprint))
    }
}

/// Colour on a terminal only: `--color`, `NO_COLOR`, never when piped.
@Suite struct ColorTests {
    func run(_ args: [String], env: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: TestSupport.packageRoot + "/Fixtures/homelab", environment: env)
    }

    @Test func pipedOutputIsPlainAndAlwaysColours() throws {
        let piped = try run(["check", "."])
        #expect(!piped.stdout.contains("\u{1B}["))
        let always = try run(["check", "--color", "always", "."], env: ["NO_COLOR": "1"])
        #expect(always.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        #expect(always.stdout.contains("\u{1B}[35m[NP102 invalid-value]\u{1B}[0m"))
        // Without the escapes it is the plain format, line for line.
        let stripped = always.stdout.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == piped.stdout)
        #expect(!(try run(["check", "--color", "always", "--format", "json", "."]).stdout.contains("\u{1B}[")))
        #expect(try run(["check", "--color", "sometimes", "."]).status == 2)
    }

    @Test func autoFollowsTheTerminalAndNoColor() {
        #expect(ColorChoice.auto.enabled(isTerminal: true, environment: [:]))
        #expect(!ColorChoice.auto.enabled(isTerminal: false, environment: [:]))
        #expect(!ColorChoice.auto.enabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorChoice.auto.enabled(isTerminal: true, environment: ["NO_COLOR": ""]), "an empty NO_COLOR does not count (no-color.org)")
        #expect(!ColorChoice.auto.enabled(isTerminal: true, environment: ["TERM": "dumb"]))
        #expect(ColorChoice.always.enabled(isTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorChoice.never.enabled(isTerminal: true, environment: [:]))
    }

    /// A real terminal: `script` gives the program a pseudo-terminal, so `auto` colours and NO_COLOR turns it off.
    @Test func aPseudoTerminalGetsColour() throws {
        guard let script = ExternalTools.require(ExternalTools.find("script"), for: "the terminal colour test",
                                                 needs: "script (util-linux)", install: "apt-get install -y bsdutils"),
              let exe = TestSupport.executable else { return }
        let dir = TestSupport.packageRoot + "/Fixtures/homelab"
        let command = "cd '\(dir)' && '\(exe)' check ."
        // `swift test` runs tests with NO_COLOR set; an empty value is "not set" (no-color.org).
        let tty = ExternalTools.run(script, ["-qec", command, "/dev/null"], environment: ["TERM": "xterm", "NO_COLOR": ""], timeout: 120)
        #expect(tty.stdout.contains("\u{1B}[1;31merror:"), "\(tty.stdout.prefix(300))")
        let noColor = ExternalTools.run(script, ["-qec", command, "/dev/null"], environment: ["TERM": "xterm", "NO_COLOR": "1"], timeout: 120)
        #expect(!noColor.stdout.contains("\u{1B}[") && noColor.stdout.contains(": error: "), "\(noColor.stdout.prefix(300))")
    }
}
