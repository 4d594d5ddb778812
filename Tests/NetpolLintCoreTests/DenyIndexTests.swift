@testable import NetpolLintCore
import Testing

/// `DenyIndex` (NP306's allow × deny comparison, indexed by peer and port) finds exactly the deny that comparing
/// every allow with every deny finds, on random policies built from the peers and ports that matter.
@Suite struct DenyIndexTests {
    /// A small deterministic generator (xorshift), so a failure can be replayed from its seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }
    }

    static let selectors = ["{}", "{matchLabels: {app: web}}", "{matchLabels: {app: db}}",
                            "{matchLabels: {app: web, tier: front}}",
                            "{matchExpressions: [{key: app, operator: In, values: [web, db]}]}",
                            "{matchExpressions: [{key: app, operator: In, values: []}]}",
                            "{matchExpressions: [{key: app, operator: Exists}]}",
                            "{matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}",
                            "{matchLabels: {k8s:io.kubernetes.pod.namespace: other}}",
                            "{matchLabels: {reserved:host: ''}}"]
    static let entities = ["all", "world", "cluster", "host", "remote-node", "kube-apiserver", "health"]
    static let cidrs = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "192.168.0.0/16", "0.0.0.0/0", "fd00::/8",
                        "fd00::1/128", "10.1.2.0/24"]
    static let ports = ["[{port: \"80\", protocol: TCP}]", "[{port: \"80\"}]", "[{port: \"443\", protocol: TCP}]",
                        "[{port: \"53\", protocol: UDP}, {port: \"53\", protocol: TCP}]",
                        "[{port: \"1\", endPort: 1024, protocol: TCP}]", "[{port: \"0\", protocol: ANY}]",
                        "[{port: http, protocol: TCP}]"]

    func peer(_ r: inout Random, direction: String) -> String {
        let to = direction == "ingress" ? "from" : "to"
        switch r.int(6) {
        case 0: return "\(to)Endpoints: [\(r.pick(Self.selectors))]"
        case 1: return "\(to)Entities: [\(r.pick(Self.entities))]"
        case 2: return "\(to)CIDR: [\(r.pick(Self.cidrs))]"
        case 3: return "\(to)CIDRSet: [{cidr: \(r.pick(Self.cidrs)), except: [10.1.2.3/32]}]"
        case 4: return direction == "egress" ? "toFQDNs: [{matchName: api.example.com}]" : "fromEntities: [world]"
        default: return "\(to)Endpoints: [\(r.pick(Self.selectors)), \(r.pick(Self.selectors))]"
        }
    }

    func rule(_ r: inout Random, direction: String) -> String {
        var lines: [String] = []
        switch r.int(8) {
        case 0: lines.append("{}")
        case 1: lines.append("toPorts: [{ports: \(r.pick(Self.ports))}]")
        case 2: lines.append("icmps: [{fields: [{type: 8}]}]")
        default:
            var item = peer(&r, direction: direction)
            if r.int(2) == 0 { item += ", toPorts: [{ports: \(r.pick(Self.ports))}]" }
            lines.append("{\(item)}")
        }
        return lines[0]
    }

    func repository(seed: UInt64) -> String {
        var r = Random(state: seed)
        var docs: [String] = []
        for p in 0..<(2 + r.int(4)) {
            let clusterwide = r.int(3) == 0
            var doc = """
                apiVersion: cilium.io/v2
                kind: \(clusterwide ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy")
                metadata: {name: p\(p)\(clusterwide ? "" : ", namespace: \(r.pick(["shop", "other"]))")}
                spec:
                  endpointSelector: \(r.pick(Array(Self.selectors.prefix(5))))

                """
            for section in ["ingress", "egress", "ingressDeny", "egressDeny"] where r.int(3) != 0 {
                let direction = section.hasPrefix("ingress") ? "ingress" : "egress"
                doc += "  \(section):\n"
                for _ in 0..<(1 + r.int(4)) { doc += "    - \(rule(&r, direction: direction))\n" }
            }
            docs.append(doc)
        }
        return docs.joined(separator: "---\n")
    }

    func semantics(_ yaml: String) -> Semantics {
        var parser = YAMLParser()
        let result = Array(yaml.utf8).withUnsafeBytes { parser.parse($0) }
        var objects: [KubeObject] = []
        for d in result.documents { objects += ModelDecoder.decode(d, file: 0).objects }
        let files = [SourceFile(path: "t.yaml", uri: "t.yaml", directives: Directives(), isTarget: true)]
        return Semantics(objects: objects, inventory: Inventory(files: files, objects: objects), wellKnown: [])
    }

    @Test func agreesWithComparingEveryPair() {
        var compared = 0, covered = 0
        for seed in UInt64(1)...400 {
            let yaml = repository(seed: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
            let s = semantics(yaml)
            let denies = s.subjects.flatMap { subject in subject.rules.filter(\.ref.isDeny).map { (subject, $0) } }
            let index = DenyIndex(denies)
            for subject in s.subjects {
                for allow in subject.rules where !allow.ref.isDeny {
                    let expected = denies.first { ds, d in
                        d.ref.direction == allow.ref.direction && ds.selector.subsumes(subject.selector) && d.covers(allow)
                    }
                    let found = index.firstCovering(allow, of: subject)
                    compared += 1
                    if expected != nil { covered += 1 }
                    #expect(found?.rule.ref == expected?.1.ref, "seed \(seed): \(allow.ref.path) of object \(allow.ref.object)\n\(yaml)")
                }
            }
        }
        // The random policies exercise both outcomes.
        #expect(compared > 1000 && covered > 100, "compared \(compared), covered \(covered)")
    }
}
