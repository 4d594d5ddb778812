import Foundation
import Testing
import NetpolLintCore
import NetpolLintTestSupport

/// An allow without L7 rules on the same port and peer as a DNS rule cancels its restriction, across policies
/// (https://docs.cilium.io/en/stable/security/policy/layer7/): `trace` says a name is visible, and why.
@Suite(.serialized) struct L7MergeTraceTests {
    static let cnp = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: downloader, namespace: media}
        spec:
          endpointSelector: {matchLabels: {app: downloader}}
          egress:
            - toFQDNs: [{matchName: cdn.example.org}]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
            - toEndpoints:
                - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
              toPorts:
                - ports: [{port: "53", protocol: ANY}]
                  rules: {dns: [{matchName: index.example.org}]}

        """

    static func networkPolicy(peer: String, port: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: downloader-dns, namespace: media}
        spec:
          podSelector: {matchLabels: {app: downloader}}
          policyTypes: [Egress]
          egress:
            - to: [\(peer)]
              ports: [\(port)]

        """
    }

    static let kubeDNS = "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}"

    func trace(_ np: String, format: String = "text") throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        let dir = TestSupport.writeTree([("media/cnp.yaml", Self.cnp), ("media/np.yaml", np)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try TestSupport.runCLI(["trace", "--from", "media/app=downloader", "--to", "cdn.example.org", "--port", "443/TCP",
                                       "--format", format, "."], in: dir)
    }

    @Test func anL4OnlyAllowToTheSamePeerAndPortMakesTheNameVisibleAndSaysWhy() throws {
        let r = try trace(Self.networkPolicy(peer: Self.kubeDNS, port: "{port: 53, protocol: UDP}"))
        #expect(r.stdout.hasPrefix("ALLOWED"), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("'cdn.example.org' is visible to Cilium's DNS proxy because NetworkPolicy 'downloader-dns' egress[0] (media/np.yaml:8)"), "\(r.stdout)")
        #expect(r.stdout.contains("cancels the DNS restriction of CNP 'downloader' egress[1] (media/cnp.yaml:9)"), "\(r.stdout)")
        #expect(!r.stdout.contains("[not certain"), "an exact port and peer: certain\n\(r.stdout)")
    }

    @Test func anL4OnlyAllowToAnotherPeerOrPortLeavesTheNameInvisible() throws {
        for np in [Self.networkPolicy(peer: "{ipBlock: {cidr: 0.0.0.0/0}}", port: "{port: 53, protocol: UDP}"),
                   Self.networkPolicy(peer: Self.kubeDNS, port: "{port: 5353, protocol: UDP}")] {
            let r = try trace(np)
            #expect(r.stdout.hasPrefix("DENIED"), "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("no egress rule with `rules: dns` on port 53 covers 'cdn.example.org'"), "\(r.stdout)")
            #expect(!r.stdout.contains("is visible to Cilium's DNS proxy"), "\(r.stdout)")
        }
    }

    @Test func anAllowOfEveryPortToTheSamePeerIsNotCertain() throws {
        // `ports: []`: every port to kube-dns. Whether Cilium lets it wildcard the DNS rules of port 53 has changed
        // between versions: conditional, never a denial.
        let r = try trace(Self.networkPolicy(peer: Self.kubeDNS, port: ""))
        #expect(r.stdout.hasPrefix("CONDITIONAL"), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("is visible to Cilium's DNS proxy because NetworkPolicy 'downloader-dns' egress[0]"), "\(r.stdout)")
        #expect(r.stdout.contains("[not certain"), "\(r.stdout)")
    }
}
