@testable import NetpolLintCore
import Testing

/// The selector algebra and the allow/deny evaluation (docs/semantics.md), on hand-written selectors and small manifests.
@Suite struct SemanticsTests {
    // MARK: Helpers

    func req(_ key: LabelKey, _ op: SelectorOperator, _ values: String...) -> Requirement { Requirement(key, op, Set(values)) }

    /// Decodes manifests (several documents) and builds the semantics over them.
    func semantics(_ yaml: String) -> (Semantics, [KubeObject]) {
        var parser = YAMLParser()
        let result = Array(yaml.utf8).withUnsafeBytes { parser.parse($0) }
        #expect(result.error == nil)
        var objects: [KubeObject] = []
        for d in result.documents { objects += ModelDecoder.decode(d, file: 0).objects }
        let files = [SourceFile(path: "t.yaml", uri: "t.yaml", directives: Directives(), isTarget: true)]
        let inventory = Inventory(files: files, objects: objects)
        return (Semantics(objects: objects, inventory: inventory, wellKnown: []), objects)
    }

    func pod(_ ns: String, _ labels: [String: String] = [:], complete: Bool = true, nsLabels: [String: String] = [:]) -> Endpoint {
        Endpoint(namespace: ns, namespaceLabels: nsLabels, podLabels: labels, podLabelsComplete: complete)
    }

    func labelSelector(_ pairs: [(String, String)]) -> LabelSelector {
        let span = Span(file: 0, line: 1, column: 1)
        return LabelSelector(span: span, requirements: pairs.map { k, v in
            LabelRequirement(key: LabelKey.cilium(k), rawKey: Located(k, span), op: .in, values: [Located(v, span)], fromMatchLabels: true)
        })
    }

    // MARK: Empty selectors (https://docs.cilium.io/en/stable/security/policy/language/#endpoints-based, #ingress-egress-default-deny)

    @Test func cnpEmptyPeerIsOwnNamespaceOnly() {
        let s = Selector.cilium(labelSelector([]), namespace: "shop", subject: false)
        #expect(s.matches(pod("shop")) == .yes)
        #expect(s.matches(pod("other")) == .no)
        #expect(s.matches(.entity("host")) == .no)
    }

    @Test func ccnpEmptyPeerIsEveryPodButNoReservedIdentity() {
        let s = Selector.cilium(labelSelector([]), namespace: nil, subject: false)
        #expect(s.matches(pod("a")) == .yes)
        #expect(s.matches(pod("kube-system", ["k8s-app": "kube-dns"])) == .yes)
        #expect(s.matches(.entity("host")) == .no)
        #expect(s.matches(.world) == .no)
        #expect(s.matches(.entity("health")) == .no)
    }

    @Test func cnpPeerNamingNamespaceOrNamespaceLabelKeepsIt() {
        let named = Selector.cilium(labelSelector([("io.kubernetes.pod.namespace", "db")]), namespace: "shop", subject: false)
        #expect(named.matches(pod("db")) == .yes && named.matches(pod("shop")) == .no)
        let byLabel = Selector.cilium(labelSelector([("io.cilium.k8s.namespace.labels.team", "a")]), namespace: "shop", subject: false)
        #expect(byLabel.matches(pod("other", nsLabels: ["team": "a"])) == .yes)
        #expect(byLabel.matches(pod("shop", nsLabels: ["team": "b"])) == .no)
    }

    @Test func cnpEndpointSelectorNamespaceIsForced() {
        let s = Selector.cilium(labelSelector([("k8s:io.kubernetes.pod.namespace", "other"), ("app", "x")]), namespace: "shop", subject: true)
        #expect(s.matches(pod("shop", ["app": "x"])) == .yes)
        #expect(s.matches(pod("other", ["app": "x"])) == .no)
    }

    @Test func reservedSelectorSelectsTheEntity() {
        let s = Selector.cilium(labelSelector([("reserved:host", "")]), namespace: "shop", subject: false)
        #expect(s.reserved == "host")
        #expect(s.matches(.entity("host")) == .yes && s.matches(pod("shop")) == .no)
    }

    @Test func kubernetesSelectors() {
        let span = Span(file: 0, line: 1, column: 1)
        let empty = LabelSelector(span: span, requirements: [])
        let sameNamespace = Selector.kubernetes(pod: empty, namespaceSelector: nil, namespace: "shop")
        #expect(sameNamespace.matches(pod("shop")) == .yes && sameNamespace.matches(pod("x")) == .no)
        let allNamespaces = Selector.kubernetes(pod: nil, namespaceSelector: empty, namespace: "shop")
        #expect(allNamespaces.matches(pod("x")) == .yes && allNamespaces.matches(.world) == .no)
        let nsReq = LabelRequirement(key: .namespaceLabel("team"), rawKey: Located("team", span), op: .in, values: [Located("a", span)], fromMatchLabels: true)
        let both = Selector.kubernetes(pod: labelSelector([("app", "api")]), namespaceSelector: LabelSelector(span: span, requirements: [nsReq]), namespace: "shop")
        #expect(both.matches(pod("x", ["app": "api"], nsLabels: ["team": "a"])) == .yes)
        #expect(both.matches(pod("x", ["app": "web"], nsLabels: ["team": "a"])) == .no)
        #expect(both.matches(pod("x", ["app": "api"], nsLabels: ["team": "b"])) == .no)
    }

    // MARK: Three-valued matching

    @Test func unknownLabelsGiveMaybe() {
        let s = Selector([req(.pod("app"), .in, "api"), req(.namespaceName, .in, "shop")])
        #expect(s.matches(pod("shop", [:], complete: false)) == .maybe)
        #expect(s.matches(pod("shop", [:], complete: true)) == .no)
        #expect(s.matches(pod("other", [:], complete: false)) == .no)
        let notIn = Selector([req(.pod("tier"), .notIn, "db")])
        #expect(notIn.matches(pod("shop")) == .yes)
        #expect(Selector([req(.pod("x"), .doesNotExist)]).matches(pod("a", ["x": "1"])) == .no)
        #expect(Selector([req(.pod("app"), .in, "${APP}")]).matches(pod("a", ["app": "b"])) == .maybe)
    }

    // MARK: intersects / subsumes

    @Test func intersects() {
        #expect(!Selector([req(.pod("app"), .in, "a")]).intersects(Selector([req(.pod("app"), .in, "b")])))
        #expect(Selector([req(.pod("app"), .in, "a", "b")]).intersects(Selector([req(.pod("app"), .in, "b")])))
        #expect(!Selector([req(.pod("app"), .exists)]).intersects(Selector([req(.pod("app"), .doesNotExist)])))
        #expect(!Selector([req(.pod("app"), .notIn, "a")]).intersects(Selector([req(.pod("app"), .in, "a")])))
        #expect(Selector([req(.pod("app"), .in, "a")]).intersects(Selector([req(.pod("tier"), .in, "b")])))
        #expect(!Selector.namespace("a").intersects(.namespace("b")))
    }

    @Test func subsumes() {
        let all = Selector([])
        let ab = Selector([req(.pod("app"), .in, "a", "b")])
        let a = Selector([req(.pod("app"), .in, "a")])
        #expect(all.subsumes(a) && ab.subsumes(a) && !a.subsumes(ab))
        #expect(Selector([req(.pod("app"), .exists)]).subsumes(a))
        #expect(Selector([req(.pod("app"), .notIn, "b")]).subsumes(a))
        #expect(!Selector([req(.pod("app"), .notIn, "a")]).subsumes(a))
        #expect(Selector.allPods.subsumes(.namespace("x")))
        #expect(!Selector.namespace("x").subsumes(.allPods))
    }

    // MARK: Ports

    @Test func ports() throws {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: p, namespace: shop}
            spec:
              endpointSelector: {}
              ingress:
                - fromEntities: [world]
                  toPorts: [{ports: [{port: "8000", endPort: 8010, protocol: TCP}, {port: "53"}, {port: http, protocol: TCP}]}]
            """)
        func allowed(_ port: PortQuery) -> Tri { sem.allowed(from: .world, to: pod("shop"), port: port).result }
        #expect(allowed(PortQuery(8005, "TCP")) == .yes)
        #expect(allowed(PortQuery(8011, "TCP")) == .maybe)  // only the named port may be it
        #expect(allowed(PortQuery(53, "UDP")) == .yes)      // no protocol: ANY
        #expect(allowed(PortQuery(8005, "UDP")) == .no)
        #expect(PortQuery.parse("53/udp") == PortQuery(53, "UDP"))
        #expect(PortQuery.parse("0/TCP") == nil && PortQuery.parse("70000") == nil && PortQuery.parse("80/ICMP") == nil)
    }

    /// Named ports resolve through the destination pod's container ports (the selected pod on ingress, the peer on
    /// egress), per pod: one name may be a different number on each.
    @Test func namedPortsResolvePerDestinationPod() throws {
        let (sem, _) = semantics("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web-in, namespace: shop}
            spec:
              podSelector: {matchLabels: {tier: web}}
              ingress:
                - ports: [{port: http}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: client-out, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: client}}
              egress:
                - toEndpoints: [{matchLabels: {tier: web}}]
                  toPorts: [{ports: [{port: http}]}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: blue, namespace: shop}
            spec:
              template:
                metadata: {labels: {tier: web, app: blue}}
                spec:
                  containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: green, namespace: shop}
            spec:
              template:
                metadata: {labels: {tier: web, app: green}}
                spec:
                  containers: [{name: app, image: x, ports: [{name: admin, containerPort: 8080}]}]
                  initContainers: [{name: proxy, image: x, restartPolicy: Always, ports: [{name: HTTP, containerPort: 9090}]}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: plain, namespace: shop}
            spec:
              template:
                metadata: {labels: {tier: web, app: plain}}
                spec:
                  containers: [{name: c, image: x, ports: [{containerPort: 80}]}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: client, namespace: shop}
            spec:
              template:
                metadata: {labels: {app: client}}
            """)
        func endpoint(_ text: String) throws -> Endpoint {
            guard case .success(let e) = sem.parseEndpoint(text) else { throw EndpointSyntaxError(message: text) }
            return e
        }
        let client = try endpoint("shop/client"), blue = try endpoint("shop/blue"), green = try endpoint("shop/green"), plain = try endpoint("shop/plain")
        #expect(blue.containerPorts == [ContainerPort(name: "http", port: 8080)])
        // Ingress at each pod: its own number for the name.
        #expect(sem.evaluate(.ingress, at: blue, peer: client, port: PortQuery(8080)).result == .yes)
        #expect(sem.evaluate(.ingress, at: blue, peer: client, port: PortQuery(9090)).result == .no)
        #expect(sem.evaluate(.ingress, at: green, peer: client, port: PortQuery(9090)).result == .yes)
        #expect(sem.evaluate(.ingress, at: green, peer: client, port: PortQuery(8080)).result == .no)
        // A pod that gives no port the name: the named port matches nothing there.
        #expect(sem.evaluate(.ingress, at: plain, peer: client, port: PortQuery(80)).result == .no)
        // The protocol counts: the name is a TCP port.
        #expect(sem.evaluate(.ingress, at: blue, peer: client, port: PortQuery(8080, "UDP")).result == .no)
        // Egress: the name is resolved on the peer the connection goes to.
        #expect(sem.evaluate(.egress, at: client, peer: blue, port: PortQuery(8080)).result == .yes)
        #expect(sem.evaluate(.egress, at: client, peer: green, port: PortQuery(9090)).result == .yes)
        #expect(sem.evaluate(.egress, at: client, peer: green, port: PortQuery(8080)).result == .no)
        // Both ends together.
        #expect(sem.allowed(from: client, to: blue, port: PortQuery(8080)).result == .yes)
        // A pod whose ports are not known keeps the name a maybe.
        let unknown = pod("shop", ["tier": "web"])
        #expect(sem.evaluate(.ingress, at: unknown, peer: client, port: PortQuery(8080)).result == .maybe)
        // Trace shows the name in a near miss.
        let misses = sem.nearMisses(.ingress, at: plain, peer: client, port: PortQuery(80))
        #expect(misses.contains { $0.reason.contains("'http'/TCP") })
    }

    @Test func servicesAndContainerPortsInTheInventory() {
        let (sem, _) = semantics("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: http}, {port: 443, targetPort: 8443, protocol: TCP}, {port: 53, protocol: UDP}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web-headless, namespace: shop}
            spec:
              clusterIP: None
              selector: {app: web}
              ports: [{port: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: external, namespace: shop}
            spec: {type: ExternalName, externalName: example.org}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: other, namespace: shop}
            spec:
              selector: {app: other}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                metadata: {labels: {app: web, version: v2}}
                spec:
                  containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}, {containerPort: "${PORT}"}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: debug, namespace: shop, labels: {app: debug}}
            spec:
              containers: [{name: c, image: x, ports: [{containerPort: 5000, protocol: UDP}]}]
            """)
        let inventory = sem.inventory
        #expect(inventory.services.map(\.name) == ["web", "web-headless", "other"])
        let web = inventory.services[0]
        #expect(web.ports.map(\.port) == [80, 443, 53])
        #expect(web.ports.map(\.targetPort) == [.named("http"), .number(8443), .number(53)])
        #expect(web.ports.map(\.proto) == ["TCP", "TCP", "UDP"])
        #expect(inventory.services[1].headless)
        let w = inventory.workloads.firstIndex { $0.name == "web" }!
        #expect(inventory.services(selecting: w).map(\.name) == ["web", "web-headless"])
        #expect(inventory.workloads[w].resolve(portName: "HTTP", proto: "TCP") == 8080)
        #expect(inventory.workloads[w].resolve(portName: "http", proto: "UDP") == nil)
        #expect(!inventory.workloads[w].containerPortsComplete)  // a ${var} port
        let debug = inventory.workloads.first { $0.name == "debug" }!
        #expect(debug.containerPorts == [ContainerPort(name: nil, port: 5000, proto: "UDP")] && debug.containerPortsComplete)
    }

    // MARK: Enforcement, allow and deny

    @Test func emptyCiliumRuleEnforcesAndAllowsNothing() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec:
              endpointSelector: {}
              ingress: [{}]
            """)
        let v = sem.allowed(from: pod("other"), to: pod("shop"), port: PortQuery(80))
        #expect(v.ingress.enforced == .yes && v.result == .no)
        #expect(v.egress.enforced == .no)
    }

    @Test func kubernetesEmptyRuleAllowsAllAndPolicyTypesEnforce() {
        let (sem, _) = semantics("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: all, namespace: shop}
            spec:
              podSelector: {}
              ingress: [{}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress, namespace: shop}
            spec:
              podSelector: {}
              policyTypes: [Egress]
            """)
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(22)).result == .yes)
        let out = sem.allowed(from: pod("shop"), to: .world, port: PortQuery(443))
        #expect(out.egress.enforced == .yes && out.result == .no)
    }

    @Test func l4OnlyRuleAdmitsTheWorldAndDenyWins() {
        let (sem, objects) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              endpointSelector: {}
              ingress:
                - toPorts: [{ports: [{port: "443", protocol: TCP}]}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: no-bad-net}
            spec:
              endpointSelector: {}
              ingressDeny:
                - fromCIDRSet: [{cidr: 203.0.113.0/24, except: [203.0.113.7/32]}]
            """)
        let public1 = Endpoint.address(CIDRParser.parse("198.51.100.1")!, text: "198.51.100.1")
        #expect(sem.allowed(from: public1, to: pod("shop"), port: PortQuery(443)).result == .yes)
        // "The internet" in general may be inside the denied range: only conditionally allowed.
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(443)).result == .maybe)
        let denied = sem.allowed(from: .address(CIDRParser.parse("203.0.113.9")!, text: "203.0.113.9"), to: pod("shop"), port: PortQuery(443))
        #expect(denied.result == .no)
        #expect(denied.ingress.denies.map { objects[$0.rule.ref.object].name } == ["no-bad-net"])
        #expect(denied.ingress.allows.map { objects[$0.rule.ref.object].name } == ["web"])
        let carved = sem.allowed(from: .address(CIDRParser.parse("203.0.113.7")!, text: "203.0.113.7"), to: pod("shop"), port: PortQuery(443))
        #expect(carved.result == .yes)
    }

    @Test func enableDefaultDenyFalseDoesNotEnforce() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: probes}
            spec:
              endpointSelector: {}
              enableDefaultDeny: {ingress: false}
              ingress:
                - fromCIDR: [169.254.7.127/32]
            """)
        let v = sem.allowed(from: pod("a"), to: pod("b"), port: PortQuery(80))
        #expect(v.ingress.enforced == .no && v.result == .yes)
    }

    @Test func entitiesAndClusterMeaning() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              endpointSelector: {}
              egress:
                - toEntities: [cluster]
                - toEntities: [kube-apiserver]
                  toPorts: [{ports: [{port: "6443", protocol: TCP}]}]
            """)
        #expect(sem.allowed(from: pod("shop"), to: pod("db"), port: PortQuery(5432)).result == .yes)
        #expect(sem.allowed(from: pod("shop"), to: .entity("host"), port: PortQuery(10250)).result == .yes)
        #expect(sem.allowed(from: pod("shop"), to: .world, port: PortQuery(443)).result == .no)
        #expect(sem.allowed(from: pod("shop"), to: .entity("kube-apiserver"), port: PortQuery(6443)).result == .yes)
    }

    @Test func endpointParsingAndUnresolvedPolicies() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: nowhere}
            spec:
              endpointSelector: {}
              ingress: [{}]
            """)
        #expect(sem.unresolvedPolicies == [0])
        // A policy without a namespace decides nothing about real pods.
        #expect(sem.allowed(from: pod("a"), to: pod("b"), port: PortQuery(80)).ingress.enforced == .no)
        guard case .success(let e) = sem.parseEndpoint("shop/app=api,tier=web") else { Issue.record("parse failed"); return }
        #expect(e.namespace == "shop" && e.podLabels == ["app": "api", "tier": "web"] && e.podLabelsComplete)
        guard case .success(let w) = sem.parseEndpoint("10.0.0.0/8"), case .address = w.kind else { Issue.record("CIDR"); return }
        if case .success = sem.parseEndpoint("shop/app") { Issue.record("label without value accepted") }
        if case .success = sem.parseEndpoint("300.1.1.1") { Issue.record("bad address accepted") }
    }

    @Test func dnsNamesAndWorkloads() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: gh, namespace: ci}
            spec:
              endpointSelector: {matchLabels: {app: runner}}
              egress:
                - toFQDNs: [{matchName: api.github.com}, {matchPattern: "*.githubusercontent.com"}]
                  toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
                  toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.github.com"}, {matchPattern: "*.githubusercontent.com"}]}}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: runner, namespace: ci}
            spec:
              template:
                metadata: {labels: {app: runner}}
            """)
        guard case .success(let runner) = sem.parseEndpoint("ci/runner") else { Issue.record("workload not found"); return }
        #expect(runner.podLabels == ["app": "runner"] && runner.podLabelsComplete)
        guard case .failure(let e) = sem.parseEndpoint("ci/runnr") else { Issue.record("unknown workload accepted"); return }
        #expect(e.message.contains("did you mean 'runner'"))
        func to(_ name: String) -> Tri {
            guard case .success(let host) = sem.parseEndpoint(name) else { return .no }
            return sem.allowed(from: runner, to: host, port: PortQuery(443)).result
        }
        #expect(to("api.github.com") == .yes)
        #expect(to("API.GitHub.com") == .yes)
        #expect(to("raw.githubusercontent.com") == .yes)
        #expect(to("evil.example.com") == .no)
        #expect(to("a.b.githubusercontent.com") == .no)  // `*` stays within one label
        // A name the DNS rule does not cover: its lookups are refused, so toFQDNs could not allow it anyway.
        let verdict = sem.allowed(from: runner, to: Endpoint(kind: .dnsName("example.org"), namespace: nil), port: PortQuery(443))
        #expect(verdict.egress.dnsVisibility == .no && verdict.result == .no)
        #expect(sem.allowed(from: runner, to: .world, port: PortQuery(443)).result == .maybe)
    }

    // Regressions found in review: each of these once gave a definite but wrong answer.

    @Test func policyTypesDefaulting() {
        let (sem, _) = semantics("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              podSelector: {}
              ingress: [{ports: [{port: 8080}]}]
              egress: []
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: empty-types, namespace: other}
            spec:
              podSelector: {}
              policyTypes: []
            """)
        // `egress: []` without policyTypes does not isolate egress (defaults.go: len(spec.Egress) != 0).
        #expect(sem.allowed(from: pod("shop"), to: .world, port: PortQuery(443)).egress.enforced == .no)
        // `policyTypes: []` defaults to Ingress.
        #expect(sem.allowed(from: .world, to: pod("other"), port: PortQuery(80)).result == .no)
    }

    @Test func someRangeOrAnyPortIsOnlyPartlyCoveredBySinglePorts() {
        let (sem, _) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: db, namespace: shop}
            spec:
              endpointSelector: {}
              ingress:
                - fromEntities: [world]
              ingressDeny:
                - fromEntities: [world]
                  toPorts: [{ports: [{port: "22", protocol: TCP}]}]
            """)
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(22)).result == .no)
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(443)).result == .yes)
        // "Some port": the deny covers only one of them.
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(nil, "TCP")).result == .maybe)
        #expect(sem.allowed(from: .world, to: pod("shop"), port: PortQuery(20, "TCP", endPort: 30)).result == .maybe)
    }

    @Test func requiresNarrowsAndRejectedPoliciesAreLeftOut() {
        let (sem, objects) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: prod-only, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: db}}
              ingress:
                - fromRequires: [{matchLabels: {env: prod}}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: db}}
              ingress:
                - fromEndpoints: [{matchLabels: {app: api}}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: mixed, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: api}}
              egress:
                - toEndpoints: [{matchLabels: {app: db}}]
                  toFQDNs: [{matchName: api.github.com}]
            """)
        // Rejected by the agent from 1.19 (fromRequires removed) and always (toFQDNs combined with toEndpoints).
        #expect(sem.rejectedPolicies.map { objects[$0].name } == ["prod-only", "mixed"])
        let old = Semantics(objects: objects, inventory: sem.inventory, wellKnown: [], ciliumVersion: CiliumVersion(major: 1, minor: 18))
        #expect(old.rejectedPolicies.map { objects[$0].name } == ["mixed"])
        let v = old.allowed(from: pod("shop", ["app": "api", "env": "dev"]), to: pod("shop", ["app": "db"]), port: PortQuery(5432))
        #expect(v.ingress.result == .maybe)
    }

    @Test func substitutedNamespaceLabelsAreUnknown() {
        let (sem, _) = semantics("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {team: "${TEAM}"}}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: db, namespace: database}
            spec:
              endpointSelector: {}
              ingress:
                - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: backend}}]
            """)
        let shop = sem.endpoint(namespace: "shop", podLabels: [:], complete: false)
        #expect(sem.allowed(from: shop, to: pod("database"), port: PortQuery(5432)).result == .maybe)
    }

    @Test func nearMissesExplainARefusal() {
        let (sem, objects) = semantics("""
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: access-dragonfly}
            spec:
              endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.access/dragonfly: "true"}}
              egress:
                - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: database, app: dragonfly}}]
                  toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: app, namespace: shop}
            spec:
              endpointSelector: {}
              egress:
                - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: database, app: dragonfly}}]
                  toPorts: [{ports: [{port: "6380", protocol: TCP}]}]
            """)
        let src = pod("shop", ["app": "web"]), dst = pod("database", ["app": "dragonfly"])
        let v = sem.allowed(from: src, to: dst, port: PortQuery(6379))
        #expect(v.result == .no)
        let misses = sem.nearMisses(.egress, at: src, peer: dst, port: PortQuery(6379))
        #expect(misses.map { objects[$0.rule.object].name } == ["app", "access-dragonfly"])
        #expect(misses[0].reason.contains("only on 6380/TCP"))
        #expect(misses[1].reason.contains("io.cilium.k8s.namespace.labels.access/dragonfly=true"))
    }

    @Test func resourceSetResourcesAndHostNetwork() {
        let (sem, _) = semantics("""
            apiVersion: fluxcd.controlplane.io/v1
            kind: ResourceSet
            metadata: {name: teams, namespace: flux-system}
            spec:
              inputs: [{team: shop, profile: standard}]
              resources:
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: << inputs.team >>
                    labels: {profile: << inputs.profile | quote >>}
            ---
            apiVersion: fluxcd.controlplane.io/v1
            kind: ResourceSet
            metadata: {name: plain, namespace: flux-system}
            spec:
              resources:
                - {apiVersion: v1, kind: Namespace, metadata: {name: plain, labels: {profile: isolated}}}
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: vip, namespace: kube-system}
            spec:
              template:
                metadata: {labels: {app: vip}}
                spec: {hostNetwork: true}
            """)
        // `quote` yields a quoted YAML scalar; Flux parses the rendered text, so the label is the bare value.
        #expect(sem.inventory.namespaces["shop"]?.effectiveLabels["profile"] == "standard")
        // Without inputs, the resources are rendered once.
        #expect(sem.inventory.namespaces["plain"]?.effectiveLabels["profile"] == "isolated")
        // A host-network workload is the host, not a policy-restricted pod.
        guard case .success(let vip) = sem.parseEndpoint("kube-system/vip") else { Issue.record("workload"); return }
        #expect(vip.kind == .entity("host"))
        #expect(sem.pods(in: "kube-system").count == 1)
    }
}
