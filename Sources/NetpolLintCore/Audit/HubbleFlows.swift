// Reads `hubble observe -o json` output (one `GetFlowsResponse` per line, or bare Flow objects from the legacy
// output) for `netpol-lint audit --flows` and groups the flows that say something about policy: policy-verdict
// events and policy drops (docs/audit.md, "Observed flows"; Hubble's flow format: https://docs.cilium.io/en/stable/observability/hubble/). Everything else is counted by reason and skipped.
// The file is untrusted: it is streamed through a fixed buffer, lines are bounded, and nothing in it can crash
// the reader.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One side of an observed flow as Hubble reports it.
public struct HubbleEndpoint: Sendable, Hashable {
    /// A pod, a Cilium entity (`reserved:` identity other than world), or an address outside the cluster.
    public enum Kind: Sendable, Hashable { case pod, entity(String), world }

    public var kind: Kind
    public var namespace: String?
    /// Identity labels without their source prefix (`k8s:`, `container:`, ...), the keys below removed.
    public var podLabels: [String: String]
    /// From `k8s:io.cilium.k8s.namespace.labels.<key>=<value>`.
    public var namespaceLabels: [String: String]
    /// From `io.cilium.k8s.policy.serviceaccount`.
    public var serviceAccount: String?
    /// `workloads[0].name`.
    public var workload: String?
    /// `IP.source` or `IP.destination`, for world only (pods and entities group across addresses).
    public var address: String?
    /// For display: `ns/workload`, else `ns/app.kubernetes.io/name=x`, `ns/app=x` or `ns/k8s-app=x`, else `ns`;
    /// an entity's name (`host`, `kube-apiserver`, ...); `world`.
    public var name: String

    public init(kind: Kind, namespace: String? = nil, podLabels: [String: String] = [:],
                namespaceLabels: [String: String] = [:], serviceAccount: String? = nil, workload: String? = nil,
                address: String? = nil, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.podLabels = podLabels
        self.namespaceLabels = namespaceLabels
        self.serviceAccount = serviceAccount
        self.workload = workload
        self.address = address
        self.name = name
    }
}

/// Flows with the same endpoints, destination port, protocol, verdict and drop reason, counted.
public struct HubbleFlowGroup: Sendable {
    public var source: HubbleEndpoint
    public var destination: HubbleEndpoint
    /// The destination port; nil for ICMP.
    public var port: Int?
    /// `TCP`, `UDP`, `SCTP`, `ICMPv4`, `ICMPv6`.
    public var proto: String
    /// `FORWARDED`, `DROPPED`, `AUDIT`, `REDIRECTED`, `ERROR`, ... (`VERDICT_UNKNOWN` when absent).
    public var verdict: String
    /// `drop_reason_desc` (`POLICY_DENIED`, `POLICY_DENY`, ...), or the name of a numeric policy drop reason.
    public var dropReason: String?
    public var count: Int
    /// Distinct policies Hubble names in `egress/ingress_allowed_by/denied_by`, in first-seen order, as
    /// `Kind namespace/name` (`CiliumClusterwideNetworkPolicy name` for a clusterwide policy).
    public var policies: [String]
    /// `INGRESS` and `EGRESS`, as seen in `traffic_direction`.
    public var directions: Set<String>

    public init(source: HubbleEndpoint, destination: HubbleEndpoint, port: Int?, proto: String, verdict: String,
                dropReason: String? = nil, count: Int = 1, policies: [String] = [], directions: Set<String> = []) {
        self.source = source
        self.destination = destination
        self.port = port
        self.proto = proto
        self.verdict = verdict
        self.dropReason = dropReason
        self.count = count
        self.policies = policies
        self.directions = directions
    }
}

/// A flows file that cannot be read at all (as opposed to lines in it that are skipped).
public struct FlowFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `flows.jsonl: error: No such file or directory`.
    public var description: String { "\(path): error: \(message)" }
}

/// Reads Hubble flow exports.
public enum HubbleFlows {
    /// Why lines are skipped, as counted in `FlowStatistics.skipped`.
    public enum SkipReason {
        public static let empty = "empty line"
        public static let notJSON = "not JSON"
        public static let notObject = "not a JSON object"
        public static let tooLong = "line too long"
        public static let notFlow = "not a flow (lost_events or node_status)"
        public static let trace = "trace event"
        public static let l7 = "L7 event"
        public static let otherEvent = "not a policy verdict or drop"
        public static let reply = "reply"
        public static let nonPolicyDrop = "drop not caused by policy"
        public static let noPort = "no port (not TCP/UDP/SCTP/ICMP)"
        public static let tooManyGroups = "too many distinct flows"
    }

    /// Size of the `read(2)` buffer.
    static let chunkSize = 64 * 1024

    /// Reads a flows file. Streams the file: memory does not grow with the file size, only with the number of
    /// distinct groups (at most `maxGroups`; further new groups are skipped) and the longest line kept (a line over
    /// `maxLineBytes` is skipped to its newline without being stored). Fails only when the file cannot be opened or
    /// read, or is not a regular file.
    public static func read(path: String, maxLineBytes: Int = 1 << 20, maxGroups: Int = 100_000)
        -> Result<(groups: [HubbleFlowGroup], statistics: FlowStatistics), FlowFileError> {
        func failure(_ message: String) -> Result<(groups: [HubbleFlowGroup], statistics: FlowStatistics),
                                                  FlowFileError> {
            .failure(FlowFileError(path: path, message: message))
        }
        func osError() -> String { String(cString: strerror(errno)) }
        // O_NONBLOCK: opening a FIFO without a writer must not block; it is refused below.
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return failure(osError()) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return failure(osError()) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return failure("is a directory")
        default: return failure("not a regular file")
        }

        var accumulator = FlowAccumulator(maxGroups: maxGroups)
        let limit = max(0, maxLineBytes)
        var line: [UInt8] = []
        var overlong = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        guard let base = buffer.baseAddress else { return failure("out of memory") }
        while true {
            let n = Glibc.read(fd, base, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                return failure(osError())
            }
            if n == 0 { break }
            var start = 0
            while start < n {
                let newline = memchr(base + start, 0x0A, n - start)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) }
                let end = newline ?? n
                let segment = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                if !overlong {
                    if line.count + segment.count > limit {
                        // Skip to the newline without storing more.
                        overlong = true
                        line.removeAll(keepingCapacity: true)
                    } else if newline != nil && line.isEmpty {
                        // The whole line is in the buffer: parse it in place.
                        accumulator.add(line: segment)
                        start = end + 1
                        continue
                    } else {
                        line.append(contentsOf: segment)
                    }
                }
                guard newline != nil else { break }
                if overlong {
                    accumulator.skip(SkipReason.tooLong)
                    overlong = false
                } else {
                    line.withUnsafeBytes { accumulator.add(line: $0) }
                    line.removeAll(keepingCapacity: true)
                }
                start = end + 1
            }
        }
        // A last line without a newline.
        if overlong {
            accumulator.skip(SkipReason.tooLong)
        } else if !line.isEmpty {
            line.withUnsafeBytes { accumulator.add(line: $0) }
        }
        return .success((accumulator.groups, accumulator.statistics))
    }

    /// Reads lines given one by one (without their newlines); the same logic as `read(path:)`, for tests.
    public static func read(lines: some Sequence<String>) -> (groups: [HubbleFlowGroup], statistics: FlowStatistics) {
        var accumulator = FlowAccumulator(maxGroups: .max)
        for var text in lines {
            text.withUTF8 { accumulator.add(line: UnsafeRawBufferPointer($0)) }
        }
        return (accumulator.groups, accumulator.statistics)
    }
}

// MARK: - Classifying and grouping

/// Counts lines, classifies the flow each carries, and groups the ones that are used.
struct FlowAccumulator {
    private struct Key: Hashable {
        var source: HubbleEndpoint
        var destination: HubbleEndpoint
        var port: Int?
        var proto: String
        var verdict: String
        var dropReason: String?
    }

    private enum Outcome {
        case skipped(String)
        case observed(Key, policies: [String], direction: String?)
    }

    typealias Reason = HubbleFlows.SkipReason

    let maxGroups: Int
    private(set) var groups: [HubbleFlowGroup] = []
    private var index: [Key: Int] = [:]
    private(set) var statistics = FlowStatistics()

    init(maxGroups: Int) { self.maxGroups = max(0, maxGroups) }

    mutating func skip(_ reason: String) {
        statistics.lines += 1
        statistics.skipped[reason, default: 0] += 1
    }

    /// One line, without its newline.
    mutating func add(line: UnsafeRawBufferPointer) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return skip(Reason.empty) }
        guard let json = try? JSON.parse(line) else { return skip(Reason.notJSON) }
        guard json.objectValue != nil else { return skip(Reason.notObject) }
        let flow: JSON
        if let wrapped = json["flow"] {
            // `GetFlowsResponse`: the oneof is `flow`, `node_status` or `lost_events`.
            guard wrapped.objectValue != nil else { return skip(Reason.notFlow) }
            flow = wrapped
        } else if json["lost_events"] == nil && json["node_status"] == nil
                    && (json["verdict"] != nil || json["source"] != nil || json["destination"] != nil
                        || json["event_type"] != nil) {
            // The legacy output: a bare Flow.
            flow = json
        } else {
            return skip(Reason.notFlow)
        }
        switch Self.interpret(flow) {
        case .skipped(let reason):
            skip(reason)
        case .observed(let key, let policies, let direction):
            if let i = index[key] {
                groups[i].count += 1
                for p in policies where !groups[i].policies.contains(p) { groups[i].policies.append(p) }
                if let direction { groups[i].directions.insert(direction) }
            } else {
                guard groups.count < maxGroups else { return skip(Reason.tooManyGroups) }
                index[key] = groups.count
                var distinct: [String] = []
                for p in policies where !distinct.contains(p) { distinct.append(p) }
                groups.append(HubbleFlowGroup(source: key.source, destination: key.destination, port: key.port,
                                              proto: key.proto, verdict: key.verdict, dropReason: key.dropReason,
                                              count: 1, policies: distinct,
                                              directions: direction.map { [$0] } ?? []))
            }
            statistics.lines += 1
            statistics.used += 1
        }
    }

    /// `drop_reason` numbers that mean a policy dropped the packet (`pkg/monitor/api/drop.go`).
    static let policyDropReasons = [133: "POLICY_DENIED", 181: "POLICY_DENY"]

    private static func interpret(_ flow: JSON) -> Outcome {
        let verdict = flow["verdict"]?.stringValue ?? "VERDICT_UNKNOWN"
        let direction = flow["traffic_direction"]?.stringValue.flatMap { $0 == "INGRESS" || $0 == "EGRESS" ? $0 : nil }
        // protojson omits zero values: an `event_type` without `type` is type 0 (unspecified).
        let eventType = flow["event_type"].map { $0["type"]?.intValue ?? 0 }

        let isDrop: Bool
        if let eventType {
            switch eventType {
            case 5: isDrop = false   // policy verdict
            case 1: isDrop = true    // drop
            case 4, 7: return .skipped(Reason.trace)  // trace, socket trace
            case 129: return .skipped(Reason.l7)     // access log
            default: return .skipped(Reason.otherEvent)
            }
        } else {
            let type = flow["Type"]?.stringValue
            if type == "L7" || flow["l7"] != nil { return .skipped(Reason.l7) }
            if type == "SOCK" { return .skipped(Reason.trace) }
            switch verdict {
            case "DROPPED": isDrop = true
            case "FORWARDED", "AUDIT", "REDIRECTED":
                guard direction != nil else { return .skipped(Reason.otherEvent) }
                isDrop = false
            case "TRACED", "TRANSLATED": return .skipped(Reason.trace)
            default: return .skipped(Reason.otherEvent)
            }
        }
        if flow["is_reply"]?.boolValue == true { return .skipped(Reason.reply) }

        // The drop reason: the enum name, else the deprecated number (for drops also `event_type.sub_type`).
        var dropReason = flow["drop_reason_desc"]?.stringValue
        if dropReason == nil || dropReason == "" {
            let number = flow["drop_reason"]?.intValue
                ?? (eventType == 1 ? flow["event_type"]?["sub_type"]?.intValue : nil)
            dropReason = number.flatMap { policyDropReasons[$0] }
        }
        if isDrop && dropReason != "POLICY_DENIED" && dropReason != "POLICY_DENY" {
            return .skipped(Reason.nonPolicyDrop)
        }

        var port: Int?
        var proto = ""
        if let l4 = flow["l4"] {
            for name in ["TCP", "UDP", "SCTP"] {
                if let ports = l4[name] {
                    proto = name
                    port = ports["destination_port"]?.intValue ?? 0  // zero is omitted
                    break
                }
            }
            if proto.isEmpty {
                for name in ["ICMPv4", "ICMPv6"] where l4[name] != nil { proto = name; break }
            }
        }
        if proto.isEmpty { return .skipped(Reason.noPort) }

        let ip = flow["IP"]
        let key = Key(source: endpoint(flow["source"], address: ip?["source"]?.stringValue),
                      destination: endpoint(flow["destination"], address: ip?["destination"]?.stringValue),
                      port: port, proto: proto, verdict: verdict, dropReason: dropReason)
        var policies: [String] = []
        for field in ["egress_allowed_by", "ingress_allowed_by", "egress_denied_by", "ingress_denied_by"] {
            for p in flow[field]?.arrayValue ?? [] {
                if let name = policyName(p) { policies.append(name) }
            }
        }
        return .observed(key, policies: policies, direction: direction)
    }

    /// `Kind namespace/name` from a Hubble `Policy`; the `io.cilium.k8s.policy.*` labels fill in missing fields
    /// (flows before Cilium 1.17 have no `kind`).
    static func policyName(_ policy: JSON) -> String? {
        var fromLabels: [String: String] = [:]
        for label in policy["labels"]?.arrayValue ?? [] {
            guard let text = label.stringValue else { continue }
            let (_, key, value) = splitLabel(text)
            if key.hasPrefix("io.cilium.k8s.policy.") { fromLabels[String(key.dropFirst(21))] = value }
        }
        func field(_ name: String, label: String) -> String? {
            if let v = policy[name]?.stringValue, !v.isEmpty { return v }
            if let v = fromLabels[label], !v.isEmpty { return v }
            return nil
        }
        guard let name = field("name", label: "name") else { return nil }
        let qualified = (field("namespace", label: "namespace").map { "\($0)/" } ?? "") + name
        return field("kind", label: "derived-from").map { "\($0) \(qualified)" } ?? qualified
    }

    /// `source:key=value` → (source, key, value); a label without `:` before its `=` has an empty source.
    static func splitLabel(_ label: String) -> (source: Substring, key: Substring, value: String) {
        var rest = label[...]
        var source: Substring = ""
        let equals = label.firstIndex(of: "=")
        if let colon = label.firstIndex(of: ":"), equals.map({ colon < $0 }) ?? true {
            source = label[..<colon]
            rest = label[label.index(after: colon)...]
        }
        guard let eq = rest.firstIndex(of: "=") else { return (source, rest, "") }
        return (source, rest[..<eq], String(rest[rest.index(after: eq)...]))
    }

    /// An endpoint from a Hubble `Endpoint` and its IP address.
    static func endpoint(_ json: JSON?, address: String?) -> HubbleEndpoint {
        var namespace = json?["namespace"]?.stringValue
        if namespace == "" { namespace = nil }
        var podLabels: [String: String] = [:]
        var namespaceLabels: [String: String] = [:]
        var serviceAccount: String?
        var labelNamespace: String?
        var reserved: [String] = []
        var cidr = false
        for item in json?["labels"]?.arrayValue ?? [] {
            guard let text = item.stringValue else { continue }
            let (source, key, value) = splitLabel(text)
            if key.isEmpty { continue }
            // The source decides reserved identities and CIDRs; any other source's key means what it means in a
            // policy selector: one normalisation (`LabelKey.cilium`).
            switch source {
            case "reserved": reserved.append(String(key))
            case "cidr", "fqdn": cidr = true
            default:
                switch LabelKey.cilium(String(key)) {
                case .namespaceLabel(let k): if namespaceLabels[k] == nil { namespaceLabels[k] = value }
                case .namespaceName:
                    if labelNamespace == nil { labelNamespace = value }
                    if let k = LabelKey.namespaceName.namespaceLabelKey, key.contains(".namespace.labels."), namespaceLabels[k] == nil {
                        namespaceLabels[k] = value
                    }
                case .serviceAccount: if serviceAccount == nil { serviceAccount = value }
                case .cluster: continue
                case .pod(let k), .special(source: _, key: let k): if podLabels[k] == nil { podLabels[k] = value }
                }
            }
        }
        if namespace == nil, let labelNamespace, !labelNamespace.isEmpty { namespace = labelNamespace }
        let workload = json?["workloads"]?[0]?["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }

        // Reserved labels decide first; the most specific entity wins (an API server on a node is labelled both
        // `reserved:host` and `reserved:kube-apiserver`; an external one `reserved:world` too).
        let worldLabels: Set<String> = ["world", "world-ipv4", "world-ipv6"]
        let entity = reserved.contains("kube-apiserver") ? "kube-apiserver"
            : reserved.contains("host") ? "host"
            : reserved.first(where: { !worldLabels.contains($0) })
        let kind: HubbleEndpoint.Kind
        if let entity {
            kind = .entity(entity)
        } else if !reserved.isEmpty || cidr || (namespace == nil && address != nil) {
            kind = .world
        } else if namespace == nil {
            kind = .entity("unknown")  // no namespace, no reserved label, no address: Cilium's identity 0
        } else {
            kind = .pod
        }

        let name: String
        switch kind {
        case .entity(let e): name = e
        case .world: name = "world"
        case .pod:
            let ns = namespace ?? ""
            if let workload {
                name = "\(ns)/\(workload)"
            } else if let key = ["app.kubernetes.io/name", "app", "k8s-app"].first(where: { podLabels[$0] != nil }),
                      let value = podLabels[key] {
                name = "\(ns)/\(key)=\(value)"
            } else {
                name = ns
            }
        }
        return HubbleEndpoint(kind: kind, namespace: namespace, podLabels: podLabels, namespaceLabels: namespaceLabels,
                              serviceAccount: serviceAccount, workload: workload,
                              address: kind == .world ? address : nil, name: name)
    }
}
