/// Why the Cilium agent refuses a policy the API server accepted (status `Valid=False`): the policy is then not
/// enforced at all. Reported by NP104; the semantics engine leaves such policies out (cilium/cilium `pkg/policy/api/rule_validation.go`).
public struct AgentRejection: Sendable, Hashable {
    public var message: String
    public var span: Span
    /// The rule that reports it: NP104, or NP102 for a shape the model already reports as an invalid value.
    public var reportedBy: String = "NP104"
}

extension KubeObject {
    /// Peer kinds Cilium lets a rule combine with another.
    static let combinablePeerKinds: Set<String> = ["fromRequires", "toRequires"]

    /// The reasons the agent rejects this CNP/CCNP under the given Cilium version (empty: accepted).
    public func agentRejections(version: CiliumVersion) -> [AgentRejection] {
        guard let policy = cilium else { return [] }
        var out: [AgentRejection] = []
        func reject(_ message: String, _ span: Span) { out.append(AgentRejection(message: message, span: span)) }
        for rule in policy.rules {
            let sections = [rule.ingress, rule.ingressDeny, rule.egress, rule.egressDeny]
            if version >= CiliumVersion(major: 1, minor: 17), !sections.contains(where: { !($0?.value.isEmpty ?? true) }) {
                reject("\(displayName) has no ingress, ingressDeny, egress or egressDeny rule; Cilium ≥ 1.17 marks it Valid=False and enforces nothing", rule.keySpan)
            }
            if !policy.isClusterwide, let nodeSelector = rule.nodeSelector {
                reject("nodeSelector is only valid in a CiliumClusterwideNetworkPolicy; the agent rejects \(displayName)", nodeSelector.span)
            }
            for r in rule.allPeerRules {
                let kinds = r.peerKinds.filter { !Self.combinablePeerKinds.contains($0.key) }
                if let fqdns = r.fqdns, r.peerKinds.count > 1 {
                    // rule_validation.go: "Combining ToFQDNs and ... is not supported yet"; reported
                    // as an invalid value (NP102), since it is a shape no egress rule may have.
                    for other in r.peerKinds where other.key != "toFQDNs" {
                        out.append(AgentRejection(message: "toFQDNs cannot be combined with \(other.key) in one egress rule; split them into two rules",
                                                  span: fqdns.span, reportedBy: "NP102"))
                    }
                } else if kinds.count > 1 {
                    reject("combining \(kinds[0].key) and \(kinds[1].key) in one rule is not supported; the agent rejects \(displayName) — split them into two rules", kinds[1].span)
                }
                if version >= CiliumVersion(major: 1, minor: 19), let req = r.requires {
                    reject("\(r.direction == .ingress ? "fromRequires" : "toRequires") was removed in Cilium 1.19; \(displayName) is rejected", req.span)
                }
                if let icmps = r.icmps, let ports = r.toPorts, !ports.value.isEmpty {
                    reject("icmps and toPorts cannot be combined in one rule; the agent rejects \(displayName)", icmps.span)
                }
                for pr in r.toPorts?.value ?? [] {
                    if r.direction == .ingress, pr.dns != nil {
                        reject("DNS rules are only allowed on egress; the agent rejects \(displayName)", pr.span)
                    }
                    guard pr.hasL7Rules else { continue }
                    for p in pr.ports {
                        if case .number(0)? = p.port?.value {
                            reject("L7 rules cannot be used when the port is 0; the agent rejects \(displayName)", p.port!.span)
                        }
                        if pr.hasHTTP, p.proto?.value != "TCP" {
                            reject("L7 HTTP rules apply only to TCP, and this port's protocol is \(p.proto?.value ?? "omitted (ANY)"); the agent rejects \(displayName)",
                                   p.proto?.span ?? p.span)
                        }
                    }
                }
            }
        }
        return out
    }
}
