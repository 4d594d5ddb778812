import Foundation
import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// Builds Hubble flow lines in the shape `hubble observe -o json` prints (docs/audit.md, "Observed flows").
enum FlowLine {
    static func pod(_ namespace: String, _ labels: [String], workload: String? = nil, serviceAccount: String? = nil,
                    namespaceField: Bool = true) -> String {
        var all = labels.map { "k8s:\($0)" }
        all.append("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=\(namespace)")
        all.append("k8s:io.cilium.k8s.policy.cluster=default")
        if let serviceAccount { all.append("k8s:io.cilium.k8s.policy.serviceaccount=\(serviceAccount)") }
        all.append("k8s:io.kubernetes.pod.namespace=\(namespace)")
        let ns = namespaceField ? #""namespace":"\#(namespace)","# : ""
        let w = workload.map { #","workloads":[{"name":"\#($0)","kind":"Deployment"}]"# } ?? ""
        return #"{"identity":48213,"cluster_name":"default",\#(ns)"labels":[\#(quoted(all))],"pod_name":"p-1"\#(w)}"#
    }

    static func reserved(_ labels: String...) -> String {
        #"{"identity":1,"labels":[\#(quoted(labels))]}"#
    }

    static func quoted(_ items: [String]) -> String { items.map { "\"\($0)\"" }.joined(separator: ",") }

    static let client = pod("payments", ["app.kubernetes.io/name=checkout-web"], workload: "checkout-web",
                            serviceAccount: "checkout-web")
    static let server = pod("payments", ["app.kubernetes.io/name=payments-api"], workload: "payments-api")
    static let tcp8080 = #"{"TCP":{"source_port":51234,"destination_port":8080,"flags":{"SYN":true}}}"#

    static func policy(_ kind: String, _ namespace: String?, _ name: String) -> String {
        let ns = namespace.map { #""namespace":"\#($0)","# } ?? ""
        return #"{"name":"\#(name)",\#(ns)"labels":["k8s:io.cilium.k8s.policy.derived-from=\#(kind)"],"revision":"57","kind":"\#(kind)"}"#
    }

    /// A bare Flow object; nil arguments leave the field out.
    static func flow(verdict: String? = "FORWARDED", eventType: Int? = 5, subType: Int? = nil,
                     direction: String? = "INGRESS", isReply: Bool? = false, dropReason: Int? = nil,
                     dropReasonDesc: String? = nil, l4: String? = tcp8080, source: String = client,
                     destination: String = server, sourceIP: String = "10.0.2.47",
                     destinationIP: String = "10.0.1.183", allowedBy: [String] = [], extra: String = "") -> String {
        var f: [String] = [#""time":"2026-09-14T08:12:41.318275612Z""#]
        if let verdict { f.append(#""verdict":"\#(verdict)""#) }
        if let dropReason { f.append(#""drop_reason":\#(dropReason)"#) }
        f.append(#""IP":{"source":"\#(sourceIP)","destination":"\#(destinationIP)","ipVersion":"IPv4"}"#)
        if let l4 { f.append(#""l4":\#(l4)"#) }
        f.append(#""source":\#(source)"#)
        f.append(#""destination":\#(destination)"#)
        f.append(#""Type":"L3_L4","node_name":"prod-eu1/worker-1""#)
        if let eventType {
            f.append(#""event_type":{"type":\#(eventType)\#(subType.map { ",\"sub_type\":\($0)" } ?? "")}"#)
        }
        if let direction { f.append(#""traffic_direction":"\#(direction)""#) }
        if let isReply { f.append(#""is_reply":\#(isReply)"#) }
        if let dropReasonDesc { f.append(#""drop_reason_desc":"\#(dropReasonDesc)""#) }
        f.append(#""Summary":"TCP Flags: SYN""#)
        if !allowedBy.isEmpty {
            let key = direction == "EGRESS" ? "egress_allowed_by" : "ingress_allowed_by"
            f.append(#""\#(key)":[\#(allowedBy.joined(separator: ","))]"#)
        }
        if !extra.isEmpty { f.append(extra) }
        return "{" + f.joined(separator: ",") + "}"
    }

    static func envelope(_ flow: String) -> String {
        #"{"flow":\#(flow),"node_name":"prod-eu1/worker-1","time":"2026-09-14T08:12:41.318275612Z"}"#
    }

    static func policyDrop(port: Int = 9090) -> String {
        envelope(flow(verdict: "DROPPED", eventType: 1, subType: 133, isReply: nil, dropReason: 133,
                      dropReasonDesc: "POLICY_DENIED",
                      l4: #"{"TCP":{"source_port":40712,"destination_port":\#(port),"flags":{"SYN":true}}}"#))
    }
}

@Suite struct HubbleFlowsTests {
    typealias Reason = HubbleFlows.SkipReason

    func writeFile(_ content: String) -> (dir: String, path: String) {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/flows.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
        return (dir, path)
    }

    func readFile(_ content: String, maxLineBytes: Int = 1 << 20,
                  maxGroups: Int = 100_000) throws -> (groups: [HubbleFlowGroup], statistics: FlowStatistics) {
        let (dir, path) = writeFile(content)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try HubbleFlows.read(path: path, maxLineBytes: maxLineBytes, maxGroups: maxGroups).get()
    }

    // MARK: the shared sample

    @Test func sharedSample() throws {
        guard let shared = TestSupport.requireShared("the Hubble sample") else { return }
        let path = shared + "/research/audit/hubble-sample.jsonl"
        let (groups, stats) = try HubbleFlows.read(path: path).get()
        #expect(stats.lines == 3)
        #expect(stats.used == 3)
        #expect(stats.skipped.isEmpty)
        try #require(groups.count == 3)

        let ingress = groups[0]
        #expect(ingress.source.name == "payments/checkout-web")
        #expect(ingress.source.kind == .pod)
        #expect(ingress.source.namespace == "payments")
        #expect(ingress.source.podLabels == ["app.kubernetes.io/name": "checkout-web"])
        #expect(ingress.source.namespaceLabels == ["kubernetes.io/metadata.name": "payments",
                                                   "platform.example.com/tier": "workload"])
        #expect(ingress.source.serviceAccount == "checkout-web")
        #expect(ingress.source.workload == "checkout-web")
        #expect(ingress.source.address == nil)
        #expect(ingress.destination.name == "payments/payments-api")
        #expect(ingress.port == 8080 && ingress.proto == "TCP")
        #expect(ingress.verdict == "FORWARDED" && ingress.dropReason == nil)
        #expect(ingress.count == 1)
        #expect(ingress.policies == ["CiliumNetworkPolicy payments/payments-api-ingress"])
        #expect(ingress.directions == ["INGRESS"])

        let drop = groups[1]
        #expect(drop.source.name == "monitoring/prometheus-kube-prometheus-stack-prometheus")
        #expect(drop.source.podLabels["app.kubernetes.io/instance"] == "kube-prometheus-stack-prometheus")
        #expect(drop.destination.name == "payments/payments-api")
        #expect(drop.port == 9090 && drop.proto == "TCP")
        #expect(drop.verdict == "DROPPED" && drop.dropReason == "POLICY_DENIED")
        #expect(drop.policies.isEmpty)
        #expect(drop.directions == ["INGRESS"])

        let dns = groups[2]
        #expect(dns.destination.name == "kube-system/coredns")
        #expect(dns.destination.podLabels == ["k8s-app": "kube-dns"])
        #expect(dns.destination.serviceAccount == "coredns")
        #expect(dns.port == 53 && dns.proto == "UDP")
        #expect(dns.policies == ["CiliumClusterwideNetworkPolicy baseline-allow-dns"])
        #expect(dns.directions == ["EGRESS"])
    }

    // MARK: forms and skip reasons

    @Test func envelopeAndBareFormsAreTheSameFlow() {
        let bare = FlowLine.flow()
        let (groups, stats) = HubbleFlows.read(lines: [FlowLine.envelope(bare), bare])
        #expect(stats.lines == 2 && stats.used == 2)
        #expect(groups.count == 1)
        #expect(groups.first?.count == 2)
    }

    @Test func skippedLinesAreCountedByReason() {
        let lines = [
            "",
            "  \t\r",
            "not json at all",
            "\u{1}\u{2}garbage{",
            "[1,2]",
            #"{"flow":42}"#,
            #"{}"#,
            #"{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":1},"node_name":"n"}"#,
            #"{"node_status":{"state_change":"NODE_CONNECTED","node_names":["n"]},"node_name":"n"}"#,
            FlowLine.envelope(FlowLine.flow(eventType: 4, direction: nil, isReply: nil,
                                            extra: #""trace_observation_point":"TO_ENDPOINT""#)),
            FlowLine.envelope(FlowLine.flow(eventType: 129, extra: #""l7":{"type":"REQUEST","dns":{"query":"x."}}"#)),
            FlowLine.envelope(FlowLine.flow(verdict: "FORWARDED", eventType: nil, direction: "EGRESS",
                                            extra: #""l7":{"type":"RESPONSE"}"#)),
            FlowLine.envelope(FlowLine.flow(isReply: true)),
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", eventType: 1, subType: 132, isReply: nil,
                                            dropReason: 132, dropReasonDesc: "STALE_OR_UNROUTABLE_IP")),
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", eventType: 1, isReply: nil, dropReasonDesc: "CT_NO_MAP_FOUND")),
            FlowLine.envelope(FlowLine.flow(l4: #"{"VRRP":{"type":1}}"#)),
            FlowLine.envelope(FlowLine.flow(l4: nil)),
            FlowLine.envelope(FlowLine.flow(eventType: 130)),
            FlowLine.envelope(FlowLine.flow(verdict: "FORWARDED", eventType: nil, direction: nil)),
            FlowLine.envelope(FlowLine.flow(verdict: "TRACED", eventType: nil)),
            String(FlowLine.envelope(FlowLine.flow()).dropLast(7)),  // truncated
        ]
        let (groups, stats) = HubbleFlows.read(lines: lines)
        #expect(groups.isEmpty)
        #expect(stats.used == 0)
        #expect(stats.lines == lines.count)
        #expect(stats.skipped == [
            Reason.empty: 2,
            Reason.notJSON: 3,
            Reason.notObject: 1,
            Reason.notFlow: 4,
            Reason.trace: 2,
            Reason.l7: 2,
            Reason.reply: 1,
            Reason.nonPolicyDrop: 2,
            Reason.noPort: 2,
            Reason.otherEvent: 2,
        ])
        #expect(Reason.notFlow == "not a flow (lost_events or node_status)")
        #expect(Reason.tooManyGroups == "too many distinct flows")
    }

    @Test func verdictsAndDropReasons() throws {
        let lines = [
            FlowLine.envelope(FlowLine.flow(verdict: "AUDIT")),
            FlowLine.envelope(FlowLine.flow(verdict: "REDIRECTED", direction: "EGRESS")),
            FlowLine.policyDrop(),
            // An explicit deny, known only by number (before drop_reason_desc).
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", eventType: 1, subType: 181, isReply: nil,
                                            dropReason: 181, l4: #"{"UDP":{"source_port":1,"destination_port":5353}}"#)),
            // Only event_type.sub_type names the reason.
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", eventType: 1, subType: 133, isReply: nil,
                                            l4: #"{"SCTP":{"source_port":1,"destination_port":3868}}"#)),
            // A policy verdict that denies.
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", dropReason: 181, dropReasonDesc: "POLICY_DENY",
                                            l4: #"{"TCP":{"source_port":1,"destination_port":22}}"#)),
            // No event_type: decided by the verdict.
            FlowLine.flow(verdict: "DROPPED", eventType: nil, isReply: nil, dropReasonDesc: "POLICY_DENIED",
                          l4: #"{"TCP":{"source_port":1,"destination_port":23}}"#),
            FlowLine.flow(verdict: "FORWARDED", eventType: nil, l4: #"{"TCP":{"source_port":1,"destination_port":24}}"#),
            // ICMP has no port.
            FlowLine.envelope(FlowLine.flow(l4: #"{"ICMPv4":{"type":8}}"#)),
            FlowLine.envelope(FlowLine.flow(l4: #"{"ICMPv6":{"type":128}}"#)),
            // Zero values are omitted: a TCP flow without destination_port is port 0.
            FlowLine.envelope(FlowLine.flow(verdict: "ERROR", l4: #"{"TCP":{"source_port":1}}"#)),
        ]
        let (groups, stats) = HubbleFlows.read(lines: lines)
        #expect(stats.used == lines.count, "\(stats.skipped)")
        let summary = groups.map { "\($0.verdict) \($0.dropReason ?? "-") \($0.port.map(String.init) ?? "-")/\($0.proto)" }
        #expect(summary == [
            "AUDIT - 8080/TCP",
            "REDIRECTED - 8080/TCP",
            "DROPPED POLICY_DENIED 9090/TCP",
            "DROPPED POLICY_DENY 5353/UDP",
            "DROPPED POLICY_DENIED 3868/SCTP",
            "DROPPED POLICY_DENY 22/TCP",
            "DROPPED POLICY_DENIED 23/TCP",
            "FORWARDED - 24/TCP",
            "FORWARDED - -/ICMPv4",
            "FORWARDED - -/ICMPv6",
            "ERROR - 0/TCP",
        ])
        #expect(groups[1].directions == ["EGRESS"])
        #expect(groups[2].directions == ["INGRESS"])
        // A missing verdict is VERDICT_UNKNOWN.
        let unknown = HubbleFlows.read(lines: [FlowLine.envelope(FlowLine.flow(verdict: nil))])
        #expect(unknown.groups.first?.verdict == "VERDICT_UNKNOWN")
    }

    // MARK: endpoints

    func source(_ endpoint: String, ip: String = "192.0.2.10") -> HubbleEndpoint? {
        HubbleFlows.read(lines: [FlowLine.envelope(FlowLine.flow(source: endpoint, sourceIP: ip))]).groups.first?.source
    }

    @Test func reservedIdentities() throws {
        let host = try #require(source(FlowLine.reserved("reserved:host")))
        #expect(host.kind == .entity("host") && host.name == "host" && host.namespace == nil && host.address == nil)

        let world = try #require(source(FlowLine.reserved("reserved:world"), ip: "203.0.113.5"))
        #expect(world.kind == .world && world.name == "world" && world.address == "203.0.113.5")
        #expect(source(FlowLine.reserved("reserved:world-ipv4"))?.kind == .world)
        #expect(source(FlowLine.reserved("reserved:world-ipv6"))?.kind == .world)
        #expect(source(FlowLine.reserved("cidr:203.0.113.0/24", "reserved:world"))?.kind == .world)
        #expect(source(FlowLine.reserved("cidr:203.0.113.0/24"))?.kind == .world)
        #expect(source(FlowLine.reserved("fqdn:*.example.com", "reserved:world"))?.kind == .world)
        // No namespace, no reserved label, an address: outside the cluster.
        #expect(source(#"{"identity":16777217}"#)?.kind == .world)
        #expect(source(#"{"identity":16777217}"#)?.address == "192.0.2.10")

        let api = try #require(source(FlowLine.reserved("reserved:kube-apiserver")))
        #expect(api.kind == .entity("kube-apiserver") && api.name == "kube-apiserver")
        // An API server on a node (or outside the cluster) is labelled host (or world) too: the API server wins.
        #expect(source(FlowLine.reserved("reserved:host", "reserved:kube-apiserver"))?.kind == .entity("kube-apiserver"))
        #expect(source(FlowLine.reserved("reserved:kube-apiserver", "reserved:world"))?.kind == .entity("kube-apiserver"))
        for entity in ["remote-node", "health", "init", "ingress", "unmanaged"] {
            #expect(source(FlowLine.reserved("reserved:\(entity)"))?.kind == .entity(entity))
            #expect(source(FlowLine.reserved("reserved:\(entity)"))?.name == entity)
        }
        // A namespaced endpoint with a reserved label: the reserved label decides.
        let ingress = try #require(source(#"{"identity":8,"namespace":"ingress-nginx","labels":["reserved:ingress","k8s:app=x"]}"#))
        #expect(ingress.kind == .entity("ingress") && ingress.name == "ingress")
    }

    @Test func endpointNamesAndLabels() throws {
        let workload = try #require(source(FlowLine.client))
        #expect(workload.name == "payments/checkout-web")
        let byName = try #require(source(FlowLine.pod("shop", ["app.kubernetes.io/name=cart", "app=other", "k8s-app=x"])))
        #expect(byName.name == "shop/app.kubernetes.io/name=cart")
        #expect(source(FlowLine.pod("shop", ["app=cart", "k8s-app=x", "tier=web"]))?.name == "shop/app=cart")
        #expect(source(FlowLine.pod("shop", ["k8s-app=cart", "tier=web"]))?.name == "shop/k8s-app=cart")
        let plain = try #require(source(FlowLine.pod("shop", ["tier=web"], serviceAccount: "default")))
        #expect(plain.name == "shop")
        #expect(plain.kind == .pod)
        #expect(plain.podLabels == ["tier": "web"])
        #expect(plain.namespaceLabels == ["kubernetes.io/metadata.name": "shop"])
        #expect(plain.serviceAccount == "default")
        #expect(plain.workload == nil)
        // Other label sources are stripped too; the namespace label stands in for a missing namespace field.
        let container = try #require(source(
            #"{"identity":9,"labels":["container:io.kubernetes.pod.namespace=batch","container:job=nightly","k8s:team=data"]}"#))
        #expect(container.kind == .pod && container.namespace == "batch")
        #expect(container.podLabels == ["job": "nightly", "team": "data"])
        #expect(container.name == "batch")
        // Pods group across addresses; labels with values containing '=' and ':' stay whole.
        let odd = try #require(source(FlowLine.pod("x", ["a=b=c", "url=http://h:1"])))
        #expect(odd.podLabels == ["a": "b=c", "url": "http://h:1"])
        #expect(odd.address == nil)
        // Junk in endpoint fields is ignored, not fatal.
        let junk = try #require(source(#"{"namespace":7,"labels":[1,null,"k8s:app=y",""],"workloads":"w"}"#))
        #expect(junk.podLabels == ["app": "y"])
        #expect(junk.kind == .world)
    }

    @Test func policyReferences() {
        let lines = [
            FlowLine.envelope(FlowLine.flow(allowedBy: [FlowLine.policy("CiliumNetworkPolicy", "payments", "api"),
                                                        FlowLine.policy("CiliumClusterwideNetworkPolicy", nil, "base")])),
            // Before 1.17: no kind, the derived-from label says it.
            FlowLine.envelope(FlowLine.flow(allowedBy: [
                #"{"name":"np","namespace":"payments","labels":["k8s:io.cilium.k8s.policy.derived-from=NetworkPolicy"]}"#,
                #"{"labels":["k8s:io.cilium.k8s.policy.name=from-labels","k8s:io.cilium.k8s.policy.namespace=payments"]}"#,
                #"{"namespace":"payments"}"#,
                FlowLine.policy("CiliumNetworkPolicy", "payments", "api"),
            ])),
            FlowLine.envelope(FlowLine.flow(verdict: "DROPPED", dropReasonDesc: "POLICY_DENY",
                                            extra: #""ingress_denied_by":[\#(FlowLine.policy("CiliumNetworkPolicy", "payments", "deny-ssh"))]"#)),
        ]
        let (groups, _) = HubbleFlows.read(lines: lines)
        #expect(groups.count == 2)
        #expect(groups.first?.count == 2)
        #expect(groups.first?.policies == ["CiliumNetworkPolicy payments/api", "CiliumClusterwideNetworkPolicy base",
                                           "NetworkPolicy payments/np", "payments/from-labels"])
        #expect(groups.last?.policies == ["CiliumNetworkPolicy payments/deny-ssh"])
    }

    // MARK: grouping

    @Test func repeatedFlowsAreGroupedInFirstSeenOrder() throws {
        let other = FlowLine.pod("shop", ["app=cart"])
        let lines = [
            FlowLine.envelope(FlowLine.flow()),
            FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":2,"destination_port":9000}}"#)),
            // Same group: another source port, another pod of the workload, the egress verdict of the same connection.
            FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":3,"destination_port":8080}}"#, sourceIP: "10.0.9.9")),
            FlowLine.envelope(FlowLine.flow(direction: "EGRESS")),
            FlowLine.envelope(FlowLine.flow(source: other)),
            FlowLine.envelope(FlowLine.flow(l4: #"{"UDP":{"source_port":2,"destination_port":8080}}"#)),
            FlowLine.policyDrop(port: 8080),
            FlowLine.envelope(FlowLine.flow()),
            // World destinations stay apart by address.
            FlowLine.envelope(FlowLine.flow(destination: FlowLine.reserved("reserved:world"), destinationIP: "198.51.100.1")),
            FlowLine.envelope(FlowLine.flow(destination: FlowLine.reserved("reserved:world"), destinationIP: "198.51.100.2")),
            FlowLine.envelope(FlowLine.flow(destination: FlowLine.reserved("reserved:world"), destinationIP: "198.51.100.1")),
        ]
        let (groups, stats) = HubbleFlows.read(lines: lines)
        #expect(stats.used == lines.count)
        let summary = groups.map { "\($0.source.name) > \($0.destination.name)\($0.destination.address.map { "@\($0)" } ?? "") "
            + "\($0.port ?? -1)/\($0.proto) \($0.verdict) x\($0.count)" }
        #expect(summary == [
            "payments/checkout-web > payments/payments-api 8080/TCP FORWARDED x4",
            "payments/checkout-web > payments/payments-api 9000/TCP FORWARDED x1",
            "shop/app=cart > payments/payments-api 8080/TCP FORWARDED x1",
            "payments/checkout-web > payments/payments-api 8080/UDP FORWARDED x1",
            "payments/checkout-web > payments/payments-api 8080/TCP DROPPED x1",
            "payments/checkout-web > world@198.51.100.1 8080/TCP FORWARDED x2",
            "payments/checkout-web > world@198.51.100.2 8080/TCP FORWARDED x1",
        ])
        #expect(groups[0].directions == ["INGRESS", "EGRESS"])
        #expect(groups.map(\.count).reduce(0, +) == stats.used)
    }

    @Test func tooManyDistinctFlows() throws {
        let lines = (0..<5).map { port in
            FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":1,"destination_port":\#(port + 1)}}"#))
        } + [FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":1,"destination_port":1}}"#))]
        let (groups, stats) = try readFile(lines.joined(separator: "\n") + "\n", maxGroups: 2)
        #expect(groups.map(\.port) == [1, 2])
        #expect(groups.first?.count == 2)
        #expect(stats.lines == 6 && stats.used == 3)
        #expect(stats.skipped == [Reason.tooManyGroups: 3])
    }

    // MARK: files

    @Test func fileLinesAcrossBufferBoundariesCRLFAndNoFinalNewline() throws {
        // ~1,000 lines of ~1.3 KB: many straddle the 64 KiB read buffer.
        var content = ""
        for i in 0..<1000 {
            let port = i % 3 + 1
            content += FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":\#(i),"destination_port":\#(port)}}"#))
            content += i % 10 == 0 ? "\r\n" : "\n"
        }
        content += "\n"  // an empty line
        content += FlowLine.envelope(FlowLine.flow())  // last line without a newline
        let (groups, stats) = try readFile(content)
        #expect(stats.lines == 1002)
        #expect(stats.used == 1001)
        #expect(stats.skipped == [Reason.empty: 1])
        #expect(groups.map(\.port) == [1, 2, 3, 8080])
        #expect(groups.map(\.count) == [334, 333, 333, 1])
    }

    @Test func longLinesAreSkippedToTheirNewline() throws {
        let padding = String(repeating: "x", count: 200_000)
        let long = FlowLine.envelope(FlowLine.flow(extra: #""pad":"\#(padding)""#))  // ~201 KB, 4 buffers
        let short = FlowLine.envelope(FlowLine.flow())
        let content = [short, long, short, long].joined(separator: "\n")  // the last long line has no newline
        let (groups, stats) = try readFile(content, maxLineBytes: 100_000)
        #expect(stats.lines == 4 && stats.used == 2)
        #expect(stats.skipped == [Reason.tooLong: 2])
        #expect(groups.first?.count == 2)
        // Under the default limit the same lines are used, even though they are longer than the read buffer.
        let (_, all) = try readFile(content)
        #expect(all.lines == 4 && all.used == 4)
        // A line exactly at the limit is kept; one byte more is not.
        let exact = try readFile(short + "\n", maxLineBytes: short.utf8.count)
        #expect(exact.statistics.used == 1)
        let over = try readFile(short + "\n", maxLineBytes: short.utf8.count - 1)
        #expect(over.statistics.skipped == [Reason.tooLong: 1])
    }

    @Test func truncatedLastLineAndGarbageBytes() throws {
        let good = FlowLine.envelope(FlowLine.flow())
        var bytes = Array((good + "\n").utf8)
        bytes += [0xFF, 0xFE, 0x00, 0x0A, 0x7B, 0x0A]  // binary junk, then "{"
        bytes += Array(good.utf8.prefix(good.utf8.count / 2))
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/flows.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let (groups, stats) = try HubbleFlows.read(path: path).get()
        #expect(stats.lines == 4 && stats.used == 1)
        #expect(stats.skipped == [Reason.notJSON: 3])
        #expect(groups.count == 1)
    }

    @Test func emptyFile() throws {
        let (groups, stats) = try readFile("")
        #expect(groups.isEmpty && stats.lines == 0 && stats.used == 0)
    }

    @Test func missingFile() {
        let path = "/nonexistent-\(getpid())/flows.jsonl"
        guard case .failure(let e) = HubbleFlows.read(path: path) else { Issue.record("read a missing file"); return }
        #expect(e.path == path)
        #expect(e.message == "No such file or directory")
        #expect(e.description == "\(path): error: No such file or directory")
    }

    @Test func directoryIsRefused() {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard case .failure(let e) = HubbleFlows.read(path: dir) else { Issue.record("read a directory"); return }
        #expect(e.message == "is a directory")
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/flows.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        // No writer: a blocking open would wait forever.
        guard case .failure(let e) = HubbleFlows.read(path: path) else { Issue.record("read a FIFO"); return }
        #expect(e.message == "not a regular file")
    }

    @Test func unreadableFile() throws {
        guard getuid() != 0 else { return }  // root reads anything
        let (dir, path) = writeFile(FlowLine.envelope(FlowLine.flow()))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(chmod(path, 0) == 0)
        guard case .failure(let e) = HubbleFlows.read(path: path) else { Issue.record("read a mode-0 file"); return }
        #expect(e.message == "Permission denied")
    }

    // MARK: memory

    @Test func memoryDoesNotGrowWithTheFileSize() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/big.jsonl"
        // ~1 MiB of lines (four distinct flows), written 200 times.
        var block = ""
        var linesPerBlock = 0
        while block.utf8.count < 1 << 20 {
            let port = linesPerBlock % 4 + 1
            block += FlowLine.envelope(FlowLine.flow(l4: #"{"TCP":{"source_port":40000,"destination_port":\#(port)}}"#))
            block += "\n"
            linesPerBlock += 1
        }
        // Under a sanitizer (scripts/sanitizers.sh) the file is smaller and memory is not measured: AddressSanitizer
        // keeps freed memory resident in its quarantine.
        let sanitizer = ProcessInfo.processInfo.environment["NETPOL_LINT_SANITIZER"] != nil
        let blocks = sanitizer ? 20 : 200
        guard let file = fopen(path, "w") else { Issue.record("cannot create \(path)"); return }
        let bytes = Array(block.utf8)
        for _ in 0..<blocks { _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } }
        fclose(file)

        let (groups, stats) = try HubbleFlows.read(path: path).get()
        #expect(stats.lines == linesPerBlock * blocks)
        #expect(stats.used == stats.lines)
        #expect(groups.count == 4)
        #expect(groups.map(\.count).reduce(0, +) == linesPerBlock * blocks)
        guard !sanitizer else { return }

        // The memory is measured in a child process (`audit --flows`), against the same run over one block: the peak
        // of this test process also counts the tests that run beside it.
        try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n".write(toFile: dir + "/ns.yaml", atomically: true,
                                                                                encoding: .utf8)
        try block.write(toFile: dir + "/small.jsonl", atomically: true, encoding: .utf8)
        guard let small = MeasuredRun.netpolLint(["audit", "--flows", "small.jsonl", "--format", "json", "."], in: dir),
              let big = MeasuredRun.netpolLint(["audit", "--flows", "big.jsonl", "--format", "json", "."], in: dir) else { return }
        #expect(small.status == 0 && big.status == 0, "\(small.ending) \(big.ending): \(big.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(big.stdout.utf8)) as? [String: Any]
        let counted = (report?["flows"] as? [[String: Any]])?.compactMap { $0["count"] as? Int }.reduce(0, +)
        #expect(counted == linesPerBlock * blocks, "every line of the big file was read: \(String(describing: counted))")
        guard let smallPeak = small.maxRSS, let bigPeak = big.maxRSS else {
            MeasuredRun.expectPeak(big, atMost: 1 << 20, "audit --flows")   // says SKIPPED (or fails when tools are required)
            return
        }
        let grown = (bigPeak - smallPeak) >> 10
        #expect(grown < 64 * 1024, "peak RSS grew by \(grown) KiB reading \(bytes.count * blocks) bytes instead of \(bytes.count)")
    }
}
