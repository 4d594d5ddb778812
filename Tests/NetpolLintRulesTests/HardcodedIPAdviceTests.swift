import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// NP204's advice fits the policy and the peer: no endpoints or entities for a NetworkPolicy, no selector for an
/// address outside the cluster, a Flux substitution only in a Flux repository.
@Suite struct HardcodedIPAdviceTests {
    static let networkPolicy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: nas, namespace: backup}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
            - to: [{ipBlock: {cidr: 192.168.10.5/32}}]
              ports: [{port: 2049}]
        """
    static let cilium = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: saas, namespace: backup}
        spec:
          description: the backup target
          endpointSelector: {}
          egress:
            - toCIDR: [203.0.113.7/32, 10.0.4.0/24]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
        """
    static let flux = """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          path: ./apps
          postBuild:
            substitute: {NAS_CIDR: 192.168.10.5/32}
        """

    func messages(_ files: [(String, String)]) throws -> [String: String] {
        let dir = TestSupport.writeTree(files)
        let report = try TestSupport.lint(directory: dir, rules: [HardcodedIPRule.self])
        return Dictionary(report.findings.map { f in
            (String(f.message.split(separator: "'")[1]), f.message)
        }, uniquingKeysWith: { a, _ in a })
    }

    @Test func networkPolicyAdviceHasNoEndpointsOrEntities() throws {
        let m = try messages([("np.yaml", Self.networkPolicy)])
        let nas = try #require(m["192.168.10.5/32"])
        #expect(!nas.contains("endpoints") && !nas.contains("entit"), "\(nas)")
        #expect(nas.contains("podSelector/namespaceSelector") && nas.contains("allowedCIDRs"), "\(nas)")
        #expect(!nas.contains("${VAR}"), "no Flux in this repository: \(nas)")
    }

    @Test func anAddressOutsideTheClusterGetsNoSelectorAdvice() throws {
        let m = try messages([("cnp.yaml", Self.cilium)])
        let saas = try #require(m["203.0.113.7/32"])
        #expect(saas.contains("outside the cluster") && saas.contains("allowedCIDRs"), "\(saas)")
        #expect(!saas.contains("toEndpoints") && !saas.contains("entity"), "\(saas)")
        let lan = try #require(m["10.0.4.0/24"])
        #expect(lan.contains("select it with toEndpoints or an entity"), "a private address may be in the cluster: \(lan)")
    }

    @Test func fluxRepositoriesAreOfferedASubstitution() throws {
        let m = try messages([("np.yaml", Self.networkPolicy), ("flux.yaml", Self.flux)])
        #expect(m["192.168.10.5/32"]?.contains("Flux ${VAR} from postBuild.substitute") == true, "\(m)")
    }
}
