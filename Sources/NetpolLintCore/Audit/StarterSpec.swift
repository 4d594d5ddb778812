/// Writes a starter `NetworkBaseline` from what the repository allows today (`audit --write-spec`), so a team can
/// document its current state in one step and then edit it into its intended state. Auditing the repository against
/// the spec it wrote passes, except for flows whose verdict is conditional, which are listed as comments.
public struct StarterSpec {
    public let engine: AuditEngine
    public let report: AuditReport
    public let name: String

    /// At most this many matrix rows are written (a spec is for people to read).
    public static let maxRows = 2_000

    public init(engine: AuditEngine, report: AuditReport, name: String) {
        self.engine = engine
        self.report = report
        self.name = name
    }

    /// A YAML scalar in flow style, quoted when plain style would change its meaning or not parse.
    static func scalar(_ s: String) -> String { DriftValue.scalarText(s, quoted: true) }

    /// A component name from a pod group: its workload's name, else the value of its most telling label.
    static func componentName(_ g: AuditEngine.PodGroup) -> String? {
        if let w = g.workload { return w }
        for key in ["app.kubernetes.io/name", "app.kubernetes.io/component", "app", "k8s-app", "name"] {
            if let v = g.endpoint.podLabels[key] { return v }
        }
        return g.endpoint.podLabels.sorted { $0.key < $1.key }.first?.value
    }

    public func render() -> String {
        var out = """
            # A starter NetworkBaseline written by `netpol-lint audit --write-spec` from what the policies in the
            # repository allow today. It documents the current state, not an intended one: review every row, change
            # `expect` where the current state is wrong, and delete what should not be documented.
            # Format: docs/audit.md. Check it with: netpol-lint audit --spec THIS_FILE
            apiVersion: netpol-lint.io/v1alpha1
            kind: NetworkBaseline
            metadata:
              name: \(Self.scalar(name))
            spec:

            """
        let platform = engine.platformNamespaces.sorted()
        out += "  platformNamespaces: [\(platform.map(Self.scalar).joined(separator: ", "))]\n"

        // Components: kube-dns, and every pod group at either end of an allowed flow.
        var components: [(name: String, namespace: String, labels: [String: String])] = []
        var componentOf: [String: String] = [:]
        func component(_ g: AuditEngine.PodGroup) -> String {
            if let c = componentOf[g.endpoint.name] { return c }
            guard !g.endpoint.podLabels.isEmpty, let base = Self.componentName(g) else { return "*" }
            var n = base, i = 2
            while n == "kube-dns" || components.contains(where: { $0.name == n }) { n = "\(base)-\(i)"; i += 1 }
            components.append((n, g.namespace, g.endpoint.podLabels))
            componentOf[g.endpoint.name] = n
            return n
        }
        // The flows as the written spec will see them: its kube-dns component adds kube-dns' namespace and pods.
        var provisional = BaselineSpec(name: name, path: "")
        provisional.platformNamespaces = engine.platformNamespaces.sorted()
        if let dns = engine.semantics.wellKnown.first(where: { $0.role == "dns" }) {
            var reqs = [Requirement(.namespaceName, .in, [dns.namespace])]
            for (k, v) in dns.podLabels { reqs.append(Requirement(.pod(k), .in, [v])) }
            provisional.components["kube-dns"] = BaselineSpec.Component(name: "kube-dns", namespace: dns.namespace, selector: Selector(reqs),
                                                                        selectorText: "", line: 0)
        }
        let allowed = AuditEngine(context: engine.context, semantics: engine.semantics, platformNamespaces: engine.platformNamespaces,
                                  spec: provisional).enumerateFlows().flows
        var rows: [String] = []
        var rowNames = Set<String>()
        rows: for f in allowed {
            guard f.port.endPort == nil else { continue }
            let port = f.port.port.map(String.init) ?? "any"
            for fg in f.from {
                for tg in f.to {
                    if rows.count >= Self.maxRows { break rows }
                    let from = component(fg), to = component(tg)
                    var rowName = "\(from == "*" ? fg.namespace : from)-to-\(to == "*" ? tg.namespace : to)-\(port)"
                    if !rowNames.insert(rowName).inserted {
                        rowName += "-\(f.port.proto.lowercased())"
                        var n = 2
                        while !rowNames.insert(rowName + "-\(n)").inserted { n += 1 }
                        rowName += "-\(n)"
                    }
                    rows.append("    - [\([rowName, fg.namespace, from, tg.namespace, to, port, f.port.proto, "allow"].map(Self.scalar).joined(separator: ", "))]")
                }
            }
        }
        let dns = engine.semantics.wellKnown.first { $0.role == "dns" }
        out += "  components:\n"
        if let dns {
            out += "    kube-dns: {namespace: \(Self.scalar(dns.namespace)), podSelector: {matchLabels: {\(dns.podLabels.sorted { $0.key < $1.key }.map { "\(Self.scalar($0.key)): \(Self.scalar($0.value))" }.joined(separator: ", "))}}}\n"
        }
        for c in components {
            let labels = c.labels.sorted { $0.key < $1.key }.map { "\(Self.scalar($0.key)): \(Self.scalar($0.value))" }.joined(separator: ", ")
            out += "    \(Self.scalar(c.name)): {namespace: \(Self.scalar(c.namespace)), podSelector: {matchLabels: {\(labels)}}}\n"
        }
        if dns == nil && components.isEmpty { out += "    {}\n" }

        // Capabilities: DNS and health probes, for the namespaces where they hold today.
        var caps = ""
        let dnsOK = report.coverage.filter { $0.dns == .allowed }.map(\.namespace)
        let healthOK = report.coverage.filter { $0.health == .allowed }.map(\.namespace)
        var capabilities = 0
        if dns != nil, !dnsOK.isEmpty {
            caps += """
                  - name: dns-egress
                    description: Pods can resolve names through kube-dns.
                    from: {namespaces: [\(dnsOK.map(Self.scalar).joined(separator: ", "))]}
                    to: {component: kube-dns}
                    ports: [{port: 53, protocol: UDP}]
                    expect: allow

                """
            capabilities += 1
        }
        if !healthOK.isEmpty {
            caps += """
                  - name: health-probes
                    description: The kubelet on the node can probe the pods.
                    from: {entity: host}
                    to: {namespaces: [\(healthOK.map(Self.scalar).joined(separator: ", "))]}
                    expect: allow

                """
            capabilities += 1
        }
        out += capabilities == 0 ? "  capabilities: []\n" : "  capabilities:\n" + caps
        let missing = report.coverage.filter { $0.dns != .allowed }.map(\.namespace)
        if !missing.isEmpty {
            out += "  # DNS is not (or not surely) allowed today in: \(missing.joined(separator: ", "))\n"
        }

        out += "  matrix:\n    columns: [name, srcNamespace, srcComponent, dstNamespace, dstComponent, port, protocol, expect]\n"
        let conditional = report.cells.filter { $0.state == "conditional" }
        if !conditional.isEmpty {
            out += "    # Allowed only under conditions the repository does not fix (left out):\n"
            for c in conditional.prefix(50) { out += "    #   \(c.from) -> \(c.to) on \(c.ports.joined(separator: ", "))\n" }
        }
        out += rows.isEmpty ? "    rows: []\n" : "    rows:\n" + rows.joined(separator: "\n") + "\n"
        return out
    }
}

extension FindingsSummary {
    /// Counts of `check`'s findings by severity and by rule (most frequent first).
    public init(_ findings: [Finding], rules: [RuleDescription]) {
        self.init()
        var byRule: [String: Int] = [:]
        for f in findings {
            switch f.severity {
            case .error: errors += 1
            case .warning: warnings += 1
            case .note: notes += 1
            }
            byRule[f.ruleID, default: 0] += 1
        }
        self.byRule = byRule.map { id, n in RuleCount(rule: id, name: rules.first { $0.id == id }?.name ?? "", count: n) }
            .sorted { ($0.count, $1.rule) > ($1.count, $0.rule) }
    }
}
