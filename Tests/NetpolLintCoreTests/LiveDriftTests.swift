import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// `LiveDrift`: git against a `kubectl get cnp,ccnp,netpol,ns -A -o yaml` export (docs/audit.md, "Live drift").
@Suite struct LiveDriftTests {
    /// Loads a repository. Display paths are relative to the test process's directory, which is where `LiveDrift`
    /// re-reads the files from (as the CLI does from its own).
    func context(_ dir: String, paths: [String]? = nil) -> LintContext {
        let request = LintRequest(paths: paths ?? [dir], configuration: Configuration(), repositoryRoot: dir,
                                  workingDirectory: FileManager.default.currentDirectoryPath)
        return Linter(rules: []).load(request).context
    }

    func writeLive(_ content: String) -> String {
        let path = TestSupport.temporaryDirectory() + "/live.yaml"
        try? content.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func drift(_ repo: [(path: String, content: String)], live: String,
               sourceLocation: SourceLocation = #_sourceLocation) throws -> (entries: [DriftEntry], notes: [String]) {
        let dir = TestSupport.writeTree(repo)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        switch LiveDrift.compare(context: context(dir), livePath: writeLive(live)) {
        case .success(let r): return r
        case .failure(let e):
            Issue.record("unexpected error: \(e)", sourceLocation: sourceLocation)
            throw e
        }
    }

    func error(_ live: String, limits: YAMLLimits = YAMLLimits()) -> LiveExportError? {
        let dir = TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if case .failure(let e) = LiveDrift.compare(context: context(dir), livePath: writeLive(live), limits: limits) { return e }
        return nil
    }

    func summary(_ entries: [DriftEntry]) -> [String] {
        entries.map { "\($0.change.rawValue) \($0.kind) \($0.namespace.map { "\($0)/" } ?? "")\($0.name)" }
    }

    // MARK: Repository and export that agree

    static let repoCNP = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: api-ingress
          namespace: payments
          labels:
            team: payments
        spec:
          endpointSelector:
            matchLabels:
              app.kubernetes.io/name: api
          ingress:
          - fromEndpoints:
            - matchLabels:
                app.kubernetes.io/name: web
            toPorts:
            - ports:
              - port: 8080
                protocol: TCP

        """

    static let repoNamespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: payments
          labels:
            platform.example.com/tier: workload

        """

    /// The export of `repoCNP` and `repoNamespace`, with every kind of server and controller noise.
    static func liveCNP(port: String = "\"8080\"", status: String = "\"True\"", message: String = "Policy validation succeeded") -> String {
        """
        - apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata:
            annotations:
              argocd.argoproj.io/tracking-id: payments:cilium.io/CiliumNetworkPolicy:payments/api-ingress
              kubectl.kubernetes.io/last-applied-configuration: |
                {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"api-ingress"}}
            creationTimestamp: "2026-08-30T09:14:02Z"
            generation: 3
            labels:
              app.kubernetes.io/instance: payments
              kustomize.toolkit.fluxcd.io/name: apps
              kustomize.toolkit.fluxcd.io/namespace: flux-system
              team: payments
            managedFields:
            - apiVersion: cilium.io/v2
              fieldsType: FieldsV1
              fieldsV1:
                f:spec:
                  .: {}
                  f:ingress: {}
              manager: argocd-controller
              operation: Update
              time: "2026-09-11T16:40:27Z"
            name: api-ingress
            namespace: payments
            resourceVersion: "48211937"
            uid: 8d1f0c2a-6b3e-4f57-9a10-2c7e5d4b3a91
          spec:
            endpointSelector:
              matchLabels:
                app.kubernetes.io/name: api
            ingress:
            - fromEndpoints:
              - matchLabels:
                  app.kubernetes.io/name: web
              toPorts:
              - ports:
                - port: \(port)
                  protocol: TCP
          status:
            conditions:
            - lastTransitionTime: "2026-08-30T09:14:03Z"
              message: \(message)
              status: \(status)
              type: Valid

        """
    }

    static let liveNamespaces = """
        - apiVersion: v1
          kind: Namespace
          metadata:
            annotations:
              argocd.argoproj.io/tracking-id: platform:/Namespace:/payments
            creationTimestamp: "2026-08-30T09:13:58Z"
            labels:
              kubernetes.io/metadata.name: payments
              platform.example.com/tier: workload
            name: payments
            resourceVersion: "44102391"
            uid: 4e2a7c16-8b05-43d9-b7f1-3a6d0e9c2f58
          spec:
            finalizers:
            - kubernetes
          status:
            phase: Active
        - apiVersion: v1
          kind: Namespace
          metadata:
            labels:
              kubernetes.io/metadata.name: kube-system
            name: kube-system
          spec:
            finalizers:
            - kubernetes
          status:
            phase: Active

        """

    static func list(_ items: String...) -> String {
        "apiVersion: v1\nitems:\n" + items.joined() + "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
    }

    @Test func identicalObjectsWithServerNoiseAreNoDrift() throws {
        let r = try drift([("payments/ns.yaml", Self.repoNamespace), ("payments/cnp.yaml", Self.repoCNP)],
                          live: Self.list(Self.liveCNP(), Self.liveNamespaces))
        #expect(r.entries.isEmpty, "\(r.entries)")
    }

    @Test func multiDocumentStreamAndTypedListsAreAccepted() throws {
        let live = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicyList\nitems:\n" + Self.liveCNP()
            + "---\n" + Self.list(Self.liveNamespaces) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n"
        let r = try drift([("payments/ns.yaml", Self.repoNamespace), ("payments/cnp.yaml", Self.repoCNP)], live: live)
        #expect(r.entries.isEmpty, "\(r.entries)")
        #expect(r.notes.contains { $0.contains("1 live object of other kinds ignored (ConfigMap: 1)") }, "\(r.notes)")
    }

    // MARK: Each kind of drift

    @Test func eachDriftKindIsReportedAndSorted() throws {
        let extraRepo = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: only-in-git, namespace: payments}
            spec: {podSelector: {}}

            """
        let onlyLive = """
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: allow-all, namespace: payments}
              spec:
                ingress:
                - {}
                podSelector: {}
                policyTypes: [Ingress]
            - apiVersion: cilium.io/v2
              kind: CiliumClusterwideNetworkPolicy
              metadata: {name: broken}
              spec: {endpointSelector: {}}
              status:
                conditions:
                - {type: Valid, status: "False", message: "Invalid CiliumClusterwideNetworkPolicy spec: combining ToFQDNs and ToEndpoints is not supported"}

            """
        let r = try drift([("payments/ns.yaml", Self.repoNamespace), ("payments/cnp.yaml", Self.repoCNP),
                           ("payments/np.yaml", extraRepo)],
                          live: Self.list(Self.liveCNP(port: "\"8081\""), onlyLive, Self.liveNamespaces))
        #expect(summary(r.entries) == [
            "rejected-by-cluster CiliumClusterwideNetworkPolicy broken",
            "differs CiliumNetworkPolicy payments/api-ingress",
            "missing-in-cluster NetworkPolicy payments/only-in-git",
            "missing-in-git NetworkPolicy payments/allow-all",
        ])
        let rejected = r.entries[0]
        #expect(rejected.message == "Invalid CiliumClusterwideNetworkPolicy spec: combining ToFQDNs and ToEndpoints is not supported")
        #expect(rejected.path == nil && rejected.liveLine != nil)
        let differs = r.entries[1]
        #expect(differs.fields == [FieldDifference(path: "spec.ingress[0].toPorts[0].ports[0].port", git: "8080", live: "\"8081\"")])
        #expect(differs.path?.hasSuffix("payments/cnp.yaml") == true)
        #expect(differs.line == 4)   // metadata.name
        #expect(differs.liveLine == 3)
        #expect(r.entries[2].line == 3 && r.entries[2].liveLine == nil)
        #expect(r.entries[3].path == nil && r.entries[3].line == nil)
    }

    @Test func rejectedPolicyInGitIsReportedNotDiffed() throws {
        let r = try drift([("payments/cnp.yaml", Self.repoCNP)],
                          live: Self.list(Self.liveCNP(port: "\"9999\"", status: "\"False\"", message: "'Invalid CiliumNetworkPolicy spec: bad'")))
        #expect(summary(r.entries) == ["rejected-by-cluster CiliumNetworkPolicy payments/api-ingress"])
        #expect(r.entries[0].fields.isEmpty && r.entries[0].message == "Invalid CiliumNetworkPolicy spec: bad")
        #expect(r.entries[0].path != nil)
    }

    @Test func namespaceLabelDrift() throws {
        let live = Self.liveNamespaces.replacingOccurrences(of: "platform.example.com/tier: workload",
                                                            with: "platform.example.com/tier: platform\n      team: pay")
        let r = try drift([("payments/ns.yaml", Self.repoNamespace)], live: Self.list(live))
        #expect(summary(r.entries) == ["differs Namespace payments"])
        #expect(r.entries.first?.fields == [
            FieldDifference(path: "metadata.labels[\"platform.example.com/tier\"]", git: "workload", live: "platform"),
            FieldDifference(path: "metadata.labels.team", git: nil, live: "pay"),
        ])
    }

    // MARK: Normalisation

    @Test func networkPolicyDefaultingIsNotDrift() throws {
        let repo = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-only, namespace: a}
            spec:
              podSelector:
                matchLabels: {app: x}
              egress:
              - ports:
                - port: "53"
                  protocol: UDP
                - port: 8080
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a, labels: {}}
            spec:
              podSelector: {}
              egress: []
              ingress: []

            """
        let live = Self.list("""
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: egress-only, namespace: a, uid: x, generation: 1}
              spec:
                egress:
                - ports:
                  - {port: 53, protocol: UDP}
                  - {port: 8080, protocol: TCP}
                podSelector:
                  matchLabels: {app: x}
                policyTypes: [Ingress, Egress]
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: deny, namespace: a}
              spec:
                podSelector: {}
                policyTypes: [Ingress]

            """)
        let r = try drift([("a/np.yaml", repo)], live: live)
        #expect(r.entries.isEmpty, "\(r.entries)")

        // The same export against a repository that says Ingress only: the live Egress is drift.
        let ingressOnly = repo.replacingOccurrences(of: "  egress:\n  - ports:", with: "  policyTypes: [Ingress]\n  egress:\n  - ports:")
        let r2 = try drift([("a/np.yaml", ingressOnly)], live: live)
        #expect(r2.entries.first?.fields == [FieldDifference(path: "spec.policyTypes[1]", git: nil, live: "Egress")])
    }

    @Test func kustomizeResolvedNamespace() throws {
        let repo: [(path: String, content: String)] = [
            ("apps/payments/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: payments\nresources: [cnp.yaml]\n"),
            ("apps/payments/cnp.yaml", Self.repoCNP.replacingOccurrences(of: "  namespace: payments\n", with: "")),
            ("apps/orphan/np.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: lost}\nspec: {podSelector: {}}\n"),
        ]
        let r = try drift(repo, live: Self.list(Self.liveCNP()))
        #expect(r.entries.isEmpty, "\(r.entries)")
        #expect(r.notes.contains { $0.contains("the namespace of NetworkPolicy 'lost'") && $0.contains("cannot be resolved") }, "\(r.notes)")
    }

    static let fluxKustomization = """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          path: ./apps
          postBuild:
            substitute:
              API_PORT: "8080"
              TEAM: payments

        """

    @Test func fluxSubstitutionKnownAndUnknown() throws {
        let cnp = Self.repoCNP
            .replacingOccurrences(of: "port: 8080", with: "port: ${API_PORT}")
            .replacingOccurrences(of: "team: payments", with: "team: ${TEAM}")
            .replacingOccurrences(of: "app.kubernetes.io/name: web", with: "app.kubernetes.io/name: web-${CLUSTER}")
        let repo: [(path: String, content: String)] = [("clusters/prod/apps.yaml", Self.fluxKustomization), ("apps/cnp.yaml", cnp)]
        // Known variables are substituted; `${CLUSTER}` (set in the cluster) matches any text in its place.
        let live = Self.liveCNP().replacingOccurrences(of: "app.kubernetes.io/name: web", with: "app.kubernetes.io/name: web-eu1")
        #expect(try drift(repo, live: Self.list(live)).entries.isEmpty)
        // A substituted value that differs is drift; the unknown one still only needs its literal part.
        let other = Self.liveCNP(port: "\"9090\"").replacingOccurrences(of: "app.kubernetes.io/name: web", with: "app.kubernetes.io/name: api-eu1")
        let r = try drift(repo, live: Self.list(other))
        #expect(r.entries.first?.fields.map(\.path) == [
            "spec.ingress[0].fromEndpoints[0].matchLabels[\"app.kubernetes.io/name\"]",
            "spec.ingress[0].toPorts[0].ports[0].port",
        ])
        #expect(r.entries.first?.fields.first?.git == "\"web-${CLUSTER}\"")
        #expect(r.entries.first?.fields.last?.git == "8080")
        // Outside the Flux path nothing is substituted: `${API_PORT}` is a pattern.
        let outside: [(path: String, content: String)] = [("clusters/prod/apps.yaml", Self.fluxKustomization), ("other/cnp.yaml", cnp)]
        let anyPort = Self.liveCNP(port: "\"1234\"").replacingOccurrences(of: "app.kubernetes.io/name: web", with: "app.kubernetes.io/name: web-eu1")
        #expect(try drift(outside, live: Self.list(anyPort)).entries.isEmpty)
    }

    @Test func substituteSyntax() {
        // Defaults apply only when the variable is not set by the Kustomization.
        #expect(FluxSubstituteProbe.matches("${A:=x}-${B:=y}-${C}", vars: ["A": "1"], live: "1-y-anything"))
    }

    @Test func duplicateObjectsCompareTheFirst() throws {
        let live = Self.list(Self.liveCNP(), Self.liveCNP(port: "\"1\""))
        let r = try drift([("a/cnp.yaml", Self.repoCNP), ("b/cnp.yaml", Self.repoCNP.replacingOccurrences(of: "8080", with: "2"))], live: live)
        #expect(r.entries.isEmpty, "\(r.entries)")
        #expect(r.notes.filter { $0.contains("more than once") }.count == 2, "\(r.notes)")
    }

    @Test func emptyListMeansEverythingIsMissingInCluster() throws {
        let r = try drift([("payments/ns.yaml", Self.repoNamespace), ("payments/cnp.yaml", Self.repoCNP)],
                          live: "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n")
        #expect(summary(r.entries) == ["missing-in-cluster CiliumNetworkPolicy payments/api-ingress", "missing-in-cluster Namespace payments"])
    }

    // MARK: Hostile exports

    @Test(arguments: [
        ("42\n", "found a scalar", 1, 1),
        ("- a\n- b\n", "found a bare list", 1, 1),
        ("apiVersion: v1\nkind: List\nitems: 5\n", "'items' of a List must be a list", 3, 8),
        ("apiVersion: v1\nkind: List\nitems:\n- 7\n", "found a scalar", 4, 3),
        ("apiVersion: v1\nkind: List\nitems:\n- {kind: NetworkPolicy, metadata: {name: x}}\n", "apiVersion, kind, metadata.name", 4, 3),
        ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: [x]}\n", "metadata.name", 4, 3),
        ("foo: bar\n", "expected a Kubernetes object", 1, 1),
        ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a\n", "flow mapping", 7, 1),
        ("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n", "truncated export", 1, 1),
        ("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    annotations:\n      x: \"trunc", "quoted scalar", 7, 16),
        ("", "empty file", 1, 1),
        ("# only a comment\n", "empty file", 1, 1),
        ("a: *nope\n", "undefined", 1, 4),
        ("a\u{0}b: 1\n", "NUL byte", 1, 2),
    ] as [(String, String, Int, Int)])
    func hostileExportIsAnError(_ input: (String, String, Int, Int)) {
        let (content, message, line, column) = input
        let e = error(content)
        #expect(e?.message.contains(message) == true, "got \(String(describing: e))")
        if let e { #expect((e.line, e.column) == (line, column), "got \(e)") }
        #expect(e?.description.hasPrefix((e?.path ?? "") + ":\(line):\(column): error: ") == true)
    }

    @Test func aliasBombEndsInAnError() {
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for i in 1...9 {
            let prev = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(i - 1)))
            let cur = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(i)))
            bomb += "\(cur): &\(cur) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        let e = error("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n  spec:\n" +
                      bomb.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n")
        #expect(e?.message.contains("billion laughs") == true, "got \(String(describing: e))")
        #expect(e?.line ?? 0 > 8)
    }

    @Test func deepAliasChainsAreBounded() {
        var limits = YAMLLimits()
        limits.maxDepth = 20
        let deep = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\nspec:\n  a: &a [[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]\n  b: &b [[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]\n"
        let e = error(deep, limits: limits)
        #expect(e?.message.contains("deeper than 20") == true, "got \(String(describing: e))")
    }

    @Test func unreadableExports() {
        let dir = TestSupport.writeTree([("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ctx = context(dir)
        for (path, message) in [(dir + "/does-not-exist.yaml", "No such file"), (dir, "is a directory")] {
            guard case .failure(let e) = LiveDrift.compare(context: ctx, livePath: path) else {
                Issue.record("\(path) was read")
                continue
            }
            #expect(e.message.contains(message) && e.path == path && e.line == 1, "got \(e)")
        }
        let big = writeLive(Self.list(Self.liveNamespaces))
        guard case .failure(let e) = LiveDrift.compare(context: ctx, livePath: big, maxFileSize: 100) else {
            Issue.record("the size limit was not applied")
            return
        }
        #expect(e.message.contains("over the 100 bytes limit"), "got \(e)")
    }

    // MARK: Real exports

    @Test func sharedSampleAgainstMatchingRepository() throws {
        guard let shared = TestSupport.requireShared("the live-export sample") else { return }
        let repo: [(path: String, content: String)] = [
            ("namespaces.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: monitoring
                  labels: {platform.example.com/tier: platform}
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: payments
                  labels: {platform.example.com/tier: workload}

                """),
            ("payments/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: payments\n"),
            ("payments/policies.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: payments-api-ingress
                spec:
                  endpointSelector:
                    matchLabels:
                      app.kubernetes.io/name: payments-api
                  ingress:
                  - fromEndpoints:
                    - matchLabels:
                        app.kubernetes.io/name: checkout-web
                    toPorts:
                    - ports:
                      - port: "8080"
                        protocol: TCP
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: default-deny-ingress
                spec:
                  podSelector: {}

                """),
            ("platform/baseline.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: baseline-allow-dns
                spec:
                  description: "Baseline: every pod may resolve names via kube-dns (UDP/TCP 53)"
                  endpointSelector: {}
                  enableDefaultDeny:
                    egress: false
                    ingress: false
                  egress:
                  - toEndpoints:
                    - matchLabels:
                        k8s:io.kubernetes.pod.namespace: kube-system
                        k8s:k8s-app: kube-dns
                    toPorts:
                    - ports:
                      - port: "53"
                        protocol: UDP
                      - port: "53"
                        protocol: TCP

                """),
        ]
        let dir = TestSupport.writeTree(repo)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = LiveDrift.compare(context: context(dir), livePath: shared + "/research/audit/live-export-sample.yaml")
        guard case .success(let r) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(r.entries.isEmpty, "\(r.entries)")
    }

    @Test func votingAppFixtureHasExactlyThePlantedDrift() throws {
        let root = TestSupport.packageRoot + "/Fixtures/voting-app"
        let ctx = context(root, paths: [root + "/namespaces", root + "/policies"])
        let result = LiveDrift.compare(context: ctx, livePath: TestSupport.packageRoot + "/Fixtures/voting-app-cluster/live-cluster.yaml")
        guard case .success(let r) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(summary(r.entries) == [
            "rejected-by-cluster CiliumNetworkPolicy voting-data/redis-exporter-allow-prometheus",
            "differs Namespace voting-api",
            "differs NetworkPolicy voting-data/redis-allow-api-consumer",
            "missing-in-cluster NetworkPolicy voting-api/api-allow-https-egress",
            "missing-in-git NetworkPolicy voting-frontend/debug-allow-all",
        ])
        #expect(r.entries[0].message == "Invalid CiliumNetworkPolicy spec: L7 rules can only apply to TCP (not UDP) except for DNS rules")
        #expect(r.entries[1].fields == [FieldDifference(path: "metadata.labels.name", git: nil, live: "voting-api")])
        #expect(r.entries[2].fields == [FieldDifference(path: "spec.ingress[0].ports[0].port", git: "6379", live: "6380")])
        #expect(r.entries[2].path?.hasSuffix("policies/voting-data/redis-allow-api-consumer.yaml") == true)
        #expect(r.entries[2].line == 5)
        #expect(r.entries[3].path?.hasSuffix("policies/voting-api/api-allow-https-egress.yaml") == true)
        #expect(r.notes.isEmpty, "\(r.notes)")
    }
}

/// Drives Flux substitution through `LiveDrift.compare`, the only public way in.
enum FluxSubstituteProbe {
    static func matches(_ template: String, vars: [String: String], live: String) -> Bool {
        let flux = """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: apps, namespace: flux-system}
            spec:
              path: ./apps
              postBuild:
                substitute: {\(vars.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", "))}

            """
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    x: \"\(template)\"\n"
        let dir = TestSupport.writeTree([("flux.yaml", flux), ("apps/ns.yaml", ns)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let livePath = TestSupport.temporaryDirectory() + "/live.yaml"
        try? "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    x: \"\(live)\"\n"
            .write(toFile: livePath, atomically: false, encoding: .utf8)
        let request = LintRequest(paths: [dir], configuration: Configuration(), repositoryRoot: dir,
                                  workingDirectory: FileManager.default.currentDirectoryPath)
        guard case .success(let r) = LiveDrift.compare(context: Linter(rules: []).load(request).context, livePath: livePath) else {
            return false
        }
        return r.entries.isEmpty
    }
}
