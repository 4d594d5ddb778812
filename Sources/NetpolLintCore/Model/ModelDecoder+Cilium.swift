/// The Cilium `cilium.io/v2` policy schema: field names from `pkg/policy/api/{rule,ingress,egress,l4,l7,cidr,fqdn,
/// icmp,service,selector,entity}.go`, validation from `rule_validation.go` and the CRD
/// (Cilium policy language: https://docs.cilium.io/en/stable/security/policy/language/#entities-based and #layer-4-examples).
enum CiliumSchema {
    static let ruleKeys = ["endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny",
                           "labels", "description", "enableDefaultDeny", "log"]
    static let ingressCommon = ["fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities",
                                "fromGroups", "fromNodes", "toPorts", "icmps"]
    static let ingressKeys = ingressCommon + ["authentication"]
    static let egressCommon = ["toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices",
                               "toGroups", "toNodes", "toPorts", "icmps"]
    static let egressKeys = egressCommon + ["toFQDNs", "authentication"]
    static let portRuleKeys = ["ports", "terminatingTLS", "originatingTLS", "serverNames", "listener", "rules"]
    static let portDenyRuleKeys = ["ports"]
    static let portProtocolKeys = ["port", "endPort", "protocol"]
    static let l7Keys = ["http", "kafka", "dns", "l7proto", "l7"]
    static let dnsKeys = ["matchName", "matchPattern"]
    static let cidrRuleKeys = ["cidr", "cidrGroupRef", "cidrGroupSelector", "except"]
    static let selectorKeys = ["matchLabels", "matchExpressions"]
    static let expressionKeys = ["key", "operator", "values"]
    static let serviceKeys = ["k8sService", "k8sServiceSelector"]
    static let k8sServiceKeys = ["serviceName", "namespace"]
    static let serviceSelectorKeys = ["selector", "namespace"]
    static let defaultDenyKeys = ["ingress", "egress"]
    static let authenticationKeys = ["mode"]
    /// The CRD enum of entities (`+kubebuilder:validation:Enum` in entity.go).
    static let entities = ["all", "world", "cluster", "host", "init", "ingress", "unmanaged", "remote-node",
                           "health", "none", "kube-apiserver"]
    static let protocols = ["TCP", "UDP", "SCTP", "ANY", "ICMP", "ICMPV6", "VRRP", "IGMP", "GRE", "IPIP", "IPV6",
                            "ESP", "AH"]
    static let maxPorts = 40
}

extension ModelDecoder {
    mutating func decodeCilium(_ top: Fields, clusterwide: Bool, object: Int32) -> CiliumPolicy {
        var rules: [CiliumRule] = []
        if let spec = top["spec"] {
            if let r = decodeCiliumRule(spec.value, key: spec.key, clusterwide: clusterwide) { rules.append(r) }
        }
        if let specs = top["specs"], let items = list(specs.value, "specs") {
            for item in items.value {
                if let r = decodeCiliumRule(item, key: specs.key, clusterwide: clusterwide) { rules.append(r) }
            }
        }
        if top["spec"] == nil && top["specs"] == nil {
            invalid("\(clusterwide ? "CCNP" : "CNP") has neither 'spec' nor 'specs'", span(object))
        }
        return CiliumPolicy(isClusterwide: clusterwide, rules: rules, specSpan: top["spec"].map { span($0.key) })
    }

    mutating func decodeCiliumRule(_ n: Int32, key: Int32, clusterwide: Bool) -> CiliumRule? {
        guard doc.kind(n) == .mapping else {
            if !doc.isNull(n) { invalid("policy spec must be a mapping", span(n)) }
            return nil
        }
        let f = fields(n, "the policy spec", known: CiliumSchema.ruleKeys)
        var rule = CiliumRule(span: span(n), keySpan: span(key))
        rule.description = string(f["description"]?.value, "spec.description")
        rule.endpointSelector = f["endpointSelector"].map { selector($0.value, "endpointSelector") }
        rule.nodeSelector = f["nodeSelector"].map { selector($0.value, "nodeSelector") }
        switch (rule.endpointSelector != nil, rule.nodeSelector != nil) {
        case (true, true):
            invalid("a policy spec must have either endpointSelector or nodeSelector, not both", span(f["nodeSelector"]!.key))
        case (false, false):
            invalid("a policy spec needs an endpointSelector (or a nodeSelector for a host policy)", span(key))
        default: break
        }
        rule.ingress = peerRules(f["ingress"]?.value, .ingress, deny: false)
        rule.ingressDeny = peerRules(f["ingressDeny"]?.value, .ingress, deny: true)
        rule.egress = peerRules(f["egress"]?.value, .egress, deny: false)
        rule.egressDeny = peerRules(f["egressDeny"]?.value, .egress, deny: true)
        if let dd = f["enableDefaultDeny"]?.value {
            let d = fields(dd, "enableDefaultDeny", known: CiliumSchema.defaultDenyKeys)
            rule.defaultDenyIngress = bool(d["ingress"]?.value, "enableDefaultDeny.ingress")
            rule.defaultDenyEgress = bool(d["egress"]?.value, "enableDefaultDeny.egress")
        }
        if let labels = f["labels"]?.value, list(labels, "spec.labels") == nil, !doc.isNull(labels) { _ = labels }
        return rule
    }

    mutating func peerRules(_ n: Int32?, _ direction: Direction, deny: Bool) -> Located<[CiliumPeerRule]>? {
        let section = direction == .ingress ? (deny ? "ingressDeny" : "ingress") : (deny ? "egressDeny" : "egress")
        guard let items = list(n, section) else { return nil }
        return Located(items.value.compactMap { peerRule($0, direction, deny: deny, section: section) }, items.span)
    }

    mutating func peerRule(_ n: Int32, _ direction: Direction, deny: Bool, section: String) -> CiliumPeerRule? {
        let known = direction == .ingress ? (deny ? CiliumSchema.ingressCommon : CiliumSchema.ingressKeys)
            : (deny ? CiliumSchema.egressCommon : CiliumSchema.egressKeys)
        guard doc.kind(n) == .mapping else {
            invalid("each \(section) rule must be a mapping", span(n))
            return nil
        }
        let f = fields(n, "an \(section) rule", known: known)
        let from = direction == .ingress
        var r = CiliumPeerRule(span: span(n), direction: direction, isDeny: deny)
        r.endpoints = selectors(f[from ? "fromEndpoints" : "toEndpoints"]?.value, from ? "fromEndpoints" : "toEndpoints")
        r.requires = selectors(f[from ? "fromRequires" : "toRequires"]?.value, from ? "fromRequires" : "toRequires")
        r.nodes = selectors(f[from ? "fromNodes" : "toNodes"]?.value, from ? "fromNodes" : "toNodes")
        if let l = list(f[from ? "fromCIDR" : "toCIDR"]?.value, from ? "fromCIDR" : "toCIDR") {
            r.cidrs = Located(l.value.compactMap { cidr($0) }, l.span)
        }
        if let l = list(f[from ? "fromCIDRSet" : "toCIDRSet"]?.value, from ? "fromCIDRSet" : "toCIDRSet") {
            r.cidrSets = Located(l.value.compactMap { cidrRule($0) }, l.span)
        }
        if let l = list(f[from ? "fromEntities" : "toEntities"]?.value, from ? "fromEntities" : "toEntities") {
            var out: [Located<String>] = []
            for e in l.value {
                guard let s = string(e, "an entity") else { continue }
                if !CiliumSchema.entities.contains(s.value) && !s.value.hasSubstitution {
                    var message = "unknown entity '\(s.value)'"
                    let sug = Suggest.closest(s.value, in: CiliumSchema.entities)
                    if let sug { message += "; did you mean '\(sug)'?" }
                    invalid(message + " (valid: \(CiliumSchema.entities.joined(separator: ", ")))", s.span,
                            fix: sug.flatMap { replacing(e, with: $0) })
                }
                out.append(s)
            }
            r.entities = Located(out, l.span)
        }
        if !from, let l = list(f["toServices"]?.value, "toServices") {
            r.services = Located(l.value.compactMap { service($0) }, l.span)
        }
        if !from, !deny, let l = list(f["toFQDNs"]?.value, "toFQDNs") {
            r.fqdns = Located(l.value.compactMap { dnsSelector($0, "a toFQDNs item") }, l.span)
        }
        if let g = f[from ? "fromGroups" : "toGroups"]?.value, let l = list(g, from ? "fromGroups" : "toGroups") {
            r.groups = Located(l.value.count, l.span)
        }
        if let l = list(f["toPorts"]?.value, "toPorts") {
            r.toPorts = Located(l.value.compactMap { portRule($0, deny: deny) }, l.span)
        }
        if let l = list(f["icmps"]?.value, "icmps") { r.icmps = Located(l.value.count, l.span) }
        if !deny, let a = f["authentication"]?.value {
            let af = fields(a, "authentication", known: CiliumSchema.authenticationKeys)
            r.authenticationMode = string(af["mode"]?.value, "authentication.mode")
        }
        return r
    }

    mutating func selectors(_ n: Int32?, _ what: String) -> Located<[LabelSelector]>? {
        guard let l = list(n, what) else { return nil }
        return Located(l.value.map { selector($0, "a \(what) selector") }, l.span)
    }

    /// A label selector. `namespaceLabels` is true for a Kubernetes `namespaceSelector`, whose keys are namespace
    /// labels; Cilium selectors are normalised through `LabelKey.cilium`.
    mutating func selector(_ n: Int32, _ what: String, kubernetes: LabelKeySpace? = nil) -> LabelSelector {
        let f = fields(n, what, known: CiliumSchema.selectorKeys)
        var reqs: [LabelRequirement] = []
        func key(_ raw: Located<String>) -> LabelKey {
            switch kubernetes {
            case .none: return LabelKey.cilium(raw.value)
            case .pod?: return .pod(raw.value)
            case .namespace?: return raw.value == "kubernetes.io/metadata.name" ? .namespaceName : .namespaceLabel(raw.value)
            }
        }
        for kv in keyValues(f["matchLabels"]?.value, "\(what).matchLabels") {
            checkReservedKey(kv.key, kubernetes: kubernetes != nil)
            reqs.append(LabelRequirement(key: key(kv.key), rawKey: kv.key, op: .in, values: [kv.value], fromMatchLabels: true))
        }
        if let exprs = list(f["matchExpressions"]?.value, "\(what).matchExpressions") {
            for e in exprs.value {
                let ef = fields(e, "a matchExpressions item", known: CiliumSchema.expressionKeys)
                guard let k = string(ef["key"]?.value, "matchExpressions key") else {
                    invalid("a matchExpressions item needs a 'key'", span(e))
                    continue
                }
                checkReservedKey(k, kubernetes: kubernetes != nil)
                guard let opText = string(ef["operator"]?.value, "matchExpressions operator") else {
                    invalid("a matchExpressions item needs an 'operator'", span(e))
                    continue
                }
                guard let op = SelectorOperator(rawValue: opText.value) else {
                    var message = "unknown selector operator '\(opText.value)' (valid: In, NotIn, Exists, DoesNotExist)"
                    var fix: Fix?
                    if let s = Suggest.closest(opText.value, in: SelectorOperator.allCases.map(\.rawValue), caseInsensitive: true) {
                        message = "unknown selector operator '\(opText.value)'; did you mean '\(s)'?"
                        fix = ef["operator"].flatMap { replacing($0.value, with: s) }
                    }
                    invalid(message, opText.span, fix: fix)
                    continue
                }
                let values = (list(ef["values"]?.value, "matchExpressions values")?.value ?? []).compactMap { string($0, "a selector value") }
                // (Not `case .in, .notIn where ...`: a where clause binds only to the last pattern.)
                let needsValues = op == .in || op == .notIn
                if needsValues && values.isEmpty {
                    invalid("operator \(op.rawValue) needs a non-empty 'values' list", opText.span)
                } else if !needsValues && !values.isEmpty {
                    invalid("operator \(op.rawValue) must not have 'values'", ef["values"].map { span($0.key) } ?? opText.span)
                }
                reqs.append(LabelRequirement(key: key(k), rawKey: k, op: op, values: values, fromMatchLabels: false))
            }
        }
        return LabelSelector(span: span(n), requirements: reqs)
    }

    /// Keys that look like Cilium's reserved labels but are not: they never match (cilium/cilium `pkg/k8s/apis/cilium.io/utils/utils.go`, `const.go`).
    mutating func checkReservedKey(_ key: Located<String>, kubernetes: Bool) {
        guard !kubernetes else { return }
        var k = Substring(key.value)
        if k.hasPrefix("k8s:") || k.hasPrefix("any:") { k = k.dropFirst(4) }
        for bogus in LabelKey.bogusReservedPrefixes where k.hasPrefix(bogus) {
            invalid("label key '\(key.value)' is not a label Cilium sets, so this selector matches nothing; "
                + "use 'io.kubernetes.pod.namespace' for the namespace name or 'io.cilium.k8s.namespace.labels.<key>' for a namespace label",
                key.span)
            return
        }
    }

    /// A CIDR. The CRD declares `format: cidr`, so the API server rejects a bare IP (research notes on cidr.go).
    mutating func cidr(_ n: Int32) -> Located<CIDRValue>? {
        guard let s = string(n, "a CIDR") else { return nil }
        if s.value.hasSubstitution { return Located(CIDRValue(text: s.value, isSubstitution: true, parsed: nil), s.span) }
        let parsed = CIDRParser.parse(s.value)
        if parsed == nil {
            invalid("'\(s.value)' is not a valid CIDR (expected e.g. 10.0.0.0/8 or 2001:db8::/32)", s.span)
        } else if parsed?.hadPrefix == false {
            invalid("'\(s.value)' has no prefix length; the API server rejects it: write '\(s.value)/\(parsed!.isIPv6 ? 128 : 32)'", s.span)
        }
        return Located(CIDRValue(text: s.value, isSubstitution: false, parsed: parsed), s.span)
    }

    mutating func cidrRule(_ n: Int32) -> CIDRRule? {
        let f = fields(n, "a CIDRSet item", known: CiliumSchema.cidrRuleKeys)
        guard doc.kind(n) == .mapping else { return nil }
        var r = CIDRRule(span: span(n), cidr: nil, except: [], groupRef: nil, hasGroupSelector: f["cidrGroupSelector"] != nil)
        r.cidr = f["cidr"].flatMap { cidr($0.value) }
        r.groupRef = string(f["cidrGroupRef"]?.value, "cidrGroupRef")
        if let g = f["cidrGroupSelector"]?.value, doc.kind(g) == .mapping { r.groupSelector = selector(g, "cidrGroupSelector", kubernetes: .pod) }
        if let l = list(f["except"]?.value, "except") { r.except = l.value.compactMap { cidr($0) } }
        let sources = [r.cidr != nil, r.groupRef != nil, r.hasGroupSelector].filter { $0 }.count
        if sources != 1 {
            invalid("a CIDRSet item needs exactly one of cidr, cidrGroupRef or cidrGroupSelector", span(n))
        }
        if let outer = r.cidr?.value.parsed {
            for e in r.except {
                guard let inner = e.value.parsed else { continue }
                if inner.isIPv6 != outer.isIPv6 || inner.prefixLength < outer.prefixLength
                    || !CIDRParser.contains(outer, inner) {
                    invalid("except '\(e.value.text)' is not inside cidr '\(r.cidr!.value.text)'", e.span)
                }
            }
        }
        return r
    }

    mutating func service(_ n: Int32) -> ServiceSelector? {
        guard doc.kind(n) == .mapping else {
            invalid("a toServices item must be a mapping", span(n))
            return nil
        }
        let f = fields(n, "a toServices item", known: CiliumSchema.serviceKeys)
        var s = ServiceSelector(span: span(n))
        if let k = f["k8sService"]?.value {
            let kf = fields(k, "k8sService", known: CiliumSchema.k8sServiceKeys)
            s.serviceName = string(kf["serviceName"]?.value, "k8sService.serviceName")
            s.namespace = string(kf["namespace"]?.value, "k8sService.namespace")
        }
        if let k = f["k8sServiceSelector"]?.value {
            let kf = fields(k, "k8sServiceSelector", known: CiliumSchema.serviceSelectorKeys)
            s.selector = kf["selector"].map { selector($0.value, "k8sServiceSelector.selector", kubernetes: .pod) }
            s.namespace = string(kf["namespace"]?.value, "k8sServiceSelector.namespace")
        }
        return s
    }

    mutating func dnsSelector(_ n: Int32, _ what: String) -> DNSRule? {
        guard doc.kind(n) == .mapping else {
            invalid("\(what) must be a mapping with matchName or matchPattern", span(n))
            return nil
        }
        let f = fields(n, what, known: CiliumSchema.dnsKeys)
        let r = DNSRule(span: span(n), matchName: string(f["matchName"]?.value, "matchName"),
                        matchPattern: string(f["matchPattern"]?.value, "matchPattern"))
        if (r.matchName == nil) == (r.matchPattern == nil) {
            invalid("\(what) needs exactly one of matchName or matchPattern", span(n))
        }
        return r
    }

    mutating func portRule(_ n: Int32, deny: Bool) -> PortRule? {
        guard doc.kind(n) == .mapping else {
            invalid("each toPorts item must be a mapping", span(n))
            return nil
        }
        let f = fields(n, "a toPorts item", known: deny ? CiliumSchema.portDenyRuleKeys : CiliumSchema.portRuleKeys)
        var r = PortRule(span: span(n), ports: [], hasL7Rules: false, dns: nil, hasHTTP: false)
        if let l = list(f["ports"]?.value, "ports") {
            r.ports = l.value.compactMap { portProtocol($0, kubernetes: false) }
            if r.ports.count > CiliumSchema.maxPorts {
                invalid("\(r.ports.count) ports in one toPorts item; Cilium accepts at most \(CiliumSchema.maxPorts)", l.span)
            }
        }
        if let rules = f["rules"]?.value, doc.kind(rules) == .mapping {
            let lf = fields(rules, "toPorts rules", known: CiliumSchema.l7Keys)
            r.hasL7Rules = !lf.isEmpty
            r.hasHTTP = lf["http"] != nil
            if let d = list(lf["dns"]?.value, "rules.dns") {
                r.dns = d.value.compactMap { dnsSelector($0, "a rules.dns item") }
            }
        }
        return r
    }

    mutating func portProtocol(_ n: Int32, kubernetes: Bool) -> PortProtocol? {
        guard doc.kind(n) == .mapping else {
            invalid("each ports item must be a mapping", span(n))
            return nil
        }
        let f = fields(n, "a ports item", known: CiliumSchema.portProtocolKeys)
        var p = PortProtocol(span: span(n))
        if let pn = f["port"]?.value, !doc.isNull(pn) {
            if doc.kind(pn) != .scalar {
                invalid("port must be a number or a port name", span(pn))
            } else {
                let text = doc.string(pn)
                if text.hasSubstitution {
                    p.port = Located(.substitution(text), span(pn))
                } else if let v = Int(text) {
                    if v < 0 || v > 65535 { invalid("port \(text) is out of range 0-65535", span(pn)) }
                    p.port = Located(.number(v), span(pn))
                } else if PortName.isValid(text) {
                    p.port = Located(.named(text), span(pn))
                } else {
                    invalid("port '\(text)' is neither a number in 0-65535 nor a valid port name", span(pn))
                }
            }
        }
        if let en = f["endPort"]?.value, !doc.isNull(en) {
            let text = doc.kind(en) == .scalar ? doc.string(en) : ""
            if let v = Int(text), doc[en].style == .plain {
                if v < 0 || v > 65535 { invalid("endPort \(v) is out of range 0-65535", span(en)) }
                p.endPort = Located(v, span(en))
                if case .number(let start)? = p.port?.value, v != 0, v < start {
                    invalid("endPort \(v) is lower than port \(start)", span(en))
                }
                if case .named? = p.port?.value { invalid("endPort cannot be used with a named port", span(en)) }
            } else if !text.hasSubstitution {
                invalid("endPort must be an integer", span(en))
            }
        }
        if let pr = string(f["protocol"]?.value, "protocol") {
            let upper = pr.value.uppercased()
            let valid = kubernetes ? ["TCP", "UDP", "SCTP"] : CiliumSchema.protocols
            if !valid.contains(pr.value) && !pr.value.hasSubstitution {
                var message = "unknown protocol '\(pr.value)' (valid: \(valid.joined(separator: ", ")))"
                var fix: Fix?
                if valid.contains(upper) {
                    message = "protocol '\(pr.value)' must be upper case: '\(upper)'"
                    fix = f["protocol"].flatMap { replacing($0.value, with: upper) }
                }
                invalid(message, pr.span, fix: fix)
            }
            p.proto = Located(upper, pr.span)
        }
        return p
    }
}

enum LabelKeySpace { case pod, namespace }

extension CIDRRule {
    init(span: Span) { self.init(span: span, cidr: nil, except: [], groupRef: nil, hasGroupSelector: false) }
}

extension ServiceSelector {
    init(span: Span) { self.init(span: span, serviceName: nil, namespace: nil, selector: nil) }
}

extension PortProtocol {
    init(span: Span) { self.init(span: span, port: nil, endPort: nil, proto: nil) }
}

extension CiliumPeerRule {
    init(span: Span, direction: Direction, isDeny: Bool) {
        self.init(span: span, direction: direction, isDeny: isDeny, endpoints: nil, requires: nil, cidrs: nil,
                  cidrSets: nil, entities: nil, services: nil, fqdns: nil, groups: nil, nodes: nil, toPorts: nil,
                  icmps: nil, authenticationMode: nil)
    }
}

extension CiliumRule {
    init(span: Span, keySpan: Span) {
        self.init(span: span, keySpan: keySpan, description: nil, endpointSelector: nil, nodeSelector: nil,
                  ingress: nil, ingressDeny: nil, egress: nil, egressDeny: nil, defaultDenyIngress: nil,
                  defaultDenyEgress: nil)
    }
}

/// IANA service names as Kubernetes and Cilium accept them for named ports: 1-15 characters of lower-case letters,
/// digits and '-', at least one letter, no leading/trailing/double '-'.
enum PortName {
    static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (1...15).contains(u.count), u.first != UInt8(ascii: "-"), u.last != UInt8(ascii: "-") else { return false }
        var hasLetter = false
        var prev: UInt8 = 0
        for c in u {
            let isLower = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")
            let isUpper = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")
            let isDigit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            guard isLower || isUpper || isDigit || c == UInt8(ascii: "-") else { return false }
            if c == UInt8(ascii: "-") && prev == UInt8(ascii: "-") { return false }
            if isLower || isUpper { hasLetter = true }
            prev = c
        }
        return hasLetter
    }
}

extension ModelDecoder {
    /// A `CiliumCIDRGroup`'s `spec.externalCIDRs`: CIDR literals or `${var}` substitutions. An entry that is not a
    /// CIDR is kept unparsed (it matches nothing certain).
    mutating func decodeCIDRGroup(_ spec: Int32?) -> CIDRGroupSpec {
        guard let spec, doc.kind(spec) == .mapping, let list = doc.value(spec, forKey: "externalCIDRs") else { return CIDRGroupSpec(externalCIDRs: []) }
        return CIDRGroupSpec(externalCIDRs: plainList(list).compactMap { n in
            guard let s = plainString(n) else { return nil }
            if s.value.hasSubstitution { return Located(CIDRValue(text: s.value, isSubstitution: true, parsed: nil), s.span) }
            return Located(CIDRValue(text: s.value, isSubstitution: false, parsed: CIDRParser.parse(s.value)), s.span)
        })
    }
}
