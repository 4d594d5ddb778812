import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// The release archive of `make release` (.build/dist/netpol-lint-<version>-linux-<arch>.tar.gz, built by
/// scripts/release.sh) and `make install`.
///
/// A release build takes minutes, so these tests do not build it: `make test` runs `make release` first in CI (CI
/// set) or with RELEASE=1, and elsewhere the tests use the archive of an earlier `make release`. Without one they
/// say SKIPPED, or fail when NETPOL_LINT_REQUIRE_TOOLS is set (.ci/run sets it), so CI cannot pass without testing
/// the archive.
@Suite(.serialized) struct ReleaseTests {
    static let root = TestSupport.packageRoot
    static let arch: String = {
        let r = ExternalTools.run("/usr/bin/env", ["uname", "-m"])
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()
    static var name: String { "netpol-lint-\(NetpolLint.version)-linux-\(arch)" }
    static var archive: String { root + "/.build/dist/" + name + ".tar.gz" }
    static var stage: String { root + "/.build/dist/" + name }

    /// The archive (and its staged folder, which `make install` copies), or nil after a visible skip / a failure.
    static func requireArchive(_ what: String) -> String? {
        let fm = FileManager.default
        if fm.fileExists(atPath: archive), fm.isExecutableFile(atPath: stage + "/bin/netpol-lint") { return archive }
        let message = "\(what) needs the release archive .build/dist/\(name).tar.gz"
            + " (build it with: make release; make test builds it first when CI is set, or with RELEASE=1)"
        if ProcessInfo.processInfo.environment["NETPOL_LINT_REQUIRE_TOOLS"] != nil {
            Issue.record("\(message), and NETPOL_LINT_REQUIRE_TOOLS is set")
        } else {
            print("SKIPPED: \(message)")
        }
        return nil
    }

    /// Runs a program with a clean environment (PATH, HOME and `environment` only).
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                    environment: [String: String] = [:]) -> ExternalTools.Result {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
        env["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        for (k, v) in environment { env[k] = v }
        return ExternalTools.run(executable, arguments, environment: env, timeout: 120, directory: directory,
                                 inheritEnvironment: false)
    }

    /// Unpacks the archive into a new temporary folder (outside the repository) and returns the unpacked folder.
    static func unpack(_ archive: String) throws -> String {
        let dir = TestSupport.temporaryDirectory()
        let r = run("/usr/bin/env", ["tar", "-xzf", archive, "-C", dir])
        try #require(r.status == 0, "tar -xzf: \(r.stderr)")
        return dir + "/" + name
    }

    /// One error (NP101), two warnings (NP204, NP205) and one note (NP403).
    static let policyTree: [(path: String, content: String)] = [
        ("ns.yaml", Manifests.namespace("web") + Manifests.workload("frontend", "web", "app: frontend")),
        ("policy.yaml", """
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
              - toCIDR: [203.0.113.7/32]
                toPort:
                - ports: [{port: "443", protocol: TCP}]

            """),
    ]

    static let subcommands = ["check", "trace", "audit", "diff", "rules", "explain", "init"]

    @Test("the archive matches its .sha256 and holds the program, man page, completions, LICENSE, README, CHANGELOG")
    func archiveContents() throws {
        guard let archive = Self.requireArchive("the release archive test") else { return }
        let line = try String(contentsOfFile: archive + ".sha256", encoding: .utf8)
        let sum = Self.run("/usr/bin/env", ["sha256sum", archive]).stdout.split(separator: " ").first.map(String.init)
        #expect(line == "\(sum ?? "?")  \(Self.name).tar.gz\n", "the .sha256 file: \(line)")

        let listing = Self.run("/usr/bin/env", ["tar", "-tzf", archive]).stdout.split(separator: "\n").map(String.init)
        #expect(listing.allSatisfy { $0.hasPrefix(Self.name + "/") }, "one top folder: \(listing)")
        for file in ["bin/netpol-lint", "LICENSE", "README.md", "CHANGELOG.md", "share/man/man1/netpol-lint.1",
                     "share/bash-completion/completions/netpol-lint", "share/zsh/site-functions/_netpol-lint",
                     "share/fish/vendor_completions.d/netpol-lint.fish"] {
            #expect(listing.contains(Self.name + "/" + file), "\(file) is missing from the archive")
        }
        let unpacked = try Self.unpack(archive)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: unpacked).deletingLastPathComponent().path) }
        let license = try String(contentsOfFile: unpacked + "/LICENSE", encoding: .utf8)
        #expect(license == (try String(contentsOfFile: Self.root + "/LICENSE", encoding: .utf8)))
        #expect(license.contains("Apache License") && license.contains("Version 2.0, January 2004"))
    }

    @Test("the program loads no Swift runtime, Foundation, Dispatch, libyaml or PCRE2: only the C library's own")
    func noDynamicSwiftOrYAMLOrPCRE() throws {
        guard let archive = Self.requireArchive("the release ldd test") else { return }
        let unpacked = try Self.unpack(archive)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: unpacked).deletingLastPathComponent().path) }
        let r = Self.run("/usr/bin/env", ["ldd", unpacked + "/bin/netpol-lint"])
        try #require(r.status == 0, "ldd: \(r.stdout)\(r.stderr)")
        print("ldd \(Self.name)/bin/netpol-lint:\n\(r.stdout)")
        for forbidden in ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libyaml",
                          "libpcre2", "libicu", "not found"] {
            #expect(!r.stdout.contains(forbidden), "ldd lists \(forbidden):\n\(r.stdout)")
        }
        // What may stay dynamic: glibc's libraries, the vDSO, libgcc_s (unwinder) and — only when the build machine
        // has no libstdc++.a, which scripts/release.sh warns about — libstdc++.
        let allowed = ["linux-vdso.so", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
                       "libgcc_s.so.1", "libstdc++.so.6", "ld-linux"]
        for line in r.stdout.split(separator: "\n") {
            let lib = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            let base = URL(fileURLWithPath: lib).lastPathComponent
            #expect(allowed.contains { base.hasPrefix($0) }, "unexpected shared library: \(line)")
        }
    }

    @Test("the program runs with an empty environment from a folder outside the repository: --version and a lint")
    func runsWithEmptyEnvironment() throws {
        guard let archive = Self.requireArchive("the release run test") else { return }
        let unpacked = try Self.unpack(archive)
        let dir = TestSupport.writeTree(Self.policyTree.map { ("tree/" + $0.path, $0.content) })
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: unpacked).deletingLastPathComponent().path)
        }
        #expect(!dir.hasPrefix(Self.root))
        try FileManager.default.copyItem(atPath: unpacked + "/bin/netpol-lint", toPath: dir + "/netpol-lint")

        let version = ExternalTools.run("/usr/bin/env", ["-i", "./netpol-lint", "--version"], directory: dir)
        #expect(version.status == 0 && version.stdout == NetpolLint.version + "\n",
                "env -i ./netpol-lint --version: \(version.status) \(version.stdout)\(version.stderr)")

        let check = ExternalTools.run("/usr/bin/env", ["-i", "./netpol-lint", "check", "tree"], directory: dir)
        #expect(check.status == 1, "exit status \(check.status): \(check.stderr)")
        #expect(check.stdout.contains(
            "tree/policy.yaml:13:5: error: unknown field 'toPort' in an egress rule; did you mean 'toPorts'? [NP101 unknown-field]"),
            "\(check.stdout)")
        #expect(check.stderr.contains("1 error, 2 warnings, 1 note in 2 files"), "\(check.stderr)")

        let sarif = ExternalTools.run("/usr/bin/env", ["-i", "./netpol-lint", "check", "--format", "sarif", "tree"],
                                      directory: dir)
        let doc = try TestSupport.jsonObject(sarif.stdout)
        #expect(doc["version"] as? String == "2.1.0")
        #expect(((doc["runs"] as? [[String: Any]])?.first?["results"] as? [Any])?.count == 4)
    }

    @Test("the program runs in an otherwise empty root that holds only the libraries ldd names (chroot)")
    func runsInEmptyRoot() throws {
        guard let archive = Self.requireArchive("the empty-root test") else { return }
        // Needs root (chroot, mount); the mount lives in a private mount namespace and goes with the process.
        let chroot = ExternalTools.find("chroot") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/chroot") ? "/usr/sbin/chroot" : nil)
        guard getuid() == 0, let unshare = ExternalTools.find("unshare"), let chroot, let mount = ExternalTools.find("mount") else {
            print("note: the empty-root test needs root, unshare, mount and chroot; not run")
            return
        }
        // A container without CAP_SYS_ADMIN (GitHub's `container:` jobs) cannot make a mount namespace.
        let probe = ExternalTools.run(unshare, ["--mount", "--propagation", "private", "--fork", "/bin/true"])
        guard probe.status == 0 else {
            print("note: the empty-root test cannot make a mount namespace here (\(probe.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); not run")
            return
        }
        let unpacked = try Self.unpack(archive)
        let root = TestSupport.writeTree(Self.policyTree.map { ("tree/" + $0.path, $0.content) })
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: unpacked).deletingLastPathComponent().path)
        }
        try FileManager.default.copyItem(atPath: unpacked + "/bin/netpol-lint", toPath: root + "/netpol-lint")
        try FileManager.default.createDirectory(atPath: root + "/proc", withIntermediateDirectories: true)
        // The libraries ldd names (which the ldd test above checks), at the same paths: nothing else exists in the
        // root (no Swift, no libyaml, no PCRE2, no shell, no /usr/share), so the program opens nothing at run time
        // that ldd does not show. /proc is there because Swift's static runtime reads the program's arguments from it.
        let ldd = Self.run("/usr/bin/env", ["ldd", root + "/netpol-lint"]).stdout
        for line in ldd.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let path = words.first(where: { $0.hasPrefix("/") }).map(String.init) else { continue }
            let target = root + path
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path, toPath: target)
        }
        func inRoot(_ arguments: [String]) -> ExternalTools.Result {
            let script = "\(mount) -t proc proc \"$1/proc\" && exec /usr/bin/env -i \(chroot) \"$1\" /netpol-lint \"${@:2}\""
            return ExternalTools.run(unshare, ["--mount", "--propagation", "private", "--fork", "/bin/bash", "-c", script, "bash", root]
                                     + arguments, timeout: 120)
        }
        let version = inRoot(["--version"])
        #expect(version.status == 0 && version.stdout == NetpolLint.version + "\n", "\(version.stdout)\(version.stderr)")
        let check = inRoot(["check", "/tree"])
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.stdout.contains("tree/policy.yaml:13:5: error: unknown field 'toPort'"), "\(check.stdout)\(check.stderr)")
    }

    @Test("the man page renders without warnings; the completion scripts parse and name the subcommands")
    func manPageAndCompletions() throws {
        guard let archive = Self.requireArchive("the man page and completion test") else { return }
        let unpacked = try Self.unpack(archive)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: unpacked).deletingLastPathComponent().path) }
        let page = unpacked + "/share/man/man1/netpol-lint.1"

        if let groff = ExternalTools.require(ExternalTools.find("groff"), for: "the man page rendering test",
                                             needs: "groff (Debian: groff-base)") {
            let lint = Self.run(groff, ["-mdoc", "-Tutf8", "-ww", "-z", page])
            #expect(lint.status == 0 && lint.stderr.isEmpty, "groff warnings: \(lint.stderr)")
            let text = Self.run(groff, ["-mdoc", "-Tutf8", "-P-cbou", page]).stdout  // plain text, no overstrike
            #expect(text.contains("NETPOL-LINT(1)") && text.contains("NAME") && text.contains("SYNOPSIS"))
            for sub in Self.subcommands { #expect(text.contains(sub), "the man page does not mention \(sub)") }
        }
        if let man = ExternalTools.find("man") {
            let r = Self.run(man, ["-l", page], environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"])
            #expect(r.status == 0 && r.stdout.contains("netpol-lint"), "man -l: \(r.stderr)")
        }

        for shell in ["bash-completion/completions/netpol-lint", "zsh/site-functions/_netpol-lint",
                      "fish/vendor_completions.d/netpol-lint.fish"] {
            let script = try String(contentsOfFile: unpacked + "/share/" + shell, encoding: .utf8)
            #expect(script.count > 1000, "\(shell) is (nearly) empty")
            for sub in Self.subcommands { #expect(script.contains(sub), "\(shell) does not complete \(sub)") }
        }
        let bash = unpacked + "/share/bash-completion/completions/netpol-lint"
        let syntax = Self.run("/bin/bash", ["-n", bash])
        #expect(syntax.status == 0, "bash -n: \(syntax.stderr)")
        let loaded = Self.run("/bin/bash", ["-c", "source \"$1\" && complete -p netpol-lint", "bash", bash])
        #expect(loaded.status == 0 && loaded.stdout.contains("netpol-lint"), "complete -p: \(loaded.stdout)\(loaded.stderr)")
        // zsh and fish check their own syntax when they are installed (optional: the scripts are generated by
        // swift-argument-parser, and bash is the one every runner has).
        for (shell, file) in [("zsh", "zsh/site-functions/_netpol-lint"), ("fish", "fish/vendor_completions.d/netpol-lint.fish")] {
            guard let program = ExternalTools.find(shell) else { print("note: \(shell) is not installed; \(shell) -n not run"); continue }
            let r = Self.run(program, ["-n", unpacked + "/share/" + file])
            #expect(r.status == 0, "\(shell) -n: \(r.stderr)")
        }
    }

    @Test("make install DESTDIR=... PREFIX=/usr/local installs the program, man page and completions; make uninstall removes them")
    func makeInstallAndUninstall() throws {
        guard Self.requireArchive("the make install test") != nil else { return }
        guard let make = ExternalTools.require(ExternalTools.find("make"), for: "the make install test", needs: "make") else { return }
        let destdir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        // A clean environment: the `make test` that runs this suite passes MAKEFLAGS and MAKELEVEL down.
        let install = Self.run(make, ["-s", "-C", Self.root, "install", "DESTDIR=\(destdir)", "PREFIX=/usr/local"])
        try #require(install.status == 0, "make install: \(install.stdout)\(install.stderr)")

        let prefix = destdir + "/usr/local"
        let files = ["bin/netpol-lint", "share/man/man1/netpol-lint.1", "share/bash-completion/completions/netpol-lint",
                     "share/zsh/site-functions/_netpol-lint", "share/fish/vendor_completions.d/netpol-lint.fish"]
        for file in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: prefix + "/" + file)
            #expect((attributes?[.size] as? Int ?? 0) > 0, "\(file) was not installed")
            let mode = (attributes?[.posixPermissions] as? Int) ?? 0
            #expect(mode == (file.hasPrefix("bin/") ? 0o755 : 0o644), "\(file) has mode \(String(mode, radix: 8))")
        }
        let version = ExternalTools.run("/usr/bin/env", ["-i", prefix + "/bin/netpol-lint", "--version"])
        #expect(version.stdout == NetpolLint.version + "\n")
        let bash = prefix + "/share/bash-completion/completions/netpol-lint"
        #expect(Self.run("/bin/bash", ["-n", bash]).status == 0)
        let completion = try String(contentsOfFile: bash, encoding: .utf8)
        for sub in Self.subcommands { #expect(completion.contains(sub)) }

        let uninstall = Self.run(make, ["-s", "-C", Self.root, "uninstall", "DESTDIR=\(destdir)", "PREFIX=/usr/local"])
        #expect(uninstall.status == 0, "make uninstall: \(uninstall.stderr)")
        for file in files { #expect(!FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) is still there") }
    }
}
