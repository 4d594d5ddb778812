/// Three-valued truth: selectors are evaluated against endpoints whose labels may be only partly known (an endpoint
/// built from a selector knows the labels that selector names, nothing else).
public enum Tri: Sendable, Hashable {
    case no, maybe, yes

    public static func && (a: Tri, b: @autoclosure () -> Tri) -> Tri {
        if a == .no { return .no }
        let r = b()
        if r == .no { return .no }
        return a == .yes && r == .yes ? .yes : .maybe
    }

    public static func || (a: Tri, b: @autoclosure () -> Tri) -> Tri {
        if a == .yes { return .yes }
        let r = b()
        if r == .yes { return .yes }
        return a == .maybe || r == .maybe ? .maybe : .no
    }

    public var possible: Bool { self != .no }
}

/// One requirement of a `Selector` on a normalised label key.
public struct Requirement: Sendable, Hashable {
    public let key: LabelKey
    public let op: SelectorOperator
    public let values: Set<String>
    /// A Flux `${var}` value: its text is not known until deployment.
    let isSymbolic: Bool
    /// The only value, when there is exactly one: compared without hashing.
    let single: String?
    /// `io.kubernetes.pod.namespace` Exists: true of every pod (`Selector.matches` passes over it).
    let everyPod: Bool
    /// On the namespace's name (`Selector.matches` reads these first).
    let onNamespaceName: Bool

    /// A requirement as written in a manifest.
    public init(_ r: LabelRequirement) { self.init(r.key, r.op, Set(r.values.map(\.value))) }

    public init(_ key: LabelKey, _ op: SelectorOperator, _ values: Set<String> = []) {
        self.key = key
        self.op = op
        self.values = values
        self.isSymbolic = values.contains { $0.hasSubstitution }
        self.single = values.count == 1 ? values.first : nil
        self.onNamespaceName = key == .namespaceName
        self.everyPod = onNamespaceName && op == .exists
    }

    /// This requirement on a label that has `value` (nil: the label is absent).
    public func evaluate(_ value: String?) -> Bool {
        switch op {
        case .in:
            guard let value else { return false }
            if let single { return value == single }
            return values.contains(value)
        case .notIn:
            guard let value else { return true }
            if let single { return value != single }
            return !values.contains(value)
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    /// Every label value satisfying `other` satisfies `self` (both on the same key).
    func isImplied(by other: Requirement) -> Bool {
        switch (op, other.op) {
        case (.in, .in): other.values.isSubset(of: values)
        case (.notIn, .in): other.values.isDisjoint(with: values)
        case (.notIn, .notIn): values.isSubset(of: other.values)
        case (.notIn, .doesNotExist), (.doesNotExist, .doesNotExist): true
        case (.exists, .in), (.exists, .exists): true
        default: false
        }
    }
}

/// A label selector with its meaning made explicit: a conjunction of requirements over the pod's labels and its
/// namespace (name and labels), the namespace Cilium or Kubernetes adds implicitly included (docs/semantics.md;
/// https://docs.cilium.io/en/stable/security/policy/language/#endpoints-based). `reserved` is set for a Cilium `reserved:<entity>` selector, which selects that identity, not pods.
public struct Selector: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [Requirement]
    public var reserved: String?

    public init(_ requirements: [Requirement], reserved: String? = nil) {
        self.requirements = requirements
        self.reserved = reserved
    }

    /// Every pod in every namespace.
    public static let allPods = Selector([Requirement(.namespaceName, .exists)])

    /// Pods in one namespace.
    public static func namespace(_ name: String) -> Selector { Selector([Requirement(.namespaceName, .in, [name])]) }

    /// A Cilium endpoint selector. `namespace` is the CNP's namespace (nil for a CCNP). `subject` is true for the
    /// policy's `endpointSelector` (whose namespace Cilium always forces), false for a from/toEndpoints peer (which
    /// keeps a namespace it names itself, or a namespace-label key, since Cilium 1.16).
    public static func cilium(_ s: LabelSelector, namespace: String?, subject: Bool) -> Selector {
        var reqs: [Requirement] = []
        var reserved: String?
        for r in s.requirements {
            if case .special("reserved", let entity) = r.key {
                reserved = entity
                continue
            }
            reqs.append(Requirement(r))
        }
        if let reserved { return Selector([], reserved: reserved) }
        let namesNamespace = reqs.contains { $0.key == .namespaceName }
        let namesNamespaceLabel = reqs.contains { if case .namespaceLabel = $0.key { true } else { false } }
        if let namespace {
            if subject {
                reqs.removeAll { $0.key == .namespaceName }
                reqs.append(Requirement(.namespaceName, .in, [namespace]))
            } else if !namesNamespace && !namesNamespaceLabel {
                reqs.append(Requirement(.namespaceName, .in, [namespace]))
            }
        } else if !namesNamespace {
            // A CCNP: only Cilium-managed pods, in any namespace.
            reqs.append(Requirement(.namespaceName, .exists))
        }
        return Selector(reqs)
    }

    /// A Kubernetes NetworkPolicy peer (or the policy's `podSelector` when `namespaceSelector` is nil and `pod` is
    /// set): pods matching `pod` in the policy's namespace, or in the namespaces matching `namespaceSelector`.
    public static func kubernetes(pod: LabelSelector?, namespaceSelector: LabelSelector?, namespace: String) -> Selector {
        var reqs: [Requirement] = []
        for r in (pod?.requirements ?? []) + (namespaceSelector?.requirements ?? []) {
            reqs.append(Requirement(r))
        }
        if namespaceSelector == nil {
            reqs.append(Requirement(.namespaceName, .in, [namespace]))
        } else {
            reqs.append(Requirement(.namespaceName, .exists))
        }
        return Selector(reqs)
    }

    /// Whether the endpoint is selected. `.maybe` when the answer depends on labels the endpoint does not define.
    public func matches(_ e: Endpoint) -> Tri {
        if let reserved {
            if reserved == "world" { return e.isWorld ? .yes : .no }
            guard case .entity(let entity) = e.kind else { return .no }
            return entity == reserved ? .yes : .no
        }
        guard case .pod = e.kind else { return .no }
        // Requirements read in place (`requirements[i]`): no copy per requirement.
        return requirements.withUnsafeBufferPointer { requirements in
            // The namespace's name first: most selectors name theirs, and most endpoints asked about are elsewhere —
            // a quick no before any label is looked up. (Order does not change the answer: any failed requirement
            // makes it no.)
            if let namespace = e.namespace {
                for i in requirements.indices where requirements[i].onNamespaceName && !requirements[i].isSymbolic {
                    if !requirements[i].evaluate(namespace) { return .no }
                }
            }
            var result = Tri.yes
            for i in requirements.indices {
                // Every pod has a namespace, known or not.
                if requirements[i].everyPod { continue }
                switch e.label(requirements[i].key) {
                case .known(nil):
                    // Absent: the answer does not depend on the values, `${var}` or not.
                    if !requirements[i].evaluate(nil) { return .no }
                case .known(let v):
                    if requirements[i].isSymbolic { result = result && .maybe } else if !requirements[i].evaluate(v) { return .no }
                case .unknown:
                    result = result && .maybe
                }
            }
            return result
        }
    }

    /// Some pod could be selected by both.
    public func intersects(_ other: Selector) -> Bool {
        if reserved != nil || other.reserved != nil { return reserved == other.reserved }
        var byKey: [LabelKey: [Requirement]] = [:]
        for r in requirements + other.requirements { byKey[r.key, default: []].append(r) }
        for (_, reqs) in byKey where !Self.satisfiable(reqs) { return false }
        return true
    }

    /// Every pod `other` selects, `self` selects too.
    public func subsumes(_ other: Selector) -> Bool {
        if reserved != nil || other.reserved != nil { return reserved == other.reserved }
        return requirements.allSatisfy { mine in
            other.requirements.contains { $0.key == mine.key && mine.isImplied(by: $0) }
        }
    }

    /// The namespace names the selector is limited to (nil: any namespace, or chosen by namespace labels).
    public var namespaceNames: Set<String>? {
        requirements.first { $0.key == .namespaceName && $0.op == .in }?.values
    }

    /// The namespaces outside which it surely selects no pod (`matches` says no for a pod of another namespace): the
    /// names of its `In` requirement on the namespace's name, unless written with `${var}`. nil: any namespace may hold
    /// pods it selects.
    public var podNamespaces: Set<String>? {
        requirements.first { $0.onNamespaceName && $0.op == .in && !$0.isSymbolic }?.values
    }

    /// Requirements on namespace labels (not the name).
    public var namespaceLabelRequirements: [Requirement] {
        requirements.filter { if case .namespaceLabel = $0.key { true } else { false } }
    }

    /// Requirements on pod labels and the service account.
    public var podRequirements: [Requirement] {
        requirements.filter {
            switch $0.key {
            case .pod, .serviceAccount: true
            default: false
            }
        }
    }

    static func satisfiable(_ reqs: [Requirement]) -> Bool {
        if reqs.contains(where: \.isSymbolic) { return true }
        var allowed: Set<String>?
        var excluded = Set<String>()
        var mustExist = false, mustNotExist = false
        for r in reqs {
            switch r.op {
            case .in:
                allowed = allowed.map { $0.intersection(r.values) } ?? r.values
                mustExist = true
            case .notIn: excluded.formUnion(r.values)
            case .exists: mustExist = true
            case .doesNotExist: mustNotExist = true
            }
        }
        if mustExist && mustNotExist { return false }
        if let allowed, allowed.subtracting(excluded).isEmpty { return false }
        return true
    }

    public var description: String {
        if let reserved { return "reserved:\(reserved)" }
        // `io.kubernetes.pod.namespace` Exists (every pod of every namespace) goes without saying.
        let shown = requirements.filter { !($0.key == .namespaceName && $0.op == .exists) }
        if shown.isEmpty { return "{}" }
        return shown.map { r in
            switch r.op {
            case .in where r.values.count == 1: "\(r.key)=\(r.values.first!)"
            case .in: "\(r.key) in (\(r.values.sorted().joined(separator: ",")))"
            case .notIn: "\(r.key) notin (\(r.values.sorted().joined(separator: ",")))"
            case .exists: "\(r.key)"
            case .doesNotExist: "!\(r.key)"
            }
        }.joined(separator: ",")
    }
}
