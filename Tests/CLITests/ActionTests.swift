import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// The GitHub Action (action.yml) through its step scripts under action/, run as a runner would run them: a fake
/// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP and GITHUB_WORKSPACE, a
/// download source on file:// holding an archive made here from the built program (its .sha256 checked, a corrupt
/// one refused), the lint step on policy trees with each fail-on, the diff step on a shallow clone that lacks the
/// base commit. Then action.yml, the workflows and the documented example against GitHub's schemas, and the docs'
/// tables of inputs and outputs against action.yml.
@Suite(.serialized) struct ActionTests {
    static let root = TestSupport.packageRoot
    static let version = NetpolLint.version

    static var hostArch: String {
        ExternalTools.run("/usr/bin/env", ["uname", "-m"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    /// RUNNER_ARCH as GitHub spells the host's architecture.
    static var runnerArch: String { hostArch == "aarch64" ? "ARM64" : "X64" }

    /// One job's runner: its temporary folder, step-summary and PATH files, and a workspace.
    struct FakeRunner {
        let dir: String
        var workspace: String
        var temp: String { dir + "/runner-temp" }
        var summary: String { dir + "/step-summary.md" }
        var pathFile: String { dir + "/github-path" }

        init(workspace: String? = nil) throws {
            dir = TestSupport.temporaryDirectory()
            self.workspace = workspace ?? dir + "/workspace"
            for folder in [temp, self.workspace] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            for file in [summary, pathFile] { try Data().write(to: URL(fileURLWithPath: file)) }
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        var summaryText: String { (try? String(contentsOfFile: summary, encoding: .utf8)) ?? "" }
        var pathText: String { (try? String(contentsOfFile: pathFile, encoding: .utf8)) ?? "" }
    }

    struct StepResult {
        var status: Int32
        var stdout: String
        var stderr: String
        var outputs: [String: String]
        var log: String { stdout + stderr }
    }

    /// Runs action/<script> as a composite step would: a clean environment with the runner's variables, a fresh
    /// GITHUB_OUTPUT file, and `env` (the step's `env:` block).
    static func step(_ script: String, _ runner: FakeRunner, _ env: [String: String] = [:],
                     pathPrefix: String? = nil) throws -> StepResult {
        let outputFile = runner.dir + "/output-\(UUID().uuidString)"
        try Data().write(to: URL(fileURLWithPath: outputFile))
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        var environment: [String: String] = [
            "PATH": pathPrefix.map { $0 + ":" + path } ?? path,
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? runner.dir,
            "LANG": "C.UTF-8",
            "CI": "true", "GITHUB_ACTIONS": "true",
            "RUNNER_OS": "Linux", "RUNNER_ARCH": runnerArch, "RUNNER_TEMP": runner.temp,
            "GITHUB_OUTPUT": outputFile, "GITHUB_STEP_SUMMARY": runner.summary, "GITHUB_PATH": runner.pathFile,
            "GITHUB_WORKSPACE": runner.workspace, "GITHUB_ACTION_PATH": root,
        ]
        for (k, v) in env { environment[k] = v }
        let r = ExternalTools.run("/bin/bash", [root + "/action/" + script], environment: environment, timeout: 300,
                                  directory: runner.workspace, inheritEnvironment: false)
        var outputs: [String: String] = [:]
        for line in (try String(contentsOfFile: outputFile, encoding: .utf8)).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            outputs[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return StepResult(status: r.status, stdout: r.stdout, stderr: r.stderr, outputs: outputs)
    }

    static func program() throws -> String {
        try #require(TestSupport.executable, "the netpol-lint executable was not built")
    }

    @discardableResult
    static func shell(_ command: String, in directory: String? = nil) throws -> String {
        let r = ExternalTools.run("/bin/bash", ["-c", command], environment: [
            "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
        ], timeout: 120, directory: directory)
        try #require(r.status == 0, "\(command): \(r.stdout)\(r.stderr)")
        return r.stdout
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A release folder as GitHub serves one, on disk: netpol-lint-<version>-linux-<arch>.tar.gz holding the built
    /// program, and its .sha256 (left out, or the archive corrupted after checksumming, on request).
    static func releaseFolder(at folder: String, version: String = version, arch: String = hostArch,
                              checksum: Bool = true, corrupt: Bool = false) throws {
        let name = "netpol-lint-\(version)-linux-\(arch)"
        let staging = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try FileManager.default.createDirectory(atPath: staging + "/" + name + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try program(), toPath: staging + "/" + name + "/bin/netpol-lint")
        try shell("tar -C \(quote(staging)) -czf \(quote(folder + "/" + name + ".tar.gz")) \(name)")
        if checksum { try shell("sha256sum \(name).tar.gz > \(name).tar.gz.sha256", in: folder) }
        if corrupt {
            // One byte changed in the middle: still a file of the same size, no longer the published one.
            let handle = try #require(FileHandle(forUpdatingAtPath: folder + "/" + name + ".tar.gz"))
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: size / 2)
            let byte = try handle.read(upToCount: 1) ?? Data([0])
            try handle.seek(toOffset: size / 2)
            try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
            try handle.close()
        }
    }

    // MARK: - install step

    @Test("install: downloads the archive for the runner, checks its sha256, unpacks it and puts it on PATH")
    func installFromRelease() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        let release = runner.dir + "/release"
        try Self.releaseFolder(at: release)
        let r = try Self.step("install.sh", runner, ["INPUT_DOWNLOAD_URL": "file://" + release])
        #expect(r.status == 0, "\(r.log)")
        #expect(r.stdout.contains("sha256 ") && r.stdout.contains(" OK"), "\(r.stdout)")
        let path = try #require(r.outputs["path"], "no path output: \(r.outputs)")
        #expect(r.outputs["version"] == Self.version)
        #expect(path.hasPrefix(runner.temp + "/") && path.hasSuffix("/bin/netpol-lint"))
        #expect(runner.pathText == URL(fileURLWithPath: path).deletingLastPathComponent().path + "\n")
        #expect(ExternalTools.run(path, ["--version"]).stdout == Self.version + "\n")

        // A second use in the same job finds it installed.
        let again = try Self.step("install.sh", runner, ["INPUT_DOWNLOAD_URL": "file://" + release])
        #expect(again.status == 0 && again.stdout.contains("already installed") && again.outputs["path"] == path, "\(again.log)")
    }

    @Test("install: version v<version> and a download-url with {version}")
    func installNamedVersion() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.releaseFolder(at: runner.dir + "/mirror/v" + Self.version)
        let r = try Self.step("install.sh", runner, ["INPUT_VERSION": "v" + Self.version,
                                                     "INPUT_DOWNLOAD_URL": "file://" + runner.dir + "/mirror/v{version}/"])
        #expect(r.status == 0 && r.outputs["version"] == Self.version, "\(r.log)")
    }

    @Test("install: the default URL is the release of the action's repository, read from the action's path")
    func installFromActionRepository() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        // The runner keeps an action at _actions/<owner>/<name>/<ref>; github.action_repository is empty in
        // composite actions, so the repository comes from there. The server is a folder here.
        let actionPath = runner.dir + "/_actions/acme/netpol-lint/v0"
        try FileManager.default.createDirectory(atPath: runner.dir + "/_actions/acme/netpol-lint", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: actionPath, withDestinationPath: Self.root)
        try Self.releaseFolder(at: runner.dir + "/server/acme/netpol-lint/releases/download/v" + Self.version)
        let r = try Self.step("install.sh", runner, ["GITHUB_ACTION_PATH": actionPath, "NETPOL_LINT_REPOSITORY": "",
                                                     "GITHUB_SERVER_URL": "file://" + runner.dir + "/server"])
        #expect(r.status == 0 && r.outputs["version"] == Self.version, "\(r.log)")
        #expect(r.stdout.contains("/acme/netpol-lint/releases/download/v\(Self.version)/netpol-lint-\(Self.version)-linux-"))
    }

    @Test("install: a corrupted archive is refused (checksum mismatch); nothing is installed")
    func installRefusesCorruptArchive() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        let release = runner.dir + "/release"
        try Self.releaseFolder(at: release, corrupt: true)
        let r = try Self.step("install.sh", runner, ["INPUT_DOWNLOAD_URL": "file://" + release])
        #expect(r.status == 1)
        #expect(r.stdout.contains("::error title=netpol-lint::checksum mismatch for netpol-lint-\(Self.version)-linux-"), "\(r.log)")
        #expect(r.outputs["path"] == nil && runner.pathText.isEmpty)
        let installed = FileManager.default.enumerator(atPath: runner.temp)?.allObjects as? [String] ?? []
        #expect(!installed.contains { $0.hasSuffix("bin/netpol-lint") }, "\(installed)")
    }

    @Test("install: an archive without its .sha256 is not used")
    func installNeedsChecksum() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.releaseFolder(at: runner.dir + "/release", checksum: false)
        let r = try Self.step("install.sh", runner, ["INPUT_DOWNLOAD_URL": "file://" + runner.dir + "/release"])
        #expect(r.status == 1 && r.stdout.contains("cannot be checked, so it is not used"), "\(r.log)")
        #expect(r.outputs["path"] == nil)
    }

    @Test("install: a missing release, another OS, an unknown architecture, a bad version: clear errors",
          arguments: [
            (["INPUT_VERSION": "9.9.9"], "could not download"),
            (["RUNNER_OS": "macOS"], "release archives are built for Linux only"),
            (["RUNNER_ARCH": "ARM"], "no release archive for the runner architecture 'ARM'"),
            (["INPUT_VERSION": "main"], "version 'main' is not a release version"),
            (["INPUT_VERSION": "latest"], "with download-url set, give the version"),
            (["INPUT_BUILD_FROM_SOURCE": "yes"], "input 'build-from-source' must be true or false"),
          ])
    func installErrors(_ env: [String: String], _ message: String) throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.releaseFolder(at: runner.dir + "/release")
        var environment = env
        environment["INPUT_DOWNLOAD_URL"] = "file://" + runner.dir + "/release"
        let r = try Self.step("install.sh", runner, environment)
        #expect(r.status != 0)
        #expect(r.stdout.contains("::error title=netpol-lint::") && r.stdout.contains(message), "\(r.log)")
        #expect(r.outputs["path"] == nil)
    }

    @Test("install: build-from-source runs swift build on the action's checkout and uses what it built")
    func installBuildFromSource() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        // A stand-in `swift`: records its arguments; `build --show-bin-path` names a folder holding the program.
        let bin = runner.dir + "/fake-bin", built = runner.dir + "/built"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: built, withIntermediateDirectories: true)
        try """
            #!/bin/bash
            echo "$*" >> \(Self.quote(runner.dir + "/swift-calls"))
            case " $* " in
              *" --show-bin-path "*) echo \(Self.quote(built)) ;;
              *) cp \(Self.quote(try Self.program())) \(Self.quote(built + "/netpol-lint")) ;;
            esac
            """.write(toFile: bin + "/swift", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/swift")
        let r = try Self.step("install.sh", runner, ["INPUT_BUILD_FROM_SOURCE": "true"], pathPrefix: bin)
        #expect(r.status == 0, "\(r.log)")
        #expect(r.outputs["path"] == built + "/netpol-lint" && r.outputs["version"] == Self.version, "\(r.outputs)")
        let calls = try String(contentsOfFile: runner.dir + "/swift-calls", encoding: .utf8)
        #expect(calls.contains("build -c release --product netpol-lint --package-path \(Self.root)"), "\(calls)")
        #expect(runner.pathText == built + "\n")

        // Without Swift it says what is missing.
        let none = try Self.step("install.sh", runner, ["INPUT_BUILD_FROM_SOURCE": "true", "SWIFT": "no-such-swift"])
        #expect(none.status == 1 && none.stdout.contains("build-from-source: true needs Swift"), "\(none.log)")
    }

    // MARK: - lint and result steps

    static let namespaceAndWorkload = Manifests.namespace("web") + Manifests.workload("frontend", "web", "app: frontend")
    static let dnsRule = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: frontend, namespace: web}
        spec:
          endpointSelector: {matchLabels: {app: frontend}}
          egress:
          - toEndpoints:
            - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
            toPorts:
            - ports: [{port: "53", protocol: UDP}]
              rules: {dns: [{matchPattern: "*"}]}

        """

    /// Policy trees with known findings: (errors, warnings, notes).
    static let trees: [String: (files: [(String, String)], counts: (Int, Int, Int))] = [
        // NP101 (toPort), NP204 and NP205 (the CIDR rule without ports), NP403 (no description).
        "mixed": ([("ns.yaml", namespaceAndWorkload),
                   ("policy.yaml", dnsRule + """
                      - toCIDR: [203.0.113.7/32]
                        toPort:
                        - ports: [{port: "443", protocol: TCP}]

                    """)], (1, 2, 1)),
        // NP204 and NP305 (egress enforced, no DNS rule).
        "warnings": ([("ns.yaml", namespaceAndWorkload),
                      ("policy.yaml", """
                        apiVersion: cilium.io/v2
                        kind: CiliumNetworkPolicy
                        metadata: {name: frontend, namespace: web}
                        spec:
                          description: frontend reaches the payment API
                          endpointSelector: {matchLabels: {app: frontend}}
                          egress:
                          - toCIDR: [203.0.113.7/32]
                            toPorts:
                            - ports: [{port: "443", protocol: TCP}]

                        """)], (0, 2, 0)),
        // NP403 only.
        "notes": ([("ns.yaml", namespaceAndWorkload),
                   ("policy.yaml", dnsRule)], (0, 0, 1)),
    ]

    static func writeTree(_ name: String, into workspace: String, at folder: String = ".") throws {
        let tree = try #require(trees[name])
        for (path, content) in tree.files {
            let url = URL(fileURLWithPath: workspace).appendingPathComponent(folder).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// (tree, fail-on, the exit status that check --fail-on gives and the action ends with)
    static let failOnCases: [(String, String, Int32)] = [
        ("mixed", "error", 1), ("mixed", "warning", 1), ("mixed", "note", 1), ("mixed", "never", 0),
        ("warnings", "error", 0), ("warnings", "warning", 1), ("warnings", "note", 1), ("warnings", "never", 0),
        ("notes", "error", 0), ("notes", "warning", 0), ("notes", "note", 1), ("notes", "never", 0),
    ]

    @Test("lint + result: outputs, SARIF, summary and the final exit status for each fail-on", arguments: failOnCases)
    func lintAndResult(_ tree: String, _ failOn: String, _ expected: Int32) throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.writeTree(tree, into: runner.workspace)
        let counts = try #require(Self.trees[tree]).counts
        let lint = try Self.step("lint.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_FAIL_ON": failOn])
        #expect(lint.status == 0, "the lint step never fails by itself: \(lint.log)")
        #expect(lint.outputs["exit-code"] == String(expected), "\(lint.outputs)\n\(lint.log)")
        #expect(lint.outputs["errors"] == String(counts.0) && lint.outputs["warnings"] == String(counts.1)
                && lint.outputs["notes"] == String(counts.2), "\(lint.outputs)")

        // SARIF: written where the output says, one result per finding.
        let sarifPath = try #require(lint.outputs["sarif-file"])
        #expect(sarifPath == runner.temp + "/netpol-lint.sarif")
        let sarif = try TestSupport.jsonObject(String(contentsOfFile: sarifPath, encoding: .utf8))
        let results = (sarif["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []
        #expect(sarif["version"] as? String == "2.1.0" && results.count == counts.0 + counts.1 + counts.2)
        // The JSON report the counts come from.
        let json = try TestSupport.jsonObject(String(contentsOfFile: try #require(lint.outputs["json-file"]), encoding: .utf8))
        #expect((json["summary"] as? [String: Any])?["errors"] as? Int == counts.0)

        // Annotations in the log, the findings table in the job summary.
        let summary = runner.summaryText
        #expect(summary.contains("## netpol-lint\n\n\(counts.0) error"), "\(summary)")
        if tree == "mixed" {
            #expect(lint.stdout.contains("::error file=policy.yaml,line=13,col=5,endColumn=11,title=NP101 unknown-field::"), "\(lint.stdout)")
            #expect(summary.contains("| error | `policy.yaml:13:5` | NP101 unknown-field |"), "\(summary)")
        }

        let result = try Self.step("finish.sh", runner, [
            "EXIT_CODE": lint.outputs["exit-code"] ?? "", "ERRORS": lint.outputs["errors"] ?? "",
            "WARNINGS": lint.outputs["warnings"] ?? "", "NOTES": lint.outputs["notes"] ?? "", "INPUT_FAIL_ON": failOn,
        ])
        #expect(result.status == expected, "\(result.log)")
        if expected == 1 {
            #expect(result.stdout.contains("::error title=netpol-lint::\(counts.0) errors, \(counts.1) warnings, \(counts.2) notes; findings at or above fail-on: \(failOn)"),
                    "\(result.stdout)")
        }
    }

    @Test("lint: annotations: false keeps the summary, summary: false keeps the annotations")
    func annotationsAndSummaryInputs() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.writeTree("mixed", into: runner.workspace)
        let quiet = try Self.step("lint.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_ANNOTATIONS": "false"])
        #expect(!quiet.stdout.contains("::error file=") && !quiet.stdout.contains("::warning file="), "\(quiet.stdout)")
        #expect(runner.summaryText.contains("| error | `policy.yaml:13:5` |"))
        #expect(quiet.outputs["exit-code"] == "1")

        try "".write(toFile: runner.summary, atomically: true, encoding: .utf8)
        let noSummary = try Self.step("lint.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_SUMMARY": "false"])
        #expect(noSummary.stdout.contains("::error file=policy.yaml,line=13"))
        #expect(runner.summaryText.isEmpty, "\(runner.summaryText)")
    }

    @Test("lint: paths one per line (with spaces), a SARIF file relative to the workspace")
    func pathsAndSarifFile() throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.writeTree("notes", into: runner.workspace, at: "my policies")
        try Manifests.namespace("db").write(toFile: runner.workspace + "/other.yaml", atomically: true, encoding: .utf8)
        try Self.writeTree("mixed", into: runner.workspace, at: "not linted")
        let r = try Self.step("lint.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_PATHS": "my policies\n  other.yaml  \n",
                                                  "INPUT_SARIF_FILE": "reports/netpol.sarif"])
        #expect(r.outputs["errors"] == "0" && r.outputs["warnings"] == "0" && r.outputs["notes"] == "1", "\(r.outputs)\n\(r.log)")
        let json = try TestSupport.jsonObject(String(contentsOfFile: try #require(r.outputs["json-file"]), encoding: .utf8))
        let summary = try #require(json["summary"] as? [String: Any])
        // A named file is linted with its repository (here the workspace) around it: the rest is read as context.
        #expect((summary["files"] as? Int ?? 0) - (summary["contextFiles"] as? Int ?? 0) == 3,
                "both paths, and only they, are linted: \(summary)")
        #expect(r.outputs["sarif-file"] == runner.workspace + "/reports/netpol.sarif")
        #expect(FileManager.default.fileExists(atPath: runner.workspace + "/reports/netpol.sarif"))
        #expect(r.outputs["exit-code"] == "0")
    }

    @Test("lint + result: a configuration error or a bad input is exit status 2 whatever fail-on says",
          arguments: [
            ["INPUT_CONFIG": "missing.yaml", "INPUT_FAIL_ON": "never"],
            ["INPUT_FAIL_ON": "sometimes"],
            ["INPUT_ANNOTATIONS": "maybe"],
            ["NETPOL_LINT": "/nonexistent/netpol-lint"],
          ])
    func usageErrors(_ env: [String: String]) throws {
        let runner = try FakeRunner()
        defer { runner.remove() }
        try Self.writeTree("notes", into: runner.workspace)
        var environment = ["NETPOL_LINT": try Self.program()]
        for (k, v) in env { environment[k] = v }
        let lint = try Self.step("lint.sh", runner, environment)
        #expect(lint.status == 0)
        #expect(lint.outputs["exit-code"] == "2" && lint.stdout.contains("::error title=netpol-lint::"), "\(lint.outputs)\n\(lint.log)")
        #expect((lint.outputs["sarif-file"] ?? "").isEmpty)
        let result = try Self.step("finish.sh", runner, ["EXIT_CODE": lint.outputs["exit-code"] ?? "",
                                                         "INPUT_FAIL_ON": env["INPUT_FAIL_ON"] ?? "error"])
        #expect(result.status == 2, "\(result.log)")
        // A lint step that did not run to the end leaves no exit status: that fails too.
        #expect(try Self.step("finish.sh", runner, ["EXIT_CODE": ""]).status == 2)
    }

    // MARK: - diff step

    @Test("diff: on a shallow clone the base commit is fetched, and the connectivity changes go to the job summary")
    func diffStep() throws {
        // origin: base (DNS only), then head (adds an egress to 203.0.113.7:443). The workspace is a clone of head
        // with depth 1, as actions/checkout makes it.
        let origin = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: origin) }
        try Self.writeTree("notes", into: origin)
        try Self.shell("git init -q -b main && git add -A && git commit -qm base", in: origin)
        let base = try Self.shell("git rev-parse HEAD", in: origin).trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.writeTree("warnings", into: origin)
        try Self.shell("git add -A && git commit -qm head", in: origin)

        var runner = try FakeRunner()
        defer { runner.remove() }
        runner.workspace = runner.dir + "/clone"
        try Self.shell("git clone -q --depth 1 \(Self.quote("file://" + origin)) \(Self.quote(runner.workspace))")
        #expect(ExternalTools.run("/usr/bin/env", ["git", "cat-file", "-e", base + "^{commit}"], directory: runner.workspace).status != 0,
                "the clone should lack the base commit")

        let r = try Self.step("diff.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_DIFF_BASE": base])
        #expect(r.status == 0, "\(r.log)")
        #expect(r.stdout.contains("Fetching \(base)"), "\(r.stdout)")
        #expect(r.outputs["diff-exit-code"] == "1", "\(r.outputs)\n\(r.log)")
        let summary = runner.summaryText
        #expect(summary.contains("## Connectivity changes") && summary.contains("1 newly allowed"), "\(summary)")
        #expect(summary.contains("| newly allowed | web/frontend | 203\\.0.113.7/32 | 443/TCP | denied | allowed |"), "\(summary)")
        #expect(FileManager.default.fileExists(atPath: try #require(r.outputs["diff-file"])))

        // No base: nothing happens. A base that does not exist: a warning, the job goes on.
        let off = try Self.step("diff.sh", runner, ["NETPOL_LINT": try Self.program(), "INPUT_DIFF_BASE": ""])
        #expect(off.status == 0 && off.outputs.isEmpty && off.stdout.contains("no connectivity diff"))
        let missing = try Self.step("diff.sh", runner, ["NETPOL_LINT": try Self.program(),
                                                        "INPUT_DIFF_BASE": String(repeating: "0", count: 40)])
        #expect(missing.status == 0 && missing.outputs["diff-exit-code"] == "2", "\(missing.log)")
        #expect(missing.stdout.contains("::warning title=netpol-lint::"), "\(missing.stdout)")
    }

    // MARK: - action.yml, workflows, docs

    static func checkJSONSchema() -> String? {
        ExternalTools.require(ExternalTools.find("check-jsonschema"), for: "the GitHub Actions schema tests",
                              needs: "check-jsonschema")
    }

    @Test("action.yml validates against GitHub's action schema; the workflows and the documented example against the workflow schema")
    func schemas() throws {
        guard let validator = Self.checkJSONSchema() else { return }
        let action = ExternalTools.run(validator, ["--builtin-schema", "vendor.github-actions", Self.root + "/action.yml"],
                                       timeout: 120)
        #expect(action.status == 0, "action.yml: \(action.stdout)\(action.stderr)")
        let workflows = [".github/workflows/ci.yml", ".github/workflows/release.yml", "docs/examples/netpol-lint.yml"]
        let r = ExternalTools.run(validator, ["--builtin-schema", "vendor.github-workflows"] + workflows.map { Self.root + "/" + $0 },
                                  timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")

        // The README's Install section shows a shorter complete workflow: it must be one too.
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let marker = "```yaml\n# .github/workflows/netpol-lint.yml\n"
        let start = try #require(readme.range(of: marker), "README.md shows the workflow to copy")
        let end = try #require(readme.range(of: "```\n", range: start.upperBound..<readme.endIndex))
        let dir = TestSupport.writeTree([("netpol-lint.yml", String(readme[start.upperBound..<end.lowerBound]))])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fromReadme = ExternalTools.run(validator, ["--builtin-schema", "vendor.github-workflows", dir + "/netpol-lint.yml"],
                                           timeout: 120)
        #expect(fromReadme.status == 0, "README.md's workflow: \(fromReadme.stdout)\(fromReadme.stderr)")
        #expect(readme[start.upperBound..<end.lowerBound].contains("- uses: OWNER/netpol-lint@v0"))

        // actionlint (expressions, shell in run: steps) when it is installed; no registry this project uses ships it.
        if let actionlint = ExternalTools.find("actionlint") {
            let lint = ExternalTools.run(actionlint, workflows.map { Self.root + "/" + $0 }, timeout: 120, directory: Self.root)
            #expect(lint.status == 0, "actionlint: \(lint.stdout)\(lint.stderr)")
        } else {
            print("note: actionlint is not installed; the workflows were checked against the schema only")
        }
    }

    @Test("the action's shell scripts and the release scripts pass shellcheck")
    func shellcheck() throws {
        guard let shellcheck = ExternalTools.require(ExternalTools.find("shellcheck"), for: "the shellcheck test",
                                                     needs: "shellcheck (Debian: shellcheck)") else { return }
        let scripts = ["action/common.sh", "action/install.sh", "action/lint.sh", "action/diff.sh", "action/finish.sh",
                       "scripts/release.sh", "scripts/version.sh", "scripts/install-deps.sh", "scripts/install-test-tools.sh"]
        let r = ExternalTools.run(shellcheck, ["-x"] + scripts, timeout: 120, directory: Self.root)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// action.yml's top-level mapping `section` (inputs, outputs) as name -> that entry's mapping node.
    static func actionEntries(_ section: StaticString) throws -> [String] {
        let text = try String(contentsOfFile: root + "/action.yml", encoding: .utf8)
        var parser = YAMLParser()
        let parsed = Array(text.utf8).withUnsafeBytes { parser.parse($0) }
        try #require(parsed.error == nil, "action.yml: \(String(describing: parsed.error))")
        let doc = try #require(parsed.documents.first)
        let node = try #require(doc.value(doc.root, forKey: section))
        return doc.pairs(node).map { doc.string($0.key) }
    }

    @Test("docs/install.md lists every input and output of action.yml, and shows docs/examples/netpol-lint.yml as it is")
    func docsMatchAction() throws {
        let docs = try String(contentsOfFile: Self.root + "/docs/install.md", encoding: .utf8)
        let inputs = try Self.actionEntries("inputs"), outputs = try Self.actionEntries("outputs")
        #expect(inputs.count >= 14 && outputs.count >= 8)
        let rows = Set(docs.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
        for name in inputs + outputs { #expect(rows.contains(name), "docs/install.md has no table row for `\(name)`") }
        for name in rows where name.first!.isLowercase && !name.contains("/") && !name.contains(".") {
            #expect(inputs.contains(name) || outputs.contains(name), "docs/install.md documents `\(name)`, which action.yml does not have")
        }
        let example = try String(contentsOfFile: Self.root + "/docs/examples/netpol-lint.yml", encoding: .utf8)
        #expect(docs.contains("```yaml\n" + example + "```\n"), "docs/install.md's workflow differs from docs/examples/netpol-lint.yml")
    }

    @Test("action.yml runs the scripts under action/ and gives each the INPUT_* variables it reads")
    func actionStepsMatchScripts() throws {
        let action = try String(contentsOfFile: Self.root + "/action.yml", encoding: .utf8)
        let inputs = try Self.actionEntries("inputs")
        // Each step block: from one `- id:`/`- name:` to the next.
        let steps = action.components(separatedBy: "\n    - ").dropFirst()
        var scripts: [String] = []
        for step in steps {
            guard let range = step.range(of: #"\$GITHUB_ACTION_PATH/action/[a-z-]+\.sh"#, options: .regularExpression) else { continue }
            let script = String(step[range].dropFirst("$GITHUB_ACTION_PATH/".count))
            scripts.append(script)
            let body = try String(contentsOfFile: Self.root + "/" + script, encoding: .utf8)
            let read = Set(body.matches(of: /INPUT_[A-Z_]+/).map { String($0.output) })
            for variable in read {
                #expect(step.contains("\(variable): ${{ inputs."), "\(script) reads \(variable), which its step in action.yml does not set")
                let input = variable.dropFirst("INPUT_".count).lowercased().replacingOccurrences(of: "_", with: "-")
                #expect(inputs.contains(input), "\(variable) has no input \(input)")
            }
        }
        #expect(scripts == ["action/install.sh", "action/lint.sh", "action/diff.sh", "action/finish.sh"], "\(scripts)")
        #expect(action.contains("uses: github/codeql-action/upload-sarif@v4"))
    }
}
