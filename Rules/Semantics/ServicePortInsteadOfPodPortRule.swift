import NetpolLintCore

/// NP312: a policy allows a Service's `port` where the Service forwards to another pod port (`targetPort`).
public struct ServicePortInsteadOfPodPortRule: Rule {
    public init() {}

    public static let description = RuleDescription(
        id: "NP312", name: "service-port-instead-of-pod-port", category: .semantics, defaultSeverity: .warning,
        appliesTo: [.ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy, .networkPolicy],
        summary: "A policy allows a Service's port, but the Service forwards it to another port of the pods: the allow never matches",
        rationale: """
            A Service maps its `port` to the pods' `targetPort`, and that translation happens before any policy \
            looks at the connection: "Layer 4 policies apply to ports after service port mapping has been \
            applied" (Cilium docs, *Layer 4 Examples*), and a NetworkPolicy port is "a numerical or named port on \
            a pod" (Kubernetes API reference, NetworkPolicyPort). An allow written with the Service's port \
            therefore never matches a connection made through the Service.

            Here the clients connect to `web:80`, the policy sees port 8080 and drops it:

            ```yaml
            kind: Service            # web: port 80 → targetPort 8080
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            ---
            egress:                  # in a policy of the clients
              - to: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 80}]  # the connection arrives as 8080: dropped
            ```

            The same holds for an ingress rule at the Service's pods.

            The rule reports a numbered port of an allow rule when every pod the port is for is known — pods of \
            Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets, Pods and app-template \
            HelmReleases the repository declares, chosen by pod labels (the rule's peers on egress, the \
            policy's pods on ingress), with nothing else possibly matching — and each of them is selected by a \
            Service whose `port` is that port and whose `targetPort` is another one (a number, or a name its \
            containers give another number), while no container declares the port and no Service forwards to it. \
            A rule that also allows the target port of a Service on that port (two Services may share a port), a \
            port range and a named port are left alone.
            """,
        remediation: "Allow the pods' port — the Service's `targetPort` (the number the message names) — instead of the Service's port.",
        references: ["https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples",
                     "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec",
                     "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"],
        securitySeverity: 4.0,
        triggeringExamples: [
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: web
                          image: nginx
                          ports: [{name: http, containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: frontend-egress
                  namespace: shop
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress:
                    - to: [{podSelector: {matchLabels: {app: web}}}]
                      ports: [{port: ↓80}]
                """),
            Example("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: api, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: api}
                    spec:
                      containers: [{name: api, image: example/api}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: shop}
                spec:
                  selector: {app: api}
                  ports: [{name: http, port: 80, targetPort: 3000}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: shop
                spec:
                  description: web to api
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                    - fromEndpoints: [{matchLabels: {app: web}}]
                      toPorts: [{ports: [{port: ↓"80", protocol: TCP}]}]
                """),
            Example("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: wiki, namespace: docs}
                spec:
                  chart:
                    spec: {chart: app-template, version: 4.4.0}
                  values:
                    controllers:
                      wiki:
                        containers:
                          app:
                            image: {repository: ghcr.io/example/wiki, tag: "1.0"}
                    service:
                      app:
                        controller: wiki
                        ports:
                          http: {port: 80, targetPort: 3000}
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: reader
                  namespace: docs
                spec:
                  description: reader to wiki
                  endpointSelector: {matchLabels: {app: reader}}
                  egress:
                    - toEndpoints: [{matchLabels: {app.kubernetes.io/name: wiki}}]
                      toPorts: [{ports: [{port: ↓"80"}]}]
                """),
        ],
        nonTriggeringExamples: [
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: web}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: frontend-egress, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress:
                    - to: [{podSelector: {matchLabels: {app: web}}}]
                      ports: [{port: 8080}]
                """),
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: web
                          image: nginx
                          ports: [{containerPort: 80}, {containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 80}, {name: alt, port: 8080, targetPort: 80}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-ingress, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ingress:
                    - ports: [{port: 80}, {port: 8080}]
                """),
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: web, tier: front}
                    spec:
                      containers: [{name: web, image: example/web}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: legacy, namespace: shop}
                spec:
                  template:
                    metadata:
                      labels: {app: legacy, tier: front}
                    spec:
                      containers: [{name: legacy, image: example/legacy}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: frontend-egress, namespace: shop}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - to: [{podSelector: {matchLabels: {tier: front}}}]
                      ports: [{port: 80}]
                """),
            Example("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: notification-controller, namespace: flux-system}
                spec:
                  template:
                    metadata:
                      labels: {app: notification-controller}
                    spec:
                      containers:
                        - name: manager
                          image: ghcr.io/fluxcd/notification-controller
                          ports: [{name: http, containerPort: 9090}, {name: http-webhook, containerPort: 9292}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: notification-controller, namespace: flux-system}
                spec:
                  selector: {app: notification-controller}
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: webhook-receiver, namespace: flux-system}
                spec:
                  selector: {app: notification-controller}
                  ports: [{name: http, port: 80, targetPort: http-webhook}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: gateway, namespace: gateway}
                spec:
                  description: the gateway forwards webhooks to Flux
                  endpointSelector: {matchLabels: {app: gateway}}
                  egress:
                    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: flux-system, app: notification-controller}}]
                      toPorts: [{ports: [{port: "9292", protocol: TCP}, {port: "80", protocol: TCP}]}]
                """),
        ]
    )

    public func check(_ context: LintContext) -> [Finding] {
        let inventory = context.inventory
        // Only ports some Service translates to another number are worth a look.
        var translated = Set<String>()
        for s in inventory.services where !s.headless {
            for p in s.ports where p.targetPort != .number(p.port) { translated.insert("\(p.port)/\(p.proto)") }
        }
        guard !translated.isEmpty else { return [] }
        let semantics = Convention.semantics(context)
        // The declared pods policies apply to (host-network pods have the host's identity).
        let pods: [(index: Int, endpoint: Endpoint)] = inventory.workloads.indices.compactMap { i in
            let w = inventory.workloads[i]
            guard !w.hostNetwork else { return nil }
            return (i, semantics.endpoint(of: w, complete: w.labelsComplete))
        }
        // Positions in `pods` by namespace: a selector limited to some namespaces is matched against their pods only.
        var podsByNamespace: [String: [Int]] = [:]
        for (k, p) in pods.enumerated() { podsByNamespace[p.endpoint.namespace ?? "", default: []].append(k) }
        var out: [Finding] = []
        var seen = Set<String>()
        // Many rules name the same peers: each set of selectors is matched against the pods once.
        var knownMemo: [[Selector]: [(index: Int, endpoint: Endpoint)]?] = [:]
        func known(_ selectors: [Selector]) -> [(index: Int, endpoint: Endpoint)]? {
            if let k = knownMemo[selectors] { return k }
            let k = Self.known(pods, selectedBy: selectors, byNamespace: podsByNamespace)
            knownMemo[selectors] = .some(k)
            return k
        }
        // Findings land on the subject's own rules: only the reported files' policies are looked at.
        let everything = context.reportsEverything
        for s in semantics.subjects where everything || context.reports(object: s.object) {
            var subjectPods: [(index: Int, endpoint: Endpoint)]??
            for r in s.rules where !r.ref.isDeny {
                let candidates = r.numberedPorts.filter { e in e.protocols.contains { translated.contains("\(e.port)/\($0)") } }
                guard !candidates.isEmpty else { continue }
                let targets: [(index: Int, endpoint: Endpoint)]?
                if r.ref.direction == .ingress {
                    if subjectPods == nil { subjectPods = .some(known([s.selector])) }
                    targets = subjectPods!
                } else {
                    let selectors = r.peers.compactMap { p -> Selector? in if case .selector(let sel, _) = p { sel } else { nil } }
                    targets = r.anyPeer || selectors.count != r.peers.count ? nil : known(selectors)
                }
                guard let targets, !targets.isEmpty else { continue }
                for entry in candidates {
                    guard let found = Self.mismatch(entry.port, protocols: entry.protocols, targets: targets, rule: r, inventory: inventory) else { continue }
                    let o = context.objects[s.object]
                    let span = entry.span ?? r.ref.span
                    let what = r.ref.direction == .egress ? "egress to" : "ingress at"
                    let pairs = found.map { "\($0.service.displayName(context.objects)) forwards \(entry.port)/\($0.proto) to the pods' port \($0.target)\($0.named.map { " ('\($0)')" } ?? "")" }
                    var unique: [String] = []
                    for p in pairs where !unique.contains(p) { unique.append(p) }
                    let pods = Set(found.map { Self.describe(inventory.workloads[$0.workload], context.objects) }).sorted()
                    let use = Set(found.map(\.target)).sorted().map(String.init).joined(separator: " or ")
                    let message = "\(o.displayName): \(what) \(pods.prefix(3).joined(separator: ", "))\(pods.count > 3 ? " and \(pods.count - 3) more" : "") allows port \(entry.port), "
                        + "a Service port: \(unique.prefix(3).joined(separator: "; ")), and the pods declare no port \(entry.port). Policies see the pod's port after the "
                        + "Service's translation, so this allow never matches a connection through the Service; allow \(use) instead"
                    guard seen.insert("\(span.file):\(span.line):\(span.column):\(message)").inserted else { continue }
                    var related: [RelatedLocation] = []
                    for f in found {
                        let at = f.port.span ?? context.objects[f.service.object].anchor
                        if !related.contains(where: { $0.span == at }) { related.append(RelatedLocation(at, "\(f.service.displayName(context.objects)): port \(entry.port) → targetPort \(f.named ?? String(f.target))")) }
                    }
                    out.append(Finding(message, at: span, object: s.object, related: Array(related.prefix(5))))
                }
            }
        }
        return out
    }

    /// The declared pods the selectors choose, or nil when that is not sure: a selector that names no pod label
    /// (a whole namespace holds pods the repository may not show), a reserved identity, or a pod that may or may
    /// not match.
    /// `byNamespace`: the positions in `pods` of each namespace's pods; only the pods of the namespaces the selectors
    /// are limited to (`Selector.podNamespaces`) are matched — the others are surely not selected.
    static func known(_ pods: [(index: Int, endpoint: Endpoint)], selectedBy selectors: [Selector],
                      byNamespace: [String: [Int]]) -> [(index: Int, endpoint: Endpoint)]? {
        guard !selectors.isEmpty, selectors.allSatisfy({ $0.reserved == nil && !$0.podRequirements.isEmpty }) else { return nil }
        var positions: [Int]
        let limits = selectors.map(\.podNamespaces)
        if limits.allSatisfy({ $0 != nil }) {
            positions = Array(Set(limits.flatMap { names in names!.flatMap { byNamespace[$0] ?? [] } })).sorted()
        } else {
            positions = Array(pods.indices)
        }
        var out: [(index: Int, endpoint: Endpoint)] = []
        for k in positions {
            var m = Tri.no
            for s in selectors { m = m || s.matches(pods[k].endpoint) }
            switch m {
            case .yes: out.append(pods[k])
            case .maybe: return nil
            case .no: continue
            }
        }
        return out
    }

    struct Mismatch {
        var workload: Int
        var service: Inventory.Service
        var port: ServicePort
        var proto: String
        var target: Int
        var named: String?
    }

    /// For a port a rule allows to `targets`: the Service translations that make it miss, when on some protocol every
    /// target pod is reached through a Service port `port` forwarded elsewhere and none listens on `port` (a declared
    /// container port, or a Service forwarding to it) nor is allowed the target port by the same rule. Nil otherwise.
    static func mismatch(_ port: Int, protocols: Set<String>, targets: [(index: Int, endpoint: Endpoint)], rule: CompiledRule,
                         inventory: Inventory) -> [Mismatch]? {
        var found: [Mismatch] = []
        for proto in protocols.sorted() {
            var perProto: [Mismatch] = []
            for t in targets {
                let w = inventory.workloads[t.index]
                // A port a `${var}` or chart values may declare is not known to be absent.
                guard w.containerPortsComplete, !w.declares(port: port, proto: proto) else { return nil }
                var forTarget: [Mismatch] = []
                for service in inventory.services(selecting: t.index) {
                    for sp in service.ports where sp.proto == proto {
                        let target: Int?
                        var named: String?
                        switch sp.targetPort {
                        case .number(let n): target = n
                        case .named(let name): target = w.resolve(portName: name, proto: proto); named = name
                        case .substitution: return nil
                        }
                        // A Service forwarding to the port: the pods listen there.
                        if target == port { return nil }
                        guard sp.port == port, !service.headless, let target else { continue }
                        // The rule allows this Service's target port as well: the author has that Service in mind and
                        // the port is only redundant — another Service on the same port is not what they meant.
                        if rule.matchesPort(PortQuery(target, proto), destination: t.endpoint) == .yes { return nil }
                        forTarget.append(Mismatch(workload: t.index, service: service, port: sp, proto: proto, target: target, named: named))
                    }
                }
                // A pod the port reaches without a Service in between keeps the allow meaningful.
                if forTarget.isEmpty { perProto = []; break }
                perProto += forTarget
            }
            found += perProto
        }
        return found.isEmpty ? nil : found
    }

    /// `Deployment 'web'`, or `the 'main' pods of HelmRelease 'wiki'`.
    static func describe(_ w: Inventory.Workload, _ objects: [KubeObject]) -> String {
        let o = objects[w.object]
        if let controller = w.controller { return "the '\(controller)' pods of \(o.displayName)" }
        return "\(o.kind.rawValue) '\(w.name)'"
    }
}
