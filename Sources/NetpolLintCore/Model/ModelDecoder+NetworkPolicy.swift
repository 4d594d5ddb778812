/// The Kubernetes `networking.k8s.io/v1` NetworkPolicy schema
/// (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
enum NetworkPolicySchema {
    static let specKeys = ["podSelector", "policyTypes", "ingress", "egress"]
    static let ingressKeys = ["from", "ports"]
    static let egressKeys = ["to", "ports"]
    static let peerKeys = ["podSelector", "namespaceSelector", "ipBlock"]
    static let ipBlockKeys = ["cidr", "except"]
}

extension ModelDecoder {
    mutating func decodeNetworkPolicy(_ n: Int32?, object: Int32) -> NetworkPolicySpec {
        guard let n else {
            invalid("NetworkPolicy has no 'spec'", span(object))
            return NetworkPolicySpec(specSpan: span(object))
        }
        let f = fields(n, "the NetworkPolicy spec", known: NetworkPolicySchema.specKeys)
        var spec = NetworkPolicySpec(specSpan: span(n))
        if let ps = f["podSelector"]?.value {
            spec.podSelector = selector(ps, "podSelector", kubernetes: .pod)
        } else {
            invalid("NetworkPolicy spec needs a 'podSelector' ({} selects every pod in the namespace)", span(n))
        }
        if let l = list(f["policyTypes"]?.value, "policyTypes") {
            var types: [Located<String>] = []
            for t in l.value {
                guard let s = string(t, "a policyTypes item") else { continue }
                if s.value != "Ingress" && s.value != "Egress" {
                    invalid("policyTypes item '\(s.value)' must be 'Ingress' or 'Egress'", s.span)
                }
                types.append(s)
            }
            spec.policyTypes = Located(types, l.span)
        }
        for direction in [Direction.ingress, .egress] {
            let key = direction == .ingress ? "ingress" : "egress"
            guard let l = list(f[key]?.value, key) else { continue }
            var rules: [NetworkPolicyRule] = []
            for item in l.value {
                let rf = fields(item, "a NetworkPolicy \(key) rule",
                                known: direction == .ingress ? NetworkPolicySchema.ingressKeys : NetworkPolicySchema.egressKeys)
                guard doc.kind(item) == .mapping else { continue }
                var rule = NetworkPolicyRule(span: span(item), direction: direction, peers: nil, ports: nil)
                let peerKey = direction == .ingress ? "from" : "to"
                if let pl = list(rf[peerKey]?.value, peerKey) {
                    rule.peers = Located(pl.value.compactMap { knpPeer($0) }, pl.span)
                }
                if let pl = list(rf["ports"]?.value, "ports") {
                    rule.ports = Located(pl.value.compactMap { portProtocol($0, kubernetes: true) }, pl.span)
                }
                rules.append(rule)
            }
            if direction == .ingress { spec.ingress = Located(rules, l.span) } else { spec.egress = Located(rules, l.span) }
        }
        return spec
    }

    mutating func knpPeer(_ n: Int32) -> NetworkPolicyPeer? {
        guard doc.kind(n) == .mapping else {
            invalid("a NetworkPolicy peer must be a mapping", span(n))
            return nil
        }
        let f = fields(n, "a NetworkPolicy peer", known: NetworkPolicySchema.peerKeys)
        var peer = NetworkPolicyPeer(span: span(n))
        peer.podSelector = f["podSelector"].map { selector($0.value, "podSelector", kubernetes: .pod) }
        peer.namespaceSelector = f["namespaceSelector"].map { selector($0.value, "namespaceSelector", kubernetes: .namespace) }
        if let ib = f["ipBlock"] {
            let bf = fields(ib.value, "ipBlock", known: NetworkPolicySchema.ipBlockKeys)
            var block = CIDRRule(span: span(ib.value))
            block.cidr = bf["cidr"].flatMap { cidr($0.value) }
            if block.cidr == nil { invalid("ipBlock needs a 'cidr'", span(ib.key)) }
            if let l = list(bf["except"]?.value, "except") { block.except = l.value.compactMap { cidr($0) } }
            if let outer = block.cidr?.value.parsed {
                for e in block.except {
                    guard let inner = e.value.parsed else { continue }
                    if !CIDRParser.contains(outer, inner) || inner.prefixLength == outer.prefixLength {
                        invalid("except '\(e.value.text)' must be strictly inside cidr '\(block.cidr!.value.text)'", e.span)
                    }
                }
            }
            peer.ipBlock = block
            if peer.podSelector != nil || peer.namespaceSelector != nil {
                invalid("ipBlock cannot be combined with podSelector or namespaceSelector in the same peer", span(ib.key))
            }
        }
        if f.isEmpty { invalid("a NetworkPolicy peer must set podSelector, namespaceSelector or ipBlock", span(n)) }
        return peer
    }
}

extension NetworkPolicySpec {
    init(specSpan: Span) { self.init(specSpan: specSpan, podSelector: nil, policyTypes: nil, ingress: nil, egress: nil) }
}

extension NetworkPolicyPeer {
    init(span: Span) { self.init(span: span, podSelector: nil, namespaceSelector: nil, ipBlock: nil) }
}
