import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// The fixes findings carry (`Finding.fix`, offered by the language server as quick fixes): each replaces exactly
/// the mistyped text, keeps its quoting, and applying all of them leaves nothing for NP101 and NP102 to report.
@Suite struct FixTests {
    static let policy = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: api
          namespace: shop
        spec:
          description: "the API — for the café 😀"
          endpointSelector: {matchExpressions: [{key: app, operator: exists}]}
          ingress:
            - fromEndpoint:
                - matchLabels: {app: web}
              toPorts:
                - ports:
                    - {port: "8080", protocol: tcp}
                    - port: "8081"
                      protocol: "udp"
                    - port: "8082"
                      protocol: 'sctp'
            - fromEntities: [wrold]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
        """

    static func lint(_ text: String) throws -> [Finding] {
        let dir = TestSupport.writeTree([("policy.yaml", text)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try TestSupport.lint(directory: dir, rules: [UnknownFieldRule.self, InvalidValueRule.self]).findings
    }

    /// The text with the fixes applied (1-based lines, code-point columns), last first so earlier spans stay valid.
    static func apply(_ fixes: [Fix], to text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0).unicodeScalars) }
        for fix in fixes.sorted(by: { $0.span > $1.span }) {
            let l = Int(fix.span.line) - 1
            let a = Int(fix.span.column) - 1, b = Int(fix.span.endColumn) - 1
            lines[l].replaceSubrange(a..<b, with: Array(fix.replacement.unicodeScalars))
        }
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    @Test func fixesReplaceExactlyTheMistypedText() throws {
        let findings = try Self.lint(Self.policy)
        let fixes = findings.compactMap(\.fix)
        let expected: [(title: String, line: Int32, replacement: String)] = [
            ("Replace 'exists' with 'Exists'", 8, "Exists"),
            ("Replace 'fromEndpoint' with 'fromEndpoints'", 10, "fromEndpoints"),
            ("Replace 'tcp' with 'TCP'", 14, "TCP"),
            ("Replace 'udp' with 'UDP'", 16, "\"UDP\""),
            ("Replace 'sctp' with 'SCTP'", 18, "'SCTP'"),
            ("Replace 'wrold' with 'world'", 19, "world"),
        ]
        #expect(fixes.map(\.title) == expected.map(\.title))
        #expect(fixes.map(\.span.line) == expected.map(\.line))
        #expect(fixes.map(\.replacement) == expected.map(\.replacement))
        // Each fix belongs to the finding it is on, and covers the scalar as written (quotes included).
        for f in findings { if let fix = f.fix { #expect(fix.span == f.span) } }
        let fixed = Self.apply(fixes, to: Self.policy)
        #expect(fixed.contains("{key: app, operator: Exists}"))
        #expect(fixed.contains("- fromEndpoints:\n"))
        #expect(fixed.contains("{port: \"8080\", protocol: TCP}"))
        #expect(fixed.contains("protocol: \"UDP\"\n"))
        #expect(fixed.contains("protocol: 'SCTP'\n"))
        #expect(fixed.contains("fromEntities: [world]"))
        #expect(try Self.lint(fixed).isEmpty)
    }

    /// No fix where the message suggests none, or where applying the suggestion would not be the fix.
    @Test func noFixWhenAmbiguous() throws {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: shop}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress:
                - ports:
                    - {port: 5432, protocol: ICMP}
                  form: []
                  from: []
                  zzzzzz: 1
            """
        let findings = try Self.lint(text)
        // `form` has a did-you-mean, but the rule already has `from`: renaming would make a duplicate key.
        #expect(findings.contains { $0.message.contains("'form'") && $0.message.contains("did you mean 'from'") })
        #expect(findings.contains { $0.message.contains("'zzzzzz'") })
        #expect(findings.contains { $0.message.contains("unknown protocol 'ICMP'") })
        #expect(findings.allSatisfy { $0.fix == nil })
    }
}
