import NetpolLintCore
import Testing

@Suite struct YAMLTests {
    func parse(_ s: String, limits: YAMLLimits = YAMLLimits()) -> YAMLParseResult {
        var p = YAMLParser(limits: limits)
        return Array(s.utf8).withUnsafeBytes { p.parse($0) }
    }

    @Test func positionsStylesAndOrder() {
        let r = parse("b: 1\na: \"53\"\nc:\n  - x\n  - 'y'\n")
        #expect(r.error == nil)
        let d = r.documents[0]
        let pairs = Array(d.pairs(d.root))
        #expect(pairs.map { d.string($0.key) } == ["b", "a", "c"])
        #expect(d[pairs[1].value].style == .doubleQuoted)
        #expect(d[pairs[0].value].style == .plain)
        #expect(d[pairs[1].value].line == 2 && d[pairs[1].value].column == 4)
        let items = Array(d.items(pairs[2].value))
        #expect(d[items[1]].line == 5 && d[items[1]].column == 5 && d[items[1]].style == .singleQuoted)
    }

    @Test func columnsCountCodePoints() {
        let r = parse("k: \"é€\"\nz: 1\nx: [ü, v]\n")
        let d = r.documents[0]
        let seq = d.value(d.root, forKey: "x")!
        #expect(d[Array(d.items(seq))[1]].column == 8)
    }

    /// A block scalar or collection ends at its last non-blank character, found in the bytes although libyaml's marks
    /// count characters: text before it in other scripts, a byte order mark or other line ends (CR LF, a lone CR, NEL,
    /// LS, PS) do not move it.
    @Test(arguments: [("", "\n"), ("# résumé ééééé €€€€ 😀😀\n", "\n"), ("\u{FEFF}", "\n"), ("# ü\r\n", "\r\n"),
                      ("\u{FEFF}# 日本語\r\n", "\r\n"), ("# ü\r", "\r"), ("# ü\u{85}", "\u{85}"),
                      ("\u{FEFF}# €\u{2028}", "\u{2028}"), ("# 日本語\u{2029}", "\u{2029}")])
    func blockEndsAreFoundInBytes(prefix: String, eol: String) {
        let body = ["a: 1", "? |", "  xyz", ": 1", "m:", "  k: [1,", "    2]", "  s: |", "    é text", "", "last: x"]
        let r = parse(prefix + body.joined(separator: eol) + eol)
        #expect(r.error == nil)
        let d = r.documents[0]
        let first = prefix.contains("#") ? 1 : 0
        let pairs = Array(d.pairs(d.root))
        // The block scalar key `? |` ends after "xyz" (line 3, column 6), not at the start of the next line.
        let key = d[pairs[1].key]
        #expect((key.endLine, key.endColumn) == (UInt32(3 + first), 6), "key ends at \(key.endLine):\(key.endColumn)")
        let m = d[pairs[2].value]
        let s = d[d.value(pairs[2].value, forKey: "s")!]
        // "    é text" is 10 code points: the end is column 11, on line 9 (the blank line after it is not counted).
        #expect((s.endLine, s.endColumn) == (UInt32(9 + first), 11), "block scalar ends at \(s.endLine):\(s.endColumn)")
        #expect((m.endLine, m.endColumn) == (UInt32(9 + first), 11), "mapping ends at \(m.endLine):\(m.endColumn)")
    }

    /// `position(ofOffset:)` (NUL bytes, invalid UTF-8, suppression comments) counts lines and columns as libyaml's marks
    /// do: LF, CR LF, a lone CR, NEL, LS and PS each end a line, and a byte order mark takes no column.
    @Test(arguments: ["\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"], ["", "\u{FEFF}"])
    func offsetsArePlacedAsLibyamlPlacesThem(eol: String, prefix: String) {
        let text = prefix + ["v0: x0", "é: x1", "m:", "  k: [ü, x2]", "  €€: x3"].joined(separator: eol) + eol
        let bytes = Array(text.utf8)
        let r = parse(text)
        #expect(r.error == nil, "\(eol.unicodeScalars.map { $0.value })")
        guard let d = r.documents.first else { return }
        for k in 0...3 {
            let marker = Array("x\(k)".utf8)
            let offset = bytes.indices.first { bytes[$0...].starts(with: marker) }!
            let index = d.nodes.indices.first { d.nodes[$0].kind == .scalar && d.string(Int32($0)) == "x\(k)" }!
            let node = d.nodes[index]
            let placed = bytes.withUnsafeBytes { YAMLParser.position(ofOffset: offset, in: $0) }
            #expect(placed.line == Int(node.line) && placed.column == Int(node.column),
                    "x\(k) with line end \(eol.unicodeScalars.map { $0.value }), BOM \(!prefix.isEmpty): placed at \(placed), libyaml says \(node.line):\(node.column)")
        }
    }

    @Test func multipleDocumentsAndErrorKeepsEarlierOnes() {
        let r = parse("a: 1\n---\nb: 2\n---\nc: [\n")
        #expect(r.documents.count == 2)
        #expect(r.error != nil)
        #expect(r.error?.line == 6)
    }

    @Test func duplicateKeysAreRecorded() {
        let d = parse("a: 1\nb: 2\na: 3\n").documents[0]
        #expect(d.duplicateKeys.count == 1)
        #expect(d[d.duplicateKeys[0].duplicate].line == 3 && d[d.duplicateKeys[0].first].line == 1)
    }

    @Test func aliasesAreReferencesNotCopies() {
        let d = parse("base: &b {x: 1}\nuse: *b\n").documents[0]
        #expect(d.value(d.root, forKey: "base") == d.value(d.root, forKey: "use"))
    }

    @Test func billionLaughsIsRefusedQuickly() {
        var s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            s += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let r = parse(s)
        #expect(r.error?.message.contains("billion laughs") == true)
    }

    @Test func deepNestingIsRefused() {
        let s = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let r = parse(s)
        #expect(r.error?.message.contains("nesting deeper than 512") == true)
    }

    @Test func emptyInputs() {
        #expect(parse("").documents.isEmpty)
        #expect(parse("# just a comment\n").documents.isEmpty)
        let r = parse("---\n")
        #expect(r.error == nil && r.documents.count == 1)
        #expect(r.documents[0].isNull(r.documents[0].root))
    }

    @Test func invalidUTF8IsReportedWithPosition() {
        var bytes = Array("a: 1\nb: ".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        var p = YAMLParser()
        let r = bytes.withUnsafeBytes { p.parse($0) }
        #expect(r.error?.message.contains("invalid UTF-8") == true)
        #expect(r.error?.line == 2)
    }

    @Test func undefinedAliasIsAnError() {
        #expect(parse("a: *nope\n").error?.message.contains("undefined") == true)
    }
}

@Suite struct ModelTests {
    func decode(_ s: String) -> (objects: [KubeObject], issues: [ModelIssue]) {
        var p = YAMLParser()
        let r = Array(s.utf8).withUnsafeBytes { p.parse($0) }
        var objects: [KubeObject] = [], issues: [ModelIssue] = []
        for d in r.documents {
            let x = ModelDecoder.decode(d, file: 0)
            objects += x.objects
            issues += x.issues
        }
        return (objects, issues)
    }

    /// Loops over every object test the kind (stored in the object) before the body (behind a reference): each body's
    /// case must come with the kind such a loop tests, for every kind the model reads.
    @Test func kindTellsBody() {
        let manifests = [
            ("cilium.io/v2", "CiliumNetworkPolicy", "spec: {endpointSelector: {}}"),
            ("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "spec: {endpointSelector: {}}"),
            ("networking.k8s.io/v1", "NetworkPolicy", "spec: {podSelector: {}}"),
            ("v1", "Namespace", ""),
            ("apps/v1", "Deployment", "spec: {template: {metadata: {labels: {app: a}}}}"),
            ("apps/v1", "StatefulSet", "spec: {template: {metadata: {labels: {app: a}}}}"),
            ("apps/v1", "DaemonSet", "spec: {template: {metadata: {labels: {app: a}}}}"),
            ("apps/v1", "ReplicaSet", "spec: {template: {metadata: {labels: {app: a}}}}"),
            ("batch/v1", "Job", "spec: {template: {metadata: {labels: {app: a}}}}"),
            ("batch/v1", "CronJob", "spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: a}}}}}}"),
            ("v1", "Pod", "spec: {containers: []}"),
            ("kustomize.config.k8s.io/v1beta1", "Kustomization", "resources: [a.yaml]"),
            ("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "spec: {path: ./apps}"),
            ("fluxcd.controlplane.io/v1", "ResourceSet", "spec: {}"),
            ("helm.toolkit.fluxcd.io/v2", "HelmRelease", "spec: {chart: {spec: {chart: x}}}"),
            ("source.toolkit.fluxcd.io/v1", "OCIRepository", "spec: {url: oci://x/y}"),
            ("cilium.io/v2alpha1", "CiliumCIDRGroup", "spec: {externalCIDRs: [10.0.0.0/8]}"),
            ("v1", "Service", "spec: {selector: {app: a}}"),
            ("helm.cattle.io/v1", "HelmChart", "spec: {chart: x}"),
        ]
        let text = manifests.map { "apiVersion: \($0.0)\nkind: \($0.1)\nmetadata: {name: a, namespace: n}\n\($0.2)\n" }
            .joined(separator: "---\n")
        let objects = decode(text).objects
        #expect(Set(objects.map(\.kind)) == Set(ObjectKind.allCases))
        for o in objects {
            switch o.body {
            case .workload: #expect(o.kind.isWorkload, "\(o.kind)")
            case .cilium: #expect(o.kind.isCilium, "\(o.kind)")
            case .service: #expect(o.kind == .service)
            case .resourceSet: #expect(o.kind == .resourceSet)
            case .ociRepository: #expect(o.kind == .ociRepository)
            case .helmRelease: #expect(o.kind == .helmRelease)
            case .helmChart: #expect(o.kind == .helmChart)
            case .kustomization: #expect(o.kind == .kustomization)
            case .cidrGroup: #expect(o.kind == .ciliumCIDRGroup)
            case .networkPolicy, .namespace, .fluxKustomization: break
            }
            #expect(o.kind.isCilium == (o.cilium != nil), "\(o.kind)")
        }
    }

    @Test func labelKeysAreNormalised() {
        #expect(LabelKey.cilium("k8s:app") == .pod("app"))
        #expect(LabelKey.cilium("any:app") == .pod("app"))
        #expect(LabelKey.cilium("k8s:io.kubernetes.pod.namespace") == .namespaceName)
        #expect(LabelKey.cilium("io.cilium.k8s.namespace.labels.team") == .namespaceLabel("team"))
        #expect(LabelKey.cilium("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name") == .namespaceName)
        #expect(LabelKey.cilium("io.cilium.k8s.policy.serviceaccount") == .serviceAccount)
        #expect(LabelKey.cilium("reserved:host") == .special(source: "reserved", key: "host"))
        #expect(LabelKey.cilium("app.kubernetes.io/name") == .pod("app.kubernetes.io/name"))
    }

    @Test func ciliumPolicyIsDecoded() {
        let (objects, issues) = decode("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: a, namespace: ns}
            spec:
              endpointSelector: {matchLabels: {app: x}}
              ingress:
                - fromEndpoints: [{}]
                  toPorts: [{ports: [{port: "80", endPort: 90, protocol: TCP}]}]
              egress: []
            """)
        #expect(issues.isEmpty)
        let p = objects[0].cilium!
        #expect(!p.isClusterwide)
        let rule = p.rules[0]
        #expect(rule.ingress?.value.count == 1)
        #expect(rule.egress?.value.isEmpty == true)
        #expect(rule.ingress?.value[0].endpoints?.value[0].isEmpty == true)
        let port = rule.ingress!.value[0].toPorts!.value[0].ports[0]
        #expect(port.port?.value == .number(80) && port.endPort?.value == 90 && port.proto?.value == "TCP")
    }

    @Test func substitutionsStaySymbolic() {
        let (objects, issues) = decode("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: a, namespace: ns}
            spec:
              endpointSelector: {}
              egress:
                - toCIDR: ["${NODE_CIDR}"]
                  toPorts: [{ports: [{port: "${PORT}"}]}]
            """)
        #expect(issues.isEmpty)
        let r = objects[0].cilium!.rules[0].egress!.value[0]
        #expect(r.cidrs?.value[0].value.isSubstitution == true)
        #expect(r.toPorts?.value[0].ports[0].port?.value == .substitution("${PORT}"))
    }

    @Test func listsAndNetworkPolicies() {
        let (objects, issues) = decode("""
            apiVersion: v1
            kind: List
            items:
              - apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: a, namespace: ns}
                spec:
                  podSelector: {}
                  ingress:
                    - from:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
              - apiVersion: v1
                kind: Namespace
                metadata: {name: web, labels: {team: a}}
            """)
        #expect(issues.isEmpty)
        #expect(objects.map(\.kind) == [.networkPolicy, .namespace])
        let np = objects[0].networkPolicy!
        #expect(np.isolates == [.ingress])
        #expect(np.ingress?.value[0].peers?.value[0].namespaceSelector?.requirements[0].key == .namespaceName)
    }

    @Test func cidrs() {
        #expect(CIDRParser.parse("10.0.0.0/8")?.prefixLength == 8)
        #expect(CIDRParser.parse("2001:db8::/32")?.isIPv6 == true)
        #expect(CIDRParser.parse("::ffff:10.0.0.1/128") != nil)
        #expect(CIDRParser.parse("10.0.0.256/8") == nil)
        #expect(CIDRParser.parse("10.0.0.0/33") == nil)
        #expect(CIDRParser.parse("10.0.0.1")?.hadPrefix == false)
        let outer = CIDRParser.parse("10.0.0.0/8")!, inner = CIDRParser.parse("10.2.0.0/16")!
        #expect(CIDRParser.contains(outer, inner))
        #expect(!CIDRParser.contains(inner, outer))
    }

    @Test func suggestions() {
        #expect(Suggest.closest("toPort", in: ["toPorts", "toFQDNs"]) == "toPorts")
        #expect(Suggest.closest("fromEndpoint", in: ["fromEndpoints", "fromEntities"]) == "fromEndpoints")
        #expect(Suggest.closest("zzz", in: ["toPorts"]) == nil)
    }

    @Test func globs() {
        #expect(Glob("charts/**").matches("charts/a/templates/x.yaml"))
        #expect(Glob("*.sops.yaml").matches("a/b/secret.sops.yaml"))
        #expect(!Glob("apps/*.yaml").matches("apps/x/y.yaml"))
        #expect(Glob("apps/*.yaml").matches("apps/y.yaml"))
        #expect(Glob("vendor").matches("a/vendor/b.yaml"))
    }

    @Test func configurationErrorsNameTheLine() {
        do {
            _ = try Configuration.parse("preset: kubernetes\nrulez: {}\n", file: "c.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2 && error.message.contains("did you mean 'rules'"))
        }
        do {
            _ = try Configuration.parse("customRules:\n  - id: X1\n    kind: CiliumNetworkPolicy\n    path: metadata.name\n    pattern: \"([a-z\"\n    message: m\n", file: "c.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 5 && error.message.contains("invalid PCRE2 pattern"))
        }
    }

    @Test func regexHasLimits() throws {
        let r = try Regex("^(a+)+$")
        #expect(!r.matches(String(repeating: "a", count: 40) + "b"))
        #expect(try Regex("^baseline-").matches("baseline-dns"))
    }
}

@Suite struct SelectorValidationTests {
    func issues(_ expressions: String) -> [ModelIssue] {
        var p = YAMLParser()
        let text = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  endpointSelector:\n    matchExpressions:\n\(expressions)\n  ingress: [{}]\n"
        let r = Array(text.utf8).withUnsafeBytes { p.parse($0) }
        return ModelDecoder.decode(r.documents[0], file: 0).issues
    }

    @Test func validExpressionsAreAccepted() {
        #expect(issues("      - {key: app, operator: In, values: [a]}\n      - {key: tier, operator: Exists}\n      - {key: x, operator: DoesNotExist}\n      - {key: y, operator: NotIn, values: [b, c]}").isEmpty)
    }

    @Test func invalidExpressionsAreReported() {
        #expect(issues("      - {key: app, operator: In, values: []}").count == 1)
        #expect(issues("      - {key: app, operator: NotIn}").count == 1)
        #expect(issues("      - {key: app, operator: Exists, values: [a]}").count == 1)
        #expect(issues("      - {key: app, operator: DoesNotExist, values: [a]}").count == 1)
    }
}

@Suite struct MergeKeyTests {
    @Test func mergeKeysAreExpandedByTheModel() {
        let text = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: a, namespace: b}
            spec:
              endpointSelector:
                matchExpressions:
                  - &egress
                    key: egress.home.arpa/a
                    operator: In
                    values: ["allow"]
                  - <<: *egress
                    key: egress.home.arpa/b
              ingress: [{}]
            """
        var p = YAMLParser()
        let r = Array(text.utf8).withUnsafeBytes { p.parse($0) }
        let decoded = ModelDecoder.decode(r.documents[0], file: 0)
        #expect(decoded.issues.isEmpty, "\(decoded.issues.map(\.message))")
        let reqs = decoded.objects[0].cilium!.rules[0].endpointSelector!.requirements
        #expect(reqs.map(\.rawKey.value) == ["egress.home.arpa/a", "egress.home.arpa/b"])
        #expect(reqs[1].op == .in && reqs[1].values.map(\.value) == ["allow"])
    }
}
