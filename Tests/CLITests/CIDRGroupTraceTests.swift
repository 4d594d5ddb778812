import Foundation
import Testing
import NetpolLintCore
import NetpolLintTestSupport

/// `cidrGroupRef` / `cidrGroupSelector` resolve to the CiliumCIDRGroups the repository defines
/// (https://docs.cilium.io/en/stable/network/kubernetes/ciliumcidrgroup/).
@Suite(.serialized) struct CIDRGroupTraceTests {
    static let policy = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: backup, namespace: backup}
        spec:
          endpointSelector: {matchLabels: {app: restic}}
          egress:
            - toCIDRSet:
                - cidrGroupRef: nas
              toPorts: [{ports: [{port: "2049", protocol: TCP}]}]
            - toCIDRSet:
                - cidrGroupSelector: {matchLabels: {role: offsite}}
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]

        """

    static let groups = """
        apiVersion: cilium.io/v2alpha1
        kind: CiliumCIDRGroup
        metadata: {name: nas}
        spec:
          externalCIDRs: [192.168.10.5/32]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumCIDRGroup
        metadata: {name: offsite, labels: {role: offsite}}
        spec:
          externalCIDRs: [203.0.113.0/24]

        """

    func trace(to: String, port: String, groups: Bool) throws -> String {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        var files = [(path: "backup/cnp.yaml", content: Self.policy)]
        if groups { files.append((path: "cilium/groups.yaml", content: Self.groups)) }
        let dir = TestSupport.writeTree(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try TestSupport.runCLI(["trace", "--from", "backup/app=restic", "--to", to, "--port", port, "."], in: dir)
        return r.stdout + r.stderr
    }

    @Test func aGroupOfTheRepositoryDecides() throws {
        let inGroup = try trace(to: "192.168.10.5", port: "2049/TCP", groups: true)
        #expect(inGroup.hasPrefix("ALLOWED"), "\(inGroup)")
        #expect(inGroup.contains("allowed by CNP 'backup' egress[0]"), "\(inGroup)")
        let outside = try trace(to: "192.168.10.6", port: "2049/TCP", groups: true)
        #expect(outside.hasPrefix("DENIED"), "\(outside)")
        #expect(!outside.contains("is not defined in the repository"), "\(outside)")
    }

    @Test func aGroupSelectorTakesTheMatchingGroupsAndMaybeOthers() throws {
        let selected = try trace(to: "203.0.113.7", port: "443/TCP", groups: true)
        #expect(selected.hasPrefix("ALLOWED"), "\(selected)")
        // Another group, outside the repository, may carry the label: not a denial.
        let other = try trace(to: "198.51.100.7", port: "443/TCP", groups: true)
        #expect(other.hasPrefix("CONDITIONAL"), "\(other)")
    }

    @Test func aMissingGroupStaysConditionalWithANote() throws {
        let out = try trace(to: "192.168.10.6", port: "2049/TCP", groups: false)
        #expect(out.hasPrefix("CONDITIONAL"), "\(out)")
        #expect(out.contains("note: CiliumCIDRGroup 'nas' (cidrGroupRef) is not defined in the repository"), "\(out)")
    }
}
