import ArgumentParser
import NetpolLintCore
import NetpolLintRules

extension NetpolLintCommand {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace",
            abstract: "Would the repository's policies allow a connection? Prints the verdict and the deciding rules.",
            discussion: """
                Endpoints: NAMESPACE[/key=value,...] (a pod with exactly these labels; serviceaccount=NAME sets its \
                service account), NAMESPACE/WORKLOAD (the pods of a Deployment, StatefulSet, ... the repository \
                declares), an entity (world, host, remote-node, kube-apiserver, health, init, ingress, \
                unmanaged), an IP address / CIDR outside the cluster, or a DNS name (api.github.com, matched \
                against toFQDNs). A refused direction lists near misses: rules that allow the peer on other ports, \
                or would allow it if their policy selected the endpoint.
                Exit status: 0 allowed, 1 denied (or conditional: the answer depends on a named port, an FQDN or a \
                ${var} the repository does not fix), 2 usage or configuration error.
                """)

        enum TraceFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "The source endpoint.")
        var from: String

        @Option(help: "The destination endpoint.")
        var to: String

        @Option(help: "The destination port: N/PROTO (TCP, UDP or SCTP; default TCP).")
        var port: String

        @Argument(help: "Files or folders holding the policies (default: the current directory).")
        var paths: [String] = []

        @Option(name: .shortAndLong, help: "Output format: text or json.")
        var format: TraceFormat = .text

        @Option(help: "Convention preset (adds its well-known endpoints); overrides the config file.")
        var preset: String?

        @Option(help: "Configuration file (default: .netpol-lint.yaml found upward from the first path).")
        var config: String?

        func run() throws {
            guard let portQuery = PortQuery.parse(port), portQuery.port != nil else {
                fail("--port '\(port)' is not N/PROTO with N in 1-65535 and PROTO TCP, UDP or SCTP")
            }
            let cwd = FilePath.currentDirectory()
            let anchor = paths.first ?? "."
            requireExistingPaths(paths)
            let configuration = loadConfiguration(anchor: anchor, file: config, preset: preset)
            let root = Check.repositoryRoot(anchor: anchor, configuration: configuration, cwd: cwd)
            let request = LintRequest(paths: paths.isEmpty ? ["."] : paths, configuration: configuration,
                                      repositoryRoot: root, workingDirectory: cwd)
            let (context, _, _) = Linter(rules: builtInRules).load(request)
            let semantics = Convention.semantics(context)
            func endpoint(_ text: String, _ option: String) -> Endpoint {
                switch semantics.parseEndpoint(text) {
                case .success(let e): return e
                case .failure(let error): fail("\(option): \(error)")
                }
            }
            let source = endpoint(from, "--from")
            if case .dnsName = source.kind { fail("--from: '\(from)' is a DNS name; a host outside the cluster can be a destination only (give its address as the source)") }
            let verdict = semantics.allowed(from: source, to: endpoint(to, "--to"), port: portQuery)
            let reporter = TraceReporter(context: context, semantics: semantics)
            switch format {
            case .text: FileOutput.standardOutput(reporter.text(verdict))
            case .json: FileOutput.standardOutput(reporter.json(verdict).serialized() + "\n")
            }
            if verdict.result != .yes { throw ExitCode(1) }
        }
    }
}
