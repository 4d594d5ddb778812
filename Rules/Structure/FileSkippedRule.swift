import NetpolLintCore

/// NP106: a file was deliberately not read (too large, or a symlink out of the tree).
public struct FileSkippedRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP106", name: "file-skipped", category: .structure, defaultSeverity: .warning,
        summary: "A file was not linted: it is over the size limit or a symlink that leaves the linted tree",
        rationale: """
            netpol-lint reads untrusted pull requests, so it bounds its work: files over `--max-file-size` \
            (10 MB by default) are not parsed, and symlinks are never followed out of the folder being linted \
            (a link to `/etc` or to another checkout must not be read). Skipping must never be silent, so each \
            skipped file is reported here.
            """,
        remediation: "Raise `--max-file-size` if the file really is a manifest, or point the symlink inside the repository (or lint its target directly).",
        triggeringExamples: [
            Example("""
                ↓apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: generated-allow-list
                  namespace: shop
                spec:
                  description: a generated policy that grew past the configured limit of 512 bytes
                  endpointSelector: {}
                  egress:
                    - toEndpoints: [{matchLabels: {app: client-01}}]
                    - toEndpoints: [{matchLabels: {app: client-02}}]
                    - toEndpoints: [{matchLabels: {app: client-03}}]
                    - toEndpoints: [{matchLabels: {app: client-04}}]
                    - toEndpoints: [{matchLabels: {app: client-05}}]
                    - toEndpoints: [{matchLabels: {app: client-06}}]
                    - toEndpoints: [{matchLabels: {app: client-07}}]
                    - toEndpoints: [{matchLabels: {app: client-08}}]
                """, configuration: "maxFileSize: 512"),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: small
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        context.fileIssues.filter { $0.rule == Self.description.id }.map { Finding($0.message, at: $0.span) }
    }
}
