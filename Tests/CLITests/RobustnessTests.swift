import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// Untrusted input ends in a diagnostic, in bounded time and memory (README "What is read", docs/robustness.md).
/// Each class of hostile input found by fuzzing and by hand is generated here (nothing big is committed) and run
/// through the built `netpol-lint` in a child process; the budgets are asserted as outcomes: the exit status (a
/// crash or the guard's kill fails it), the diagnostic, and the child's peak resident set from `wait4`.
@Suite(.serialized) struct RobustnessTests {
    static let good = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: ok, namespace: a}
        spec:
          endpointSelector: {}
          ingress:
            - fromEndpoint: [{}]

        """

    func lint(_ args: [String], in dir: String) -> MeasuredRun.Result? {
        MeasuredRun.netpolLint(args, in: dir)
    }

    /// Exit 0 or 1 (never a crash, a usage error or the guard's kill), the good file still linted, memory in budget.
    func expectLinted(_ r: MeasuredRun.Result, budgetMB: Int, _ what: String) {
        #expect(r.status == 0 || r.status == 1, "\(what): \(r.ending)\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains("good.yaml") && r.stdout.contains("NP101"), "\(what): the good file was not linted")
        MeasuredRun.expectPeak(r, atMost: budgetMB, what)
        for line in r.stdout.split(separator: "\n") where !line.hasPrefix(" ") {
            #expect(Self.isDiagnostic(line), "\(what): not a diagnostic line: \(line.prefix(200))")
        }
    }

    /// `path:line:col: severity: message`.
    static func isDiagnostic(_ line: Substring) -> Bool {
        let parts = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, !parts[0].isEmpty, Int(parts[1]) != nil, Int(parts[2]) != nil else { return false }
        return [" error", " warning", " note"].contains(String(parts[3])) && parts[4].hasPrefix(" ")
    }

    // MARK: 1. Numbers from the user are range-checked

    @Test func hugeSizesAreUsageErrorsNotCrashes() throws {
        let dir = TestSupport.writeTree([("good.yaml", Self.good)])
        for value in ["8796093022208", "9223372036854775807", "9223372036854775808", "99999999999999999999999MB",
                      "-9223372036854775808", "8796093022208KB", "1e9"] {
            let r = try #require(lint(["check", "--max-file-size", value, "."], in: dir))
            #expect(r.status == 2 && r.stderr.contains("--max-file-size must be"), "--max-file-size \(value): \(r.ending) \(r.stderr)")
        }
        for value in ["9007199254740992KB", "9223372036854775807", "18446744073709551616", "8796093022208MB"] {
            let config = TestSupport.writeTree([("good.yaml", Self.good), (".netpol-lint.yaml", "maxFileSize: \(value)\n")])
            let r = try #require(lint(["check", "."], in: config))
            #expect(r.status == 2 && r.stderr.contains(".netpol-lint.yaml:1: error: maxFileSize must be"), "maxFileSize: \(value): \(r.ending) \(r.stderr)")
        }
        for args in [["check", "--jobs", "99999999999999999999", "."], ["check", "--jobs", "-9223372036854775808", "."],
                     ["trace", "--from", "a/app=x", "--to", "world", "--port", "99999999999999999999/TCP", "."],
                     ["trace", "--from", "a/app=x", "--to", "world", "--port", "-1/TCP", "."]] {
            let r = try #require(lint(args, in: dir))
            #expect(r.status == 2, "\(args.joined(separator: " ")): \(r.ending) \(r.stderr)")
        }
        // A huge but valid worker count is bounded by the number of files.
        let many = try #require(lint(["check", "--jobs", "9223372036854775807", "."], in: dir))
        #expect(many.status == 1 && many.stdout.contains("NP101"), "\(many.ending) \(many.stderr)")
    }

    // MARK: 2. Aliases of one big scalar

    /// A 100 KB scalar anchored once and aliased 20,000 times into string fields of a policy.
    static func aliasedScalar(_ use: String) -> String {
        let big = String(repeating: "x", count: 100_000)
        var s = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\n"
        s += "x-big: &big \"\(big)\"\nspec:\n  endpointSelector: {}\n"
        switch use {
        case "matchName":
            s += "  egress:\n    - toFQDNs:\n"
            for _ in 0..<20_000 { s += "        - matchName: *big\n" }
        case "toEntities":
            s += "  egress:\n    - toEntities: [" + Array(repeating: "*big", count: 20_000).joined(separator: ", ") + "]\n"
        default:
            s += "  ingress:\n    - fromEndpoints:\n        - matchLabels:\n"
            for _ in 0..<20_000 { s += "            *big : v\n" }
        }
        return s
    }

    @Test(arguments: ["matchName", "toEntities", "mapping keys"])
    func aliasesOfABigScalarStopAtTheByteBudget(_ use: String) throws {
        let dir = TestSupport.writeTree([("aliases.yaml", Self.aliasedScalar(use)), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "--jobs", "1", "."], in: dir))
        expectLinted(r, budgetMB: 100, use)
        #expect(r.stdout.contains("aliases.yaml:") && r.stdout.contains("aliases expand to more than 8MB of text"), "\(use): \(r.stdout.prefix(600))")
    }

    /// Just under the budget: everything is read, each value copied into the model, and memory stays bounded.
    @Test func aliasesUnderTheBudgetAreReadInBoundedMemory() throws {
        let big = String(repeating: "y", count: 100_000)
        var s = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\n"
        s += "x-big: &big \"\(big)\"\nspec:\n  endpointSelector: {}\n  egress:\n    - toFQDNs:\n"
        for _ in 0..<70 { s += "        - matchName: *big\n" }
        s += "    - toEntities: [" + Array(repeating: "*big", count: 8).joined(separator: ", ") + "]\n"
        let dir = TestSupport.writeTree([("aliases.yaml", s), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "--jobs", "1", "--format", "text", "."], in: dir))
        expectLinted(r, budgetMB: 100, "78 aliases of 100 KB")
        #expect(!r.stdout.contains("aliases expand"), "\(r.stdout.prefix(600))")
        // The invalid entity is reported once per alias, each message short (the value is cut).
        let entity = r.stdout.split(separator: "\n").filter { $0.contains("aliases.yaml") && $0.contains("NP102") }
        #expect(!entity.isEmpty && entity.allSatisfy { $0.count < 1200 }, "\(entity.map { $0.count })")
    }

    /// A duplicate key of a megabyte with line breaks in it is reported on one short line.
    @Test func diagnosticsQuotingHugeOrMultiLineValuesStayOneLine() throws {
        let huge = String(repeating: "k", count: 1 << 20)
        // A key over 1024 characters must be an explicit key (`? key`).
        let s = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  ? \"\(huge)\"\n  : 1\n  ? \"\(huge)\"\n  : 2\n  \"a\\nb\\u2028c\": 1\n  \"a\\nb\\u2028c\": 2\n"
        let dir = TestSupport.writeTree([("dup.yaml", s), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 100, "duplicate keys")
        let dups = r.stdout.split(separator: "\n").filter { $0.contains("duplicate key") }
        #expect(dups.count == 2 && dups.allSatisfy { $0.count < 400 }, "\(dups.map { $0.prefix(200) })")
        #expect(dups.contains { $0.contains("a\\nb\\u{2028}c") }, "\(dups)")
    }

    // MARK: 3. Per-document and per-tag overhead

    @Test func manyEmptyDocumentsCostTheMemoryOfOne() throws {
        let dir = TestSupport.writeTree([("empty.yaml", String(repeating: "---\n", count: 250_000)), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 64, "250,000 empty documents")
        #expect(!r.stdout.contains("empty.yaml"), "\(r.stdout.prefix(400))")
    }

    @Test func nineMegabytesOfOneLineDocuments() throws {
        let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
        var s = ""
        s.reserveCapacity(9 << 20)
        while s.utf8.count < 9 << 20 { s += doc }
        let dir = TestSupport.writeTree([("docs.yaml", s), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 100, "9 MB of one-line documents")
    }

    @Test func distinctTagsAndLongTagPrefixesHitTheirBudgets() throws {
        var tags = ""
        for i in 0..<70_000 { tags += "- !t\(i) 0\n" }
        let prefix = "%TAG !p! tag:" + String(repeating: "y", count: 100_000) + ":\n---\n"
        var long = prefix
        for i in 0..<50_000 { long += "- !p!t\(i) 0\n" }
        let dir = TestSupport.writeTree([("tags.yaml", tags), ("prefix.yaml", long), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 100, "tags")
        #expect(r.stdout.contains("tags.yaml:1025:3: error: more than 1024 distinct tags in one document"), "\(r.stdout.prefix(800))")
        #expect(r.stdout.contains("prefix.yaml:3:3: error: a tag longer than 4096 bytes"), "\(r.stdout.prefix(800))")
    }

    /// Fewer tags than the budget, used many times: each is interned once and looked up, never compared in a list.
    @Test func manyUsesOfFewTagsAreRead() throws {
        var s = ""
        for i in 0..<200_000 { s += "- !t\(i % 1000) \(i)\n" }
        let dir = TestSupport.writeTree([("tags.yaml", s), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 100, "200,000 tagged nodes")
        #expect(!r.stdout.contains("tags.yaml"), "\(r.stdout.prefix(400))")
    }

    // MARK: 4. Globs

    @Test func globsWithManyGlobstarsOverADeepTree() throws {
        // 60 folders deep; `**/a/**/a/…/x.yaml` cannot be simplified and backtracks exponentially when matched by
        // trying every split, as does `**/**/…/x` before `**` runs are merged.
        let deep = Array(repeating: "a", count: 60).joined(separator: "/")
        let dir = TestSupport.writeTree([(deep + "/x.yaml", Self.good.replacingOccurrences(of: "name: ok", with: "name: deep")),
                                         (deep + "/y.yaml", "kind: [oops]\napiVersion: v1\n"),
                                         ("good.yaml", Self.good)])
        let globstars = Array(repeating: "**", count: 40).joined(separator: "/") + "/x.yaml"
        let alternating = Array(repeating: "**/a", count: 30).joined(separator: "/") + "/**/x.yaml"
        for pattern in [globstars, alternating] {
            try "exclude: ['\(pattern)', '**/a/**/b/**/c/**/nothing-\(pattern.count).yaml']\n"
                .write(toFile: dir + "/.netpol-lint.yaml", atomically: false, encoding: .utf8)
            let r = try #require(lint(["check", "."], in: dir))
            expectLinted(r, budgetMB: 64, "exclude: \(pattern.prefix(40))…")
            #expect(!r.stdout.contains("x.yaml"), "x.yaml is excluded by \(pattern.prefix(40))…")
            #expect(r.stdout.contains("y.yaml"), "y.yaml is not excluded")
        }
    }

    // MARK: 5. Allow × deny

    @Test(arguments: ["selectors", "ports", "cidrs", "shared labels", "covered"])
    func sevenThousandAllowsAndDeniesInOnePolicy(_ shape: String) throws {
        let n = 7_400
        func rule(_ i: Int, deny: Bool) -> String {
            switch shape {
            case "selectors": return "{toEndpoints: [{matchLabels: {app: \(deny ? "b" : "a")\(i)}}]}"
            case "ports": return "{toEndpoints: [{}], toPorts: [{ports: [{port: \"\(i + 1)\", protocol: \(deny ? "UDP" : "TCP")}]}]}"
            case "cidrs": return deny ? "{toCIDR: [192.168.\(i / 256).\(i % 256)/32]}" : "{toCIDR: [10.\(i / 256).\(i % 256).1/32]}"
            case "shared labels": return "{toEndpoints: [{matchLabels: {app: web, n: \(deny ? "b" : "a")\(i)}}]}"
            default:
                // Every other allow is covered by the deny of the same port: 3,700 findings.
                return deny ? "{toEndpoints: [{}], toPorts: [{ports: [{port: \"\(2 * i + 1)\", protocol: TCP}]}]}"
                    : "{toEndpoints: [{}], toPorts: [{ports: [{port: \"\(i + 1)\", protocol: TCP}]}]}"
            }
        }
        var s = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: big, namespace: shop}\n"
        s += "spec:\n  description: generated\n  endpointSelector: {}\n  egress:\n"
        for i in 0..<n { s += "    - \(rule(i, deny: false))\n" }
        s += "  egressDeny:\n"
        for i in 0..<n { s += "    - \(rule(i, deny: true))\n" }
        let dir = TestSupport.writeTree([("big.yaml", s), ("good.yaml", Self.good)])
        let r = try #require(lint(["check", "--format", "text", "--enable", "NP306", "."], in: dir))
        expectLinted(r, budgetMB: 200, shape)
        let shadowed = r.stdout.split(separator: "\n").filter { $0.contains("[NP306") }.count
        #expect(shadowed == (shape == "covered" ? n / 2 : 0), "\(shape): \(shadowed) NP306 findings")
    }

    // MARK: 6. FIFOs and special files

    @Test func fifosAreReportedNeverRead() throws {
        let dir = TestSupport.writeTree([("apps/good.yaml", Self.good)])
        #expect(mkfifo(dir + "/apps/pipe.yaml", 0o600) == 0)
        #expect(mkfifo(dir + "/named.yaml", 0o600) == 0)
        let walked = try #require(lint(["check", "--fail-on", "warning", "apps"], in: dir))
        #expect(walked.status == 1, "\(walked.ending) \(walked.stderr)")
        #expect(walked.stdout.contains("apps/pipe.yaml:1:1: warning: it is a FIFO (named pipe), not a regular file; not read"), "\(walked.stdout)")
        #expect(walked.stdout.contains("good.yaml") && walked.stdout.contains("NP101"))
        let named = try #require(lint(["check", "named.yaml", "/dev/zero"], in: dir))
        #expect(named.status == 0, "\(named.ending) \(named.stderr)")
        #expect(named.stdout.contains("named.yaml:1:1: warning: it is a FIFO (named pipe)"), "\(named.stdout)")
        #expect(named.stdout.contains("/dev/zero:1:1: warning: it is a character device, not a regular file"), "\(named.stdout)")
        #expect(named.stdout.split(separator: "\n").filter { $0.contains("named.yaml") }.count == 1, "reported once: \(named.stdout)")
        // A configuration that is a FIFO is a configuration error, not a hang.
        let config = try #require(lint(["check", "--config", "named.yaml", "apps"], in: dir))
        #expect(config.status == 2 && config.stderr.contains("it is a FIFO (named pipe), not a regular file"), "\(config.ending) \(config.stderr)")
    }

    // MARK: 7. Inputs that used to pass in silence

    @Test func objectsThatAreNotReadAreSaidToBe() throws {
        let body = "metadata: {name: p, namespace: b}\nspec: {endpointSelector: {}, egress: [{toEntities: [world]}]}\n"
        let dir = TestSupport.writeTree([
            ("no-api-version.yaml", "kind: CiliumNetworkPolicy\n" + body),
            ("wrong-group.yaml", "apiVersion: networking.k8s.io/v1\nkind: CiliumNetworkPolicy\n" + body),
            ("kind-list.yaml", "apiVersion: cilium.io/v2\nkind: [CiliumNetworkPolicy]\n" + body),
            ("lowercase.yaml", "apiVersion: cilium.io/v2\nkind: ciliumnetworkpolicy\n" + body),
            ("top-level-list.yaml", "- apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n  metadata: {name: p, namespace: b}\n"
                + "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: q, namespace: b}\n"),
            ("v3.yaml", "apiVersion: cilium.io/v3\nkind: CiliumNetworkPolicy\n" + body),
            ("calico.yaml", "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: c, namespace: b}\nspec: {selector: all()}\n"),
            ("good.yaml", Self.good),
        ])
        let r = try #require(lint(["check", "."], in: dir))
        expectLinted(r, budgetMB: 64, "unrecognized objects")
        for (file, position, text) in [("no-api-version.yaml", "1:7", "has no apiVersion (write apiVersion: cilium.io/v2)"),
                                       ("wrong-group.yaml", "1:13", "the API group of other kinds: CiliumNetworkPolicy is cilium.io/v2"),
                                       ("kind-list.yaml", "2:7", "kind must be a string, not a list"),
                                       ("lowercase.yaml", "2:7", "kinds are case-sensitive (write CiliumNetworkPolicy)"),
                                       ("top-level-list.yaml", "1:1", "a YAML list of 2 objects"),
                                       ("v3.yaml", "1:13", "a version the API server does not serve")] {
            #expect(r.stdout.contains("\(file):\(position): warning: ") && r.stdout.contains(text) && r.stdout.contains("[NP110"),
                    "\(file): \(r.stdout)")
        }
        #expect(!r.stdout.contains("calico.yaml"), "another product's NetworkPolicy is not a mistake")
    }

    /// UTF-16 and UTF-32 (YAML 1.2 encodings) are read as text: the policy's typo is found at its line and column.
    @Test(arguments: [("UTF-16LE", true), ("UTF-16BE", true), ("UTF-16LE", false), ("UTF-32LE", true), ("UTF-32BE", false)])
    func utf16AndUtf32AreRead(_ encoding: String, _ bom: Bool) throws {
        let dir = TestSupport.writeTree([])
        let text = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: é€, namespace: a}\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEndpoint: [{}]\n"
        var bytes: [UInt8] = []
        let big = encoding.hasSuffix("BE")
        if encoding.hasPrefix("UTF-16") {
            if bom { bytes += big ? [0xFE, 0xFF] : [0xFF, 0xFE] }
            for u in text.utf16 { bytes += big ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
        } else {
            if bom { bytes += big ? [0, 0, 0xFE, 0xFF] : [0xFF, 0xFE, 0, 0] }
            for s in text.unicodeScalars {
                let v = s.value
                let be = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
                bytes += big ? be : be.reversed()
            }
        }
        #expect(FileManager.default.createFile(atPath: dir + "/policy.yaml", contents: Data(bytes)))
        #expect(FileManager.default.createFile(atPath: dir + "/broken.yaml", contents: Data([0xFF, 0xFE, 0x61, 0x00, 0x00, 0xD8, 0x3A, 0x00])))
        let r = try #require(lint(["check", "--format", "text", "."], in: dir))
        #expect(r.status == 1, "\(r.ending) \(r.stderr)")
        #expect(r.stdout.contains("policy.yaml:7:7: error: unknown field 'fromEndpoint'"), "\(encoding): \(r.stdout)")
        #expect(!r.stdout.contains("policy.yaml:1:1: error: binary file"), "\(r.stdout)")
        #expect(r.stdout.contains("broken.yaml:1:2: error: invalid UTF-16LE at byte 4: a high surrogate without its low surrogate"), "\(r.stdout)")
    }
}
