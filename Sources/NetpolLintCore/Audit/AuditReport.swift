/// The result of `netpol-lint audit` (docs/audit.md): the documented baseline and traffic matrix beside what the
/// repository's policies allow, drift from a live cluster export, and observed Hubble flows. Every renderer (text,
/// markdown, HTML, JSON) reads this one value; none of them evaluates anything.

/// What the policies say about a flow.
public enum AuditVerdict: String, Sendable, Hashable, CaseIterable {
    case allowed, denied, conditional

    public init(_ t: Tri) {
        switch t {
        case .yes: self = .allowed
        case .no: self = .denied
        case .maybe: self = .conditional
        }
    }
}

/// Whether a documented expectation holds.
public enum AuditStatus: String, Sendable, Hashable, CaseIterable {
    case pass, fail, conditional
}

/// What a row or capability expects.
public enum AuditExpectation: String, Sendable, Hashable, CaseIterable {
    case allow, deny

    /// The verdict that satisfies it.
    public var satisfiedBy: AuditVerdict { self == .allow ? .allowed : .denied }
}

/// One policy rule (or policy) that decides a verdict, with where it is written.
public struct AuditEvidence: Sendable, Hashable {
    /// Full kind name: `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, `NetworkPolicy`.
    public var kind: String
    public var namespace: String?
    public var name: String
    /// `egress[0]`, `specs[1].ingressDeny[0]`; nil when the policy as a whole decides (it enforces a direction).
    public var rule: String?
    /// `allows`, `denies` or `enforces` (puts the direction into default-deny without allowing this flow).
    public var effect: String
    /// `egress` or `ingress`.
    public var direction: String
    /// As shown to people (relative to the current directory).
    public var path: String
    public var line: Int
    /// False when the rule decides only if labels, ports or addresses the repository does not fix turn out so.
    public var certain: Bool

    public init(kind: String, namespace: String?, name: String, rule: String?, effect: String, direction: String,
                path: String, line: Int, certain: Bool = true) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.rule = rule
        self.effect = effect
        self.direction = direction
        self.path = path
        self.line = line
        self.certain = certain
    }

    /// `allowed`, `denied` or `enforced`: what the rule did, as a participle (`allowed by …`).
    public var verb: String {
        switch effect {
        case "allows": "allowed"
        case "denies": "denied"
        default: "enforced"
        }
    }

    /// `CiliumNetworkPolicy payments/api-ingress ingress[0] (policies/api.yaml:12)`.
    public var description: String {
        let qualified = (namespace.map { "\($0)/" } ?? "") + name
        return "\(kind) \(qualified)\(rule.map { " \($0)" } ?? "") (\(path):\(line))"
    }
}

/// One evaluated pair of pods (or pod and entity) on one port: the unit every row and capability is made of.
public struct AuditCheck: Sendable, Hashable {
    /// Endpoints as `trace` writes them: `namespace`, `namespace/workload`, `namespace/key=value`, an entity.
    public var from: String
    public var to: String
    /// `5432/TCP`, `any TCP port`.
    public var port: String
    public var verdict: AuditVerdict
    /// Why the verdict is conditional (or, for a refused flow, which side refuses it).
    public var reason: String?
    public var decidedBy: [AuditEvidence]

    public init(from: String, to: String, port: String, verdict: AuditVerdict, reason: String? = nil,
                decidedBy: [AuditEvidence] = []) {
        self.from = from
        self.to = to
        self.port = port
        self.verdict = verdict
        self.reason = reason
        self.decidedBy = decidedBy
    }
}

/// One documented matrix row.
public struct MatrixResult: Sendable, Hashable {
    public var name: String
    /// As the spec names them: `payments/checkout-web`, `dev/*`.
    public var from: String
    public var to: String
    public var port: String
    public var expect: AuditExpectation
    public var verdict: AuditVerdict
    public var status: AuditStatus
    /// Why the status is conditional or failing, in a sentence.
    public var reason: String?
    /// The rules that decide the row (those of the checks that decide the status).
    public var decidedBy: [AuditEvidence]
    /// The pod pairs checked (several when a component or `*` stands for several declared workloads), those that
    /// decide first; at most 20 are kept.
    public var checks: [AuditCheck]
    /// How many pod pairs were checked in all.
    public var checked: Int = 0
    /// The row's line in the spec.
    public var specLine: Int
    /// The file the row is written in when it is not the spec (a markdown table the spec reads).
    public var specPath: String?

    public init(name: String, from: String, to: String, port: String, expect: AuditExpectation, verdict: AuditVerdict,
                status: AuditStatus, reason: String?, decidedBy: [AuditEvidence], checks: [AuditCheck], specLine: Int,
                specPath: String? = nil) {
        self.specPath = specPath
        self.name = name
        self.from = from
        self.to = to
        self.port = port
        self.expect = expect
        self.verdict = verdict
        self.status = status
        self.reason = reason
        self.decidedBy = decidedBy
        self.checks = checks
        self.checked = checks.count
        self.specLine = specLine
    }
}

/// A quantified capability ("every pod of every workload namespace can resolve names").
public struct CapabilityResult: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var from: String
    public var to: String
    public var ports: [String]
    public var expect: AuditExpectation
    public var status: AuditStatus
    public var reason: String?
    /// Pod pairs checked in all (the quantification), of which `gaps` do not meet the expectation.
    public var checked: Int
    /// Pairs that fail or are conditional, with the namespace and workload they concern.
    public var gaps: [CapabilityGap]
    /// With `otherwise: deny`: the pods outside `from` that must be refused, and those that are not.
    public var otherwiseChecked: Int
    public var specLine: Int

    public init(name: String, description: String?, from: String, to: String, ports: [String], expect: AuditExpectation,
                status: AuditStatus, reason: String?, checked: Int, gaps: [CapabilityGap], otherwiseChecked: Int = 0,
                specLine: Int) {
        self.name = name
        self.description = description
        self.from = from
        self.to = to
        self.ports = ports
        self.expect = expect
        self.status = status
        self.reason = reason
        self.checked = checked
        self.gaps = gaps
        self.otherwiseChecked = otherwiseChecked
        self.specLine = specLine
    }
}

public struct CapabilityGap: Sendable, Hashable {
    /// The namespace of the quantified side, and its workload (nil: pods the repository does not declare).
    public var namespace: String?
    public var workload: String?
    /// `expected` (the capability itself) or `otherwise` (a pod outside `from` that `otherwise: deny` must refuse).
    public var clause: String
    public var check: AuditCheck

    public init(namespace: String?, workload: String?, clause: String = "expected", check: AuditCheck) {
        self.namespace = namespace
        self.workload = workload
        self.clause = clause
        self.check = check
    }

    /// The status of this pair against its expectation.
    public var verdict: AuditVerdict { check.verdict }
}

/// An allowed cross-namespace flow that no matrix row or capability documents.
public struct UndocumentedFlow: Sendable, Hashable {
    public var from: String
    public var to: String
    public var fromNamespace: String
    public var toNamespace: String
    public var port: String
    /// `allowed`, or `conditional` when it is allowed only if labels or ports the repository does not fix turn out so.
    public var verdict: AuditVerdict
    public var allowedBy: [AuditEvidence]

    public init(from: String, to: String, fromNamespace: String, toNamespace: String, port: String,
                verdict: AuditVerdict, allowedBy: [AuditEvidence]) {
        self.from = from
        self.to = to
        self.fromNamespace = fromNamespace
        self.toNamespace = toNamespace
        self.port = port
        self.verdict = verdict
        self.allowedBy = allowedBy
    }
}

/// Git against a live cluster export.
public enum DriftChange: String, Sendable, Hashable, CaseIterable {
    case missingInCluster = "missing-in-cluster"
    case missingInGit = "missing-in-git"
    case differs
    case rejectedByCluster = "rejected-by-cluster"
}

public struct FieldDifference: Sendable, Hashable {
    /// `spec.ingress[0].toPorts[0].ports[0].port`, `metadata.labels.team`.
    public var path: String
    /// The value as text (YAML flow style for lists and maps); nil when absent on that side.
    public var git: String?
    public var live: String?

    public init(path: String, git: String?, live: String?) {
        self.path = path
        self.git = git
        self.live = live
    }
}

public struct DriftEntry: Sendable, Hashable {
    public var change: DriftChange
    /// Full kind name.
    public var kind: String
    public var namespace: String?
    public var name: String
    public var fields: [FieldDifference]
    /// For `rejected-by-cluster`: the operator's message.
    public var message: String?
    /// Where the object is in the repository (nil for `missing-in-git`).
    public var path: String?
    public var line: Int?
    /// Where the object is in the live export.
    public var liveLine: Int?

    public init(change: DriftChange, kind: String, namespace: String?, name: String, fields: [FieldDifference] = [],
                message: String? = nil, path: String? = nil, line: Int? = nil, liveLine: Int? = nil) {
        self.change = change
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.fields = fields
        self.message = message
        self.path = path
        self.line = line
        self.liveLine = liveLine
    }
}

/// Flows Hubble observed, grouped by (source, destination, port, observed verdict).
public struct ObservedFlowResult: Sendable, Hashable {
    public var from: String
    public var to: String
    public var port: String
    /// FORWARDED, DROPPED, AUDIT, REDIRECTED, ...
    public var observed: String
    public var count: Int
    /// What the repository's policies say about the same flow.
    public var repoVerdict: AuditVerdict
    /// nil when the repository's answer is conditional (neither agrees nor disagrees).
    public var agrees: Bool?
    /// `POLICY_DENIED`, `POLICY_DENY`, ... for drops.
    public var dropReason: String?
    /// Policies Hubble names (`ingress_allowed_by`, ...), as `Kind namespace/name`.
    public var reportedBy: [String]
    public var decidedBy: [AuditEvidence]
    public var reason: String?

    public init(from: String, to: String, port: String, observed: String, count: Int, repoVerdict: AuditVerdict,
                agrees: Bool?, dropReason: String? = nil, reportedBy: [String] = [], decidedBy: [AuditEvidence] = [],
                reason: String? = nil) {
        self.from = from
        self.to = to
        self.port = port
        self.observed = observed
        self.count = count
        self.repoVerdict = repoVerdict
        self.agrees = agrees
        self.dropReason = dropReason
        self.reportedBy = reportedBy
        self.decidedBy = decidedBy
        self.reason = reason
    }
}

/// How many lines of a flows file were used and why the others were not.
public struct FlowStatistics: Sendable, Hashable {
    public var lines = 0
    public var used = 0
    /// Reason → count: `not a flow (lost_events, node_status)`, `trace event`, `reply`, `not JSON`, ...
    public var skipped: [String: Int] = [:]
    public init() {}
}

/// One namespace × namespace cell of the matrix of what the repository allows.
public struct NamespaceCell: Sendable, Hashable {
    public var from: String
    public var to: String
    /// `allowed` (some flow allowed on `ports`), `denied`, `conditional`, or `open` (neither side enforces: anything
    /// goes, no rule needed).
    public var state: String
    /// Ports with an allowed (or conditional) flow, `any` for every port.
    public var ports: [String]

    public init(from: String, to: String, state: String, ports: [String]) {
        self.from = from
        self.to = to
        self.state = state
        self.ports = ports
    }
}

/// Baseline coverage of one namespace: can its pods resolve names, be probed, be scraped.
public struct NamespaceCoverage: Sendable, Hashable {
    public var namespace: String
    public var platform: Bool
    /// Whether the namespace's pods are in default-deny for each direction (`yes`, `no`, `partly`).
    public var ingressEnforced: String
    public var egressEnforced: String
    public var dns: AuditVerdict
    public var health: AuditVerdict
    /// nil when the convention names no Prometheus.
    public var metrics: AuditVerdict?
    public var workloads: Int

    public init(namespace: String, platform: Bool, ingressEnforced: String, egressEnforced: String, dns: AuditVerdict,
                health: AuditVerdict, metrics: AuditVerdict?, workloads: Int) {
        self.namespace = namespace
        self.platform = platform
        self.ingressEnforced = ingressEnforced
        self.egressEnforced = egressEnforced
        self.dns = dns
        self.health = health
        self.metrics = metrics
        self.workloads = workloads
    }
}

/// `check`'s findings in brief.
public struct FindingsSummary: Sendable, Hashable {
    public var errors = 0
    public var warnings = 0
    public var notes = 0
    /// `NP204 hardcoded-ip` → count, most frequent first.
    public var byRule: [RuleCount] = []
    public init() {}

    public struct RuleCount: Sendable, Hashable {
        public var rule: String
        public var name: String
        public var count: Int
        public init(rule: String, name: String, count: Int) {
            self.rule = rule
            self.name = name
            self.count = count
        }
    }
}

public struct AuditReport: Sendable {
    /// `metadata.name` of the spec, nil without a spec.
    public var specName: String?
    public var specPath: String?
    /// The paths audited, as given.
    public var paths: [String]
    public var preset: String?
    public var matrix: [MatrixResult] = []
    public var capabilities: [CapabilityResult] = []
    public var undocumented: [UndocumentedFlow] = []
    /// The flow enumeration stopped at its budget: `undocumented` is incomplete.
    public var undocumentedTruncated = false
    /// nil without `--live`.
    public var drift: [DriftEntry]? = nil
    public var livePath: String? = nil
    /// nil without `--flows`.
    public var flows: [ObservedFlowResult]? = nil
    public var flowsPath: String? = nil
    public var flowStatistics = FlowStatistics()
    /// Declared namespaces, in order, and the cells of what they allow each other.
    public var namespaces: [String] = []
    public var cells: [NamespaceCell] = []
    public var coverage: [NamespaceCoverage] = []
    public var findings = FindingsSummary()
    /// Things the reader should know (policies left out, assumptions).
    public var notes: [String] = []

    public init(specName: String? = nil, specPath: String? = nil, paths: [String], preset: String? = nil) {
        self.specName = specName
        self.specPath = specPath
        self.paths = paths
        self.preset = preset
    }

    public struct Summary: Sendable, Hashable {
        public var pass = 0
        public var fail = 0
        public var conditional = 0
        public var undocumented = 0
        public var drift = 0
        public var flowsDisagreeing = 0
    }

    /// Rows and capabilities counted by status, plus undocumented flows, drift and disagreeing flows.
    public var summary: Summary {
        var s = Summary()
        for status in matrix.map(\.status) + capabilities.map(\.status) {
            switch status {
            case .pass: s.pass += 1
            case .fail: s.fail += 1
            case .conditional: s.conditional += 1
            }
        }
        s.undocumented = undocumented.count
        s.drift = drift?.count ?? 0
        s.flowsDisagreeing = flows?.filter { $0.agrees == false }.count ?? 0
        return s
    }

    /// Exit status: 0 when every row and capability passes and nothing disagrees (no drift, no observed flow the
    /// repository contradicts), 1 otherwise.
    public var passed: Bool {
        let s = summary
        return s.fail == 0 && s.conditional == 0 && s.drift == 0 && s.flowsDisagreeing == 0
    }
}
