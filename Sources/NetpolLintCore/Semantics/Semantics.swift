/// A pod the preset expects in every cluster, whether or not the repository declares it (kube-dns in kube-system,
/// Prometheus in monitoring, ztunnel in istio-system, the gateways).
public struct WellKnownEndpoint: Sendable, Hashable {
    /// `dns`, `prometheus`, `ztunnel`, `gateway`.
    public var role: String
    public var namespace: String
    public var podLabels: [String: String]

    public init(role: String, namespace: String, podLabels: [String: String]) {
        self.role = role
        self.namespace = namespace
        self.podLabels = podLabels
    }
}

/// How one direction at one endpoint decides a connection.
public struct DirectionVerdict: Sendable {
    public var direction: Direction
    /// The endpoint whose policies decide (the source for egress, the destination for ingress).
    public var endpoint: Endpoint
    /// Whether a policy puts this direction into default-deny, and the subjects (policies) that do.
    public var enforced: Tri
    public var enforcedBy: [(subject: Subject, match: Tri)]
    /// Allow and deny rules that match the connection, with how surely.
    public var allows: [(rule: CompiledRule, match: Tri)]
    public var denies: [(rule: CompiledRule, match: Tri)]
    /// For egress to a DNS name: whether a DNS rule with L7 visibility covers the name for this endpoint. A
    /// `toFQDNs` allow works only then (Cilium learns the name's addresses from the answers it sees).
    public var dnsVisibility: Tri? = nil
    /// When the name is visible only because an allow without L7 rules cancels a DNS rule's restriction (docs/semantics.md,
    /// "L7 rules merged across policies"): those allows and the DNS rules they cancel.
    public var dnsOpenings: [DNSOpening] = []

    /// Allowed in this direction.
    public var result: Tri {
        var r: Tri
        switch enforced {
        case .no: r = .yes
        case .yes: r = allows.reduce(Tri.no) { $0 || $1.match }
        case .maybe: r = allows.reduce(Tri.maybe) { $0 || $1.match }
        }
        for d in denies {
            if d.match == .yes { return .no }
            if d.match == .maybe && r == .yes { r = .maybe }
        }
        return r
    }
}

/// The verdict on one connection: egress at the source and ingress at the destination.
public struct Verdict: Sendable {
    public var source: Endpoint
    public var destination: Endpoint
    public var port: PortQuery
    public var egress: DirectionVerdict
    public var ingress: DirectionVerdict
    public var result: Tri { egress.result && ingress.result }
}

/// What the policies of the repository, all together, allow (docs/semantics.md). Built once per run from the inventory;
/// policies are indexed by the namespace they can select, so a question looks only at the policies that can apply.
public struct Semantics: Sendable {
    public let subjects: [Subject]
    /// Subjects of namespaced policies by namespace; cluster-wide ones (CCNP, host policies) apart.
    let byNamespace: [String: [Int]]
    let clusterwide: [Int]
    /// Namespaced policies whose namespace could not be resolved: placed in a namespace of their own
    /// (`unresolvedNamespace`), never guessed.
    public let unresolvedPolicies: [Int]

    /// The stand-in namespace of a policy whose namespace is unknown; it matches no real namespace.
    /// Policies of one folder share one (a kustomization there would give them the same namespace).
    public static func unresolvedNamespace(_ folder: String) -> String { "?unresolved-\(folder)" }

    public static func isUnresolved(_ namespace: String?) -> Bool { namespace?.hasPrefix("?unresolved-") ?? false }
    public let wellKnown: [WellKnownEndpoint]
    public let inventory: Inventory

    /// Cilium policies the agent rejects (NP104): not enforced at all, so left out.
    public let rejectedPolicies: [Int]

    public init(objects: [KubeObject], inventory: Inventory, wellKnown: [WellKnownEndpoint],
                ciliumVersion: CiliumVersion = .newestKnown) {
        var subjects: [Subject] = []
        var rejected: [Int] = []
        var byNamespace: [String: [Int]] = [:]
        var clusterwide: [Int] = []
        var unresolved: [Int] = []
        let groups = CIDRGroups(objects: objects)
        for i in objects.indices where objects[i].kind.isPolicy {
            let o = objects[i]
            if !o.agentRejections(version: ciliumVersion).isEmpty {
                rejected.append(i)
                continue
            }
            // A policy applied in several namespaces (a shared kustomize component or base) is compiled once for each.
            var namespaces: [String?] = o.kind.isNamespaced ? inventory.namespaces(of: i) : [nil]
            if namespaces.isEmpty {
                // Kept, in a stand-in namespace of its folder that no real endpoint is in: its rules still answer
                // questions about its own pods (NP302), never about anyone else's.
                unresolved.append(i)
                namespaces = [Self.unresolvedNamespace(inventory.unresolvedFolders[i] ?? "\(i)")]
            }
            for ns in namespaces {
                for s in Subject.compile(o, index: i, namespace: ns, groups: groups) {
                    let n = subjects.count
                    subjects.append(s)
                    if let names = s.selector.namespaceNames, names.count <= 4, s.selector.reserved == nil {
                        for name in names { byNamespace[name, default: []].append(n) }
                    } else {
                        clusterwide.append(n)
                    }
                }
            }
        }
        self.subjects = subjects
        self.byNamespace = byNamespace
        self.clusterwide = clusterwide
        self.unresolvedPolicies = unresolved
        self.rejectedPolicies = rejected
        self.wellKnown = wellKnown
        self.inventory = inventory
    }

    /// The subjects that may select the endpoint, with how surely. With `direction`, only those that decide something
    /// there (`Subject.decides`): the same verdicts in that direction, fewer selectors matched.
    public func subjects(selecting e: Endpoint, for direction: Direction? = nil) -> [(subject: Subject, match: Tri)] {
        // Both lists are in policy order: merge them, so answers list policies as the repository does.
        var candidates: [Int]
        if let ns = e.namespace, let local = byNamespace[ns] {
            candidates = []
            candidates.reserveCapacity(clusterwide.count + local.count)
            var a = 0, b = 0
            while a < clusterwide.count || b < local.count {
                if b == local.count || (a < clusterwide.count && clusterwide[a] < local[b]) {
                    candidates.append(clusterwide[a]); a += 1
                } else {
                    candidates.append(local[b]); b += 1
                }
            }
        } else if e.namespace == nil && e.kind == .pod {
            candidates = Array(subjects.indices)
        } else {
            candidates = clusterwide
        }
        return candidates.compactMap { i in
            if let direction, !subjects[i].decides(direction) { return nil }
            let m = subjects[i].selector.matches(e)
            return m == .no ? nil : (subjects[i], m)
        }
    }

    /// How `direction` at `endpoint` treats a connection with `peer` on `port`.
    /// `selecting`: the subjects selecting `endpoint`, when the caller already has them (many questions about one
    /// endpoint).
    public func evaluate(_ direction: Direction, at endpoint: Endpoint, peer: Endpoint, port: PortQuery,
                         only: ((Subject) -> Bool)? = nil, selecting: [(subject: Subject, match: Tri)]? = nil) -> DirectionVerdict {
        evaluate(direction, at: endpoint, peer: peer, ports: [port], only: only, selecting: selecting)[0]
    }

    /// The same question on several ports at once: each rule's peer is matched once (the costly part), then its
    /// ports per question. One verdict per port, in order.
    public func evaluate(_ direction: Direction, at endpoint: Endpoint, peer: Endpoint, ports: [PortQuery],
                         only: ((Subject) -> Bool)? = nil, selecting: [(subject: Subject, match: Tri)]? = nil) -> [DirectionVerdict] {
        var verdicts = Array(repeating: DirectionVerdict(direction: direction, endpoint: endpoint, enforced: .no, enforcedBy: [], allows: [], denies: []),
                             count: ports.count)
        let selecting = selecting ?? subjects(selecting: endpoint, for: direction)
        // `fromRequires` / `toRequires` on a selecting policy narrow every allow in that direction.
        let narrowed = selecting.contains { $0.subject.isNarrowing(direction) }
        // Egress to a host by DNS name: toFQDNs matches only when the lookups are visible to the DNS proxy.
        var visibility: Tri?
        if direction == .egress, case .dnsName(let name) = peer.kind {
            var v = Tri.no
            for (s, m) in selecting {
                for r in s.rules where r.dnsVisibility?.contains(where: { $0.covers(name, isPattern: false) }) ?? false {
                    v = v || m
                }
            }
            // A DNS rule that does not name it still lets it through when an allow without L7 rules on the same
            // port and peer cancels its restriction.
            var openings: [DNSOpening] = []
            if v != .yes {
                for (s, m) in selecting {
                    for r in s.rules where r.dnsVisibility != nil {
                        for (o, om) in self.openings(of: r, selecting: selecting) {
                            let match = m && om
                            openings.append(DNSOpening(dnsRule: r.ref, allow: o.ref, match: match))
                            v = v || match
                        }
                    }
                }
            }
            visibility = v
            for i in verdicts.indices {
                verdicts[i].dnsVisibility = v
                verdicts[i].dnsOpenings = openings
            }
        }
        // Toward an address, a toFQDNs rule matches only through names whose lookups the DNS proxy sees: without
        // that it never learns any address, for the name or the IP alike (NP302), so both get the same verdict.
        var fqdnVisibility: [RuleRef: Tri] = [:]
        for (s, m) in selecting where only?(s) ?? true {
            if s.isEnforcing(direction) {
                for i in verdicts.indices {
                    verdicts[i].enforcedBy.append((s, m))
                    verdicts[i].enforced = verdicts[i].enforced || m
                }
            }
            // Rules read in place, field by field (`rules[k].ports`): a rule is a large value, copied only into a verdict.
            s.rules.withUnsafeBufferPointer { rules in
                for k in rules.indices where rules[k].ref.direction == direction {
                    var peerMatch: Tri?
                    for i in ports.indices {
                        // A named port is the destination's: the selected pod's on ingress, the peer's on egress.
                        let portMatch = rules[k].ports.matches(ports[i], destination: direction == .ingress ? endpoint : peer)
                        guard portMatch != .no else { continue }
                        if peerMatch == nil { peerMatch = CompiledRule.matches(peers: rules[k].peers, anyPeer: rules[k].anyPeer, peer) }
                        let match = m && (peerMatch! && portMatch)
                        guard match != .no else { continue }
                        if rules[k].ref.isDeny {
                            verdicts[i].denies.append((rules[k], match))
                        } else {
                            var m = narrowed && match == .yes ? .maybe : match
                            let usesFQDNs = CompiledRule.usesFQDNs(rules[k].peers)
                            if let visibility, usesFQDNs {
                                m = m && visibility
                            } else if direction == .egress, usesFQDNs {
                                let ref = rules[k].ref
                                let v = fqdnVisibility[ref] ?? dnsVisibility(of: rules[k].fqdnPatterns, selecting: selecting)
                                fqdnVisibility[ref] = v
                                m = m && v
                            }
                            guard m != .no else { continue }
                            verdicts[i].allows.append((rules[k], m))
                        }
                    }
                }
            }
        }
        return verdicts
    }

    /// Whether Cilium's DNS proxy sees the lookups of any of `patterns` for the endpoint these subjects select:
    /// a port-53 egress rule with `rules: dns` covering one of them, or one whose restriction an allow without L7
    /// rules on the same port and peer cancels.
    func dnsVisibility(of patterns: [DNSPattern], selecting: [(subject: Subject, match: Tri)]) -> Tri {
        var v = Tri.no
        for (s, m) in selecting {
            for r in s.rules where r.dnsVisibility?.contains(where: { vis in patterns.contains { vis.covers($0.text, isPattern: true) } }) ?? false {
                v = v || m
            }
        }
        guard v != .yes else { return v }
        for (s, m) in selecting {
            for r in s.rules where r.dnsVisibility != nil {
                for (_, om) in openings(of: r, selecting: selecting) { v = v || (m && om) }
            }
        }
        return v
    }

    /// `allowed(src, dst, port)`: egress at the source and ingress at the destination, with the deciding rules.
    public func allowed(from source: Endpoint, to destination: Endpoint, port: PortQuery) -> Verdict {
        Verdict(source: source, destination: destination, port: port,
                egress: evaluate(.egress, at: source, peer: destination, port: port),
                ingress: evaluate(.ingress, at: destination, peer: source, port: port))
    }

    /// An allow rule that almost decides a refused connection, and what is missing — what someone debugging a drop
    /// wants to see: the rule allows the peer on other ports, or would allow it if its policy selected the endpoint.
    public struct NearMiss: Sendable {
        public var rule: RuleRef
        public var reason: String
    }

    /// Near misses for a refused direction, the most telling first: right peer but other ports, then policies that
    /// would allow it but do not select the endpoint, then right port but other peers.
    public func nearMisses(_ direction: Direction, at endpoint: Endpoint, peer: Endpoint, port: PortQuery, limit: Int = 5) -> [NearMiss] {
        var wrongPort: [NearMiss] = [], notSelected: [NearMiss] = [], wrongPeer: [NearMiss] = [], invisible: [NearMiss] = []
        let selecting = direction == .egress ? subjects(selecting: endpoint) : []
        for s in subjects {
            for r in s.rules where r.ref.direction == direction && !r.ref.isDeny {
                let peerMatch = r.matchesPeer(peer), portMatch = r.matchesPort(port, destination: direction == .ingress ? endpoint : peer)
                let selected = s.selector.matches(endpoint)
                if selected != .no {
                    if direction == .egress, r.usesFQDNs, peerMatch != .no, portMatch != .no,
                       dnsVisibility(of: visiblePatterns(r, peer), selecting: selecting) == .no {
                        invisible.append(NearMiss(rule: r.ref, reason: "has toFQDNs \(r.fqdnPatterns.map(\.text).joined(separator: ", ")) for \(port), "
                            + "but no egress rule with 'rules: dns' lets Cilium's DNS proxy see the lookups, so it never learns the addresses (NP302)"))
                    } else if peerMatch != .no && portMatch == .no {
                        wrongPort.append(NearMiss(rule: r.ref, reason: "allows \(peer) only on \(r.portsDescription)"))
                    } else if peerMatch == .no && portMatch != .no && !r.peers.isEmpty {
                        wrongPeer.append(NearMiss(rule: r.ref, reason: "allows \(port) only for \(r.peers.map(\.description).joined(separator: "; "))"))
                    }
                } else if peerMatch != .no && portMatch != .no && (r.anyPeer || !r.peers.isEmpty),
                          s.selector.namespaceNames.map({ names in endpoint.namespace.map(names.contains) ?? false }) ?? true {
                    // A policy of another namespace can never select it: only cluster-wide ones and its own count.
                    notSelected.append(NearMiss(rule: r.ref, reason: "would allow it, but its policy selects \(s.selector), not \(endpoint)"))
                }
            }
        }
        return Array((invisible + wrongPort + notSelected + wrongPeer).prefix(limit))
    }

    /// The names whose visibility decides a toFQDNs rule for `peer`: the name asked about, or all its patterns.
    func visiblePatterns(_ r: CompiledRule, _ peer: Endpoint) -> [DNSPattern] {
        if case .dnsName(let name) = peer.kind { return [DNSPattern(name)] }
        return r.fqdnPatterns
    }

    // MARK: Endpoints

    /// A pod in `namespace` with the given labels; the namespace's labels come from the inventory.
    public func endpoint(namespace: String, podLabels: [String: String], complete: Bool) -> Endpoint {
        let declared = inventory.namespaces[namespace]
        return Endpoint(namespace: namespace, namespaceLabels: declared?.effectiveLabels ?? [:],
                        namespaceLabelsComplete: complete || (declared?.labelsComplete ?? false), podLabels: podLabels,
                        podLabelsComplete: complete)
    }

    /// The well-known endpoint of a role (the first), as an endpoint whose other labels are unknown.
    public func wellKnownEndpoints(_ role: String) -> [Endpoint] {
        wellKnown.filter { $0.role == role }.map { endpoint(namespace: $0.namespace, podLabels: $0.podLabels, complete: false) }
    }

    /// The pods of a namespace as the repository shows them: each workload's pod template, and — for pods the
    /// repository does not declare — a pod with unknown labels.
    /// Workloads with `hostNetwork: true` are left out: policies do not apply to them (they have the host identity).
    public func pods(in namespace: String) -> [Endpoint] {
        let declared = inventory.workloads(in: namespace)
        var out = [endpoint(namespace: namespace, podLabels: [:], complete: false)]
        for w in declared where !w.hostNetwork { out.append(endpoint(of: w, complete: false)) }
        return out
    }

    /// A declared workload's pods: its namespace and pod labels, its service account, and its container ports when
    /// all are known. `complete`: the namespace's labels are taken as all there are (see `endpoint(namespace:…)`).
    public func endpoint(of w: Inventory.Workload, complete: Bool) -> Endpoint {
        var e = endpoint(namespace: w.namespace, podLabels: w.podLabels, complete: complete)
        e.serviceAccount = w.serviceAccount
        if w.containerPortsComplete { e.containerPorts = w.containerPorts }
        return e
    }

    /// The subjects of the policies of one namespace (CNPs and NetworkPolicies).
    public func subjects(inNamespace namespace: String) -> [Subject] {
        (byNamespace[namespace] ?? []).map { subjects[$0] }
    }
}
