import Foundation
import NetpolLintCore
import NetpolLintRules
import Testing

/// A position marked with `↓` in an example.
public struct Marker: Hashable, CustomStringConvertible, Sendable {
    public var path: String
    public var line: Int
    public var column: Int
    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }
    public var description: String { "\(path):\(line):\(column)" }
}

public enum TestSupport {
    /// The package root, found from this file's path.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// `../shared` beside the package, when present (CI has it; a user's clone does not).
    public static var sharedDirectory: String? {
        let path = URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Prints why a test is skipped, visibly, and returns false so the caller can return early.
    /// When `NETPOL_LINT_REQUIRE_SHARED` is set (CI), a missing `../shared/` is a failure, not a skip.
    public static func requireShared(_ what: String) -> String? {
        if let s = sharedDirectory { return s }
        if ProcessInfo.processInfo.environment["NETPOL_LINT_REQUIRE_SHARED"] != nil {
            Issue.record("\(what) needs ../shared/ and NETPOL_LINT_REQUIRE_SHARED is set")
        } else {
            print("SKIPPED: \(what) needs ../shared/ beside the repository (present in CI, absent in a user's clone)")
        }
        return nil
    }

    /// Removes `↓` markers and returns where they were (1-based line, code-point column).
    public static func markers(in content: String, path: String) -> (clean: String, markers: [Marker]) {
        var clean = ""
        var found: [Marker] = []
        var line = 1, column = 1
        for ch in content {
            if ch == RuleDocumentation.marker {
                found.append(Marker(path: path, line: line, column: column))
                continue
            }
            clean.append(ch)
            if ch == "\n" { line += 1; column = 1 } else { column += ch.unicodeScalars.count }
        }
        return (clean, found)
    }

    public static func temporaryDirectory() -> String {
        let template = NSTemporaryDirectory() + "netpol-lint-test-XXXXXX"
        var buf = Array(template.utf8CString)
        guard let p = mkdtemp(&buf) else { fatalError("mkdtemp failed") }
        return String(cString: p)
    }

    /// Writes files into a fresh folder and returns it.
    public static func writeTree(_ files: [(path: String, content: String)]) -> String {
        let dir = temporaryDirectory()
        for f in files {
            let url = URL(fileURLWithPath: dir).appendingPathComponent(f.path)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? f.content.write(to: url, atomically: false, encoding: .utf8)
        }
        return dir
    }

    /// Lints a folder with the given rules forced on; paths in the report are relative to `dir`.
    public static func lint(directory dir: String, rules: [any Rule.Type], configuration: String? = nil,
                            enableAll: Bool = true) throws -> LintReport {
        var config = Configuration()
        if let configuration { config = try Configuration.parse(configuration, file: dir + "/" + Configuration.fileName) }
        var request = LintRequest(paths: [dir], configuration: config, repositoryRoot: dir, workingDirectory: dir)
        if enableAll { request.enable = rules.map { $0.description.id } }
        request.maxFileSize = config.maxFileSize
        return try Linter(rules: rules).run(request)
    }

    /// Lints an example with only `rule` enabled. Returns the report and the expected marker positions.
    public static func run(_ example: Example, rule: any Rule.Type,
                           transform: (String) -> String = { $0 }) throws -> (report: LintReport, expected: [Marker]) {
        var expected: [Marker] = []
        var files: [(path: String, content: String)] = []
        for f in example.files {
            let (clean, marks) = markers(in: f.content, path: f.path)
            expected += marks
            files.append((f.path, transform(clean)))
        }
        var configuration: String?
        if let c = example.configuration {
            let (clean, marks) = markers(in: c, path: Configuration.fileName)
            expected += marks
            configuration = marks.isEmpty ? clean : transform(clean)
            files.append((Configuration.fileName, configuration!))
        }
        let dir = writeTree(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try lint(directory: dir, rules: [rule], configuration: configuration)
        return (report, expected)
    }

    public static func positions(_ report: LintReport) -> [Marker] {
        report.findings.map { Marker(path: report.files[Int($0.span.file)].path, line: Int($0.span.line), column: Int($0.span.column)) }
    }

    /// The built `netpol-lint` executable beside the test bundle, if present.
    public static var executable: String? {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bin, bin.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("netpol-lint").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        let fallback = packageRoot + "/.build/debug/netpol-lint"
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs the CLI with arguments in `directory`, optionally feeding standard input.
    public static func runCLI(_ arguments: [String], in directory: String, stdin: String? = nil,
                              environment: [String: String] = [:]) throws -> ProcessResult {
        guard let exe = executable else { throw CocoaError(.fileNoSuchFile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin.data(using: .utf8)!) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self))
    }
}
