import Foundation
import NetpolLintTestSupport
import Testing

/// `netpol-lint trace --format json` over the three example repositories (and a small generated one for what the
/// fixtures do not contain). Every expectation was derived by hand from the YAML and the Cilium / Kubernetes
/// semantics (https://docs.cilium.io/en/stable/security/policy/language/, https://kubernetes.io/docs/concepts/services-networking/network-policies/), not copied from the tool's output.
///
/// A case names the expected `allowedBy` / `deniedBy` rules of each direction as `"<policy> <section>[i]"`:
/// - a leading `!` puts the entry in `deniedBy` instead of `allowedBy`;
/// - a trailing `?` means the match is not certain (`certain: false`: FQDN, `${var}`);
/// - an `@N` suffix also checks the rule's line in the policy file.
/// `nil` leaves that direction's rule lists unchecked; `[]` means no rule allows or denies it.
struct TraceCase: CustomTestStringConvertible, Sendable {
    var fixture: String
    var from: String
    var to: String
    var port: String
    /// ALLOWED, DENIED or CONDITIONAL.
    var verdict: String
    /// "egress/ingress" enforcement: yes, no or conditional.
    var enforced: String
    /// "egress/ingress" per-direction result (`allowed` in the JSON).
    var allowed: String
    var egress: [String]?
    var ingress: [String]?

    init(_ fixture: String, _ from: String, _ to: String, _ port: String, _ verdict: String,
         enforced: String, allowed: String, egress: [String]?, ingress: [String]?) {
        self.fixture = fixture
        self.from = from
        self.to = to
        self.port = port
        self.verdict = verdict
        self.enforced = enforced
        self.allowed = allowed
        self.egress = egress
        self.ingress = ingress
    }

    var testDescription: String { "\(fixture): \(from) -> \(to) on \(port)" }
}

// Shorthands for the fixture names, so that each case fits on one or two lines.
private let H = "homelab", T = "tiered", V = "voting-app"
/// The two baseline CCNPs of the homelab whose `{}` peers admit every pod of every namespace (NP308).
private let intraE = "baseline-allow-intra-namespace egress[0]", intraI = "baseline-allow-intra-namespace ingress[0]"

@Suite struct TraceTests {
    // MARK: - The three example repositories

    static let cases: [TraceCase] = [
        // ---- homelab: CCNP `{}` peers (allow-intra-namespace.yaml:12,15) = every pod of every namespace, any port.
        TraceCase(H, "my-app/app=web", "garage/app.kubernetes.io/name=garage", "3903/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE + "@15"], ingress: [intraI + "@12"]),
        // Access label garage-s3 (paperless): access-garage-s3 has no toPorts, so the admin port 3903 is open (NP205).
        TraceCase(H, "paperless/app.kubernetes.io/name=paperless-ngx", "garage/app.kubernetes.io/name=garage", "3903/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE, "access-garage-s3 egress[0]@14"], ingress: [intraI]),
        // NP309: Cilium overrides the `paperless` namespace in the CNP's endpointSelector with `garage`.
        TraceCase(H, "garage/app.kubernetes.io/name=paperless-ngx", "garage/app.kubernetes.io/name=garage", "3900/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE, "allow-paperless-s3 egress[0]@16"], ingress: [intraI]),
        // NP214: my-app carries access…/redis, dragonfly-access reads …/dragonfly: only the CCNP `{}` allows it.
        TraceCase(H, "my-app/app=web", "database/app.kubernetes.io/name=dragonfly", "6379/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI]),
        // CCNP `{}` admits no reserved identity: world, remote-node and kube-apiserver are not pods.
        TraceCase(H, "world", "my-app/app=web", "8080/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(H, "remote-node", "my-app/app=web", "8080/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(H, "my-app/app=web", "kube-apiserver", "6443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // host / health via baseline-health-probes ingress[0] (fromEntities host, health); link-local via ingress[1].
        TraceCase(H, "host", "media/app=jellyfin", "8096/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["baseline-health-probes ingress[0]@9"]),
        TraceCase(H, "health", "my-app/app=web", "8080/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["baseline-health-probes ingress[0]"]),
        TraceCase(H, "169.254.7.127", "cert-manager/app=cert-manager", "9402/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [],
                  ingress: ["baseline-health-probes ingress[1]@12", "cert-manager-default ingress[1]@17"]),
        // kube-apiserver entity (cert-manager.yaml:29, istio-system.yaml:37).
        TraceCase(H, "kube-apiserver", "cert-manager/app=cert-manager", "10250/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["cert-manager-default ingress[3]@29"]),
        TraceCase(H, "kube-apiserver", "istio-system/app=istiod", "15017/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["istio-system-default ingress[4]@37"]),
        // Namespace label access…/kube-api (homepage) selects baseline-kube-api-access.
        TraceCase(H, "homepage/app.kubernetes.io/name=homepage", "kube-apiserver", "6443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["baseline-kube-api-access egress[0]@14"], ingress: []),
        // L4-only rule (home-assistant networkpolicy.yaml:15): every peer, the world included (NP303); TCP only.
        TraceCase(H, "world", "home-assistant/app.kubernetes.io/name=home-assistant", "21063/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["home-assistant-homekit ingress[0]@15"]),
        TraceCase(H, "world", "home-assistant/app.kubernetes.io/name=home-assistant", "21063/UDP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(H, "world", "home-assistant/app.kubernetes.io/name=home-assistant", "8123/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // fromEntities world (minecraft); an address outside the cluster is world.
        TraceCase(H, "world", "minecraft/app.kubernetes.io/name=minecraft", "25565/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["minecraft-public ingress[0]@14"]),
        TraceCase(H, "203.0.113.7", "minecraft/app.kubernetes.io/name=minecraft", "25565/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["minecraft-public ingress[0]"]),
        // Deny precedence: baseline-deny-lan (deny-lan.yaml:12) beats access-mqtt's allow (NP306).
        TraceCase(H, "home-assistant/app.kubernetes.io/name=home-assistant", "192.168.1.50", "1883/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: ["access-mqtt egress[0]@14", "!baseline-deny-lan egressDeny[0]@12"], ingress: []),
        // The L4-only egress of sabnzbd reaches the LAN on 563, but the deny wins; the internet is fine.
        TraceCase(H, "downloads/app.kubernetes.io/name=sabnzbd", "192.168.5.5", "563/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: ["sabnzbd-usenet egress[0]@15", "!baseline-deny-lan egressDeny[0]"], ingress: []),
        TraceCase(H, "downloads/app.kubernetes.io/name=sabnzbd", "8.8.8.8", "563/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["sabnzbd-usenet egress[0]"], ingress: []),
        TraceCase(H, "downloads/app.kubernetes.io/name=radarr", "8.8.8.8", "563/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // The NAS is in deny-lan's `except`; access-nas uses ${NAS_IP}: conditional. Outside the except: denied.
        TraceCase(H, "batch/app=backup", "192.168.1.10", "2049/TCP", "CONDITIONAL",
                  enforced: "yes/no", allowed: "conditional/yes", egress: ["access-nas egress[0]?"], ingress: []),
        TraceCase(H, "batch/app=backup", "192.168.1.11", "2049/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: ["access-nas egress[0]?", "!baseline-deny-lan egressDeny[0]"], ingress: []),
        // toCIDRSet 0.0.0.0/0 except 10/8, 172.16/12, 192.168/16 (profile-internal-egress.yaml:29).
        TraceCase(H, "paperless/app.kubernetes.io/name=paperless-ngx", "8.8.8.8", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["profile-internal-egress egress[0]@29"], ingress: []),
        TraceCase(H, "paperless/app.kubernetes.io/name=paperless-ngx", "10.0.0.5", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(H, "paperless/app.kubernetes.io/name=paperless-ngx", "192.168.5.5", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: ["!baseline-deny-lan egressDeny[0]"], ingress: []),
        // toEntities world (profile-standard.yaml:19) has no except: 10.0.0.5 is outside the cluster, so allowed.
        TraceCase(H, "my-app/app=web", "10.0.0.5", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["profile-standard egress[0]@19"], ingress: []),
        TraceCase(H, "my-app/app=web", "8.8.8.8", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["profile-standard egress[0]"], ingress: []),
        // toFQDNs: the answer depends on DNS. paperless-mail's lookups are invisible to the DNS proxy (NP302), so its
        // toFQDNs rule matches no address at all: denied, as for the name itself.
        TraceCase(H, "paperless/app.kubernetes.io/name=paperless-ngx", "1.2.3.4", "993/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(H, "homepage/app.kubernetes.io/name=homepage", "140.82.112.5", "443/TCP", "CONDITIONAL",
                  enforced: "yes/no", allowed: "conditional/yes", egress: ["homepage-widgets egress[0]?"], ingress: []),
        // node-local-dns (NP310): the toCIDR item allows every port to 169.254.20.10, the toPorts item port 53 to anyone.
        TraceCase(H, "minecraft/app.kubernetes.io/name=minecraft", "8.8.8.8", "53/UDP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["baseline-node-local-dns egress[1]@14"], ingress: []),
        TraceCase(H, "minecraft/app.kubernetes.io/name=minecraft", "169.254.20.10", "9999/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["baseline-node-local-dns egress[0]@12"], ingress: []),
        TraceCase(H, "minecraft/app.kubernetes.io/name=minecraft", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(H, "minecraft/app.kubernetes.io/name=minecraft", "kube-system/k8s-app=kube-dns", "53/UDP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes",
                  egress: [intraE, "baseline-dns-egress egress[0]", "baseline-node-local-dns egress[1]", "profile-isolated egress[0]@25"],
                  ingress: [intraI, "kube-dns ingress[0]@102"]),
        // Profiles by namespace label: isolated admits Prometheus; monitoring's copy-pasted `internal` profile (NP203)
        // admits the internal gateway; the `toPort` typo (NP101) leaves profile-standard open on every port.
        // monitoring-default combines fromEndpoints and fromCIDR in one rule (monitoring.yaml:14, NP104): the agent
        // rejects the whole policy, so none of its rules count; monitoring's egress is the baselines'.
        TraceCase(H, "monitoring/app.kubernetes.io/name=prometheus", "batch/app=backup", "9090/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE],
                  ingress: [intraI, "baseline-prometheus-scrape ingress[0]", "profile-isolated ingress[0]@14"]),
        TraceCase(H, "istio-gateway/gateway.networking.k8s.io/gateway-name=internal", "monitoring/app.kubernetes.io/name=grafana", "3000/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE],
                  ingress: [intraI, "profile-internal ingress[0]@12"]),
        TraceCase(H, "istio-gateway/app=gw", "my-app/app=web", "9999/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI, "profile-standard ingress[0]@11"]),
        // The `cluster` entity of monitoring.yaml:20-21 would include host, but the agent rejects that policy (NP104);
        // the baselines that enforce monitoring's egress allow nothing to host.
        TraceCase(H, "monitoring/app.kubernetes.io/name=grafana", "host", "9100/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // Platform CNPs: xDS from any namespace; CoreDNS upstream via world; metrics-server to remote-node.
        TraceCase(H, "paperless/app=x", "istio-system/app=istiod", "15012/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI, "istio-system-default ingress[3]@28"]),
        TraceCase(H, "kube-system/k8s-app=kube-dns", "1.1.1.1", "53/UDP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["kube-system-default egress[1]@58", "baseline-node-local-dns egress[1]"], ingress: []),
        TraceCase(H, "kube-system/k8s-app=metrics-server", "remote-node", "10250/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["kube-system-default egress[3]@74"], ingress: []),
        // ResourceSet tenants (namespaces/tenants.yaml): team-a = standard + postgres, team-b = `internel` (no profile).
        TraceCase(H, "team-a/app=api", "8.8.8.8", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["profile-standard egress[0]"], ingress: []),
        TraceCase(H, "team-b/app=api", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // Ingress left unchecked on 5432: database.yaml:17-19 is `port: 5432, endPort: 5400, protocol: tcp` (NP102).
        TraceCase(H, "team-a/app=api", "database/cnpg.io/cluster=postgres", "5432/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE, "access-postgres egress[0]@11"], ingress: nil),
        TraceCase(H, "team-a/app=api", "database/cnpg.io/cluster=postgres", "54320/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI, "database-default ingress[0]@10"]),
        TraceCase(H, "team-b/app=api", "database/cnpg.io/cluster=postgres", "54320/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI]),
        // endPort 5400 < port 5432: no range that contains 5410 (only the CCNP `{}` admits it).
        TraceCase(H, "team-a/app=api", "database/cnpg.io/cluster=postgres", "5410/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: [intraE], ingress: [intraI]),
        // Profile `public` does not exist (NP213); the enforcement label / bypass annotation change nothing (NP211, NP307).
        TraceCase(H, "wiki/app=wiki", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(H, "legacy-crm/app.kubernetes.io/name=legacy-crm", "8.8.8.8", "80/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),

        // ---- tiered: default-deny-all (`ingress: [{}]`, `egress: [{}]`) enforces both directions and allows nothing.
        TraceCase(T, "world", "business/app.kubernetes.io/name=n8n", "5678/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["n8n ingress[0]@16"]),
        TraceCase(T, "world", "business/app.kubernetes.io/name=odoo", "8069/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // NP210: the envoy gateway's egress (namespace `network`) is only DNS.
        TraceCase(T, "network/app.kubernetes.io/name=envoy", "business/app.kubernetes.io/name=odoo", "8069/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["odoo ingress[0]@15"]),
        // CNP peers without a namespace = the policy's namespace only.
        TraceCase(T, "business/app.kubernetes.io/name=odoo", "business/cnpg.io/cluster=odoo-db", "5432/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: ["odoo egress[0]@24"], ingress: ["odoo-db ingress[0]@43"]),
        TraceCase(T, "media/app.kubernetes.io/name=odoo", "business/cnpg.io/cluster=odoo-db", "5432/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/no", egress: [], ingress: []),
        TraceCase(T, "cnpg-system/app.kubernetes.io/name=cloudnative-pg", "business/cnpg.io/cluster=odoo-db", "8000/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["odoo-db ingress[1]@52"]),
        TraceCase(T, "business/cnpg.io/cluster=odoo-db", "kube-apiserver", "6443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["odoo-db egress[1]@68"], ingress: []),
        TraceCase(T, "business/app.kubernetes.io/name=n8n", "world", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["n8n egress[0]@21"], ingress: []),
        TraceCase(T, "business/app.kubernetes.io/name=n8n", "8.8.8.8", "80/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(T, "media/app.kubernetes.io/name=jellyfin", "192.168.10.5", "2049/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["jellyfin egress[0]@25"], ingress: []),
        TraceCase(T, "media/app.kubernetes.io/name=jellyfin", "192.168.10.6", "2049/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(T, "media/app.kubernetes.io/name=jellyfin", "13.224.1.1", "443/TCP", "CONDITIONAL",
                  enforced: "yes/no", allowed: "conditional/yes", egress: ["jellyfin egress[2]?@44"], ingress: []),
        // cert-manager's port-53 rule has no `rules: dns` (NP302): its toFQDNs rule matches no address, as no name.
        TraceCase(T, "cert-manager/app=cert-manager", "1.2.3.4", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // CCNP `{}` peer of allow-dns-ingress = every pod, any namespace; not world, not host.
        TraceCase(T, "cert-manager/app=cert-manager", "kube-system/k8s-app=kube-dns", "53/UDP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: ["allow-dns-egress egress[0]@17", "tier1-cert-manager-egress egress[1]@21"],
                  ingress: ["allow-dns-ingress ingress[0]@16"]),
        TraceCase(T, "cert-manager/app=cert-manager", "kube-system/k8s-app=kube-dns", "53/TCP", "ALLOWED",
                  enforced: "yes/yes", allowed: "yes/yes", egress: ["allow-dns-egress egress[0]"], ingress: ["allow-dns-ingress ingress[0]"]),
        TraceCase(T, "world", "kube-system/k8s-app=kube-dns", "53/UDP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(T, "host", "kube-system/k8s-app=kube-dns", "53/UDP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // kube-system is excluded from default-deny-all and allow-dns-egress: its egress is not enforced; but
        // allow-metrics-scraping (endpointSelector {}) puts its ingress into default-deny.
        TraceCase(T, "kube-system/app=metrics-server", "business/app.kubernetes.io/name=odoo", "8069/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(T, "kube-system/app=a", "kube-system/app=b", "8080/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(T, "flux-system/app=kustomize-controller", "business/app.kubernetes.io/name=n8n", "5678/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["n8n ingress[0]"]),
        // NP202: `cilium` is not excluded from default-deny-all but is from allow-dns-egress.
        TraceCase(T, "cilium/app=operator", "kube-system/k8s-app=kube-dns", "53/UDP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["allow-dns-ingress ingress[0]"]),
        // NP208: tier1-observability-egress `egress: [{}]` is "full egress" by its comment but allows nothing.
        TraceCase(T, "observability/app=vmagent", "business/app.kubernetes.io/name=odoo", "9090/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["allow-metrics-scraping ingress[0]@10"]),
        TraceCase(T, "observability/app=vmagent", "observability/app=grafana", "8080/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["allow-metrics-scraping ingress[0]"]),
        // NP210: external-secrets may send to 1Password Connect, nothing admits it there.
        TraceCase(T, "external-secrets/app.kubernetes.io/name=external-secrets", "external-secrets/app.kubernetes.io/name=onepassword-connect", "8080/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "yes/no", egress: ["tier1-external-secrets-egress egress[0]@12"], ingress: []),
        // NP307: the "bypass" annotation does nothing.
        TraceCase(T, "business/app.kubernetes.io/name=netshoot", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),

        // ---- voting-app: Kubernetes NetworkPolicy. `ingress: [{}]` = all sources, all ports, all protocols (NP301).
        TraceCase(V, "world", "voting-frontend/app.kubernetes.io/component=frontend", "80/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["frontend-allow-all-temp ingress[0]@17"]),
        TraceCase(V, "world", "voting-frontend/app.kubernetes.io/component=frontend", "9999/UDP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["frontend-allow-all-temp ingress[0]"]),
        // istio-system is not declared: only kubernetes.io/metadata.name, so `name: istio-system` matches nothing.
        TraceCase(V, "istio-system/app=istio-ingressgateway", "voting-frontend/app.kubernetes.io/component=frontend", "80/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["frontend-allow-all-temp ingress[0]"]),
        TraceCase(V, "world", "voting-frontend/app.kubernetes.io/component=admin", "80/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // `namespaceSelector: {name: …}` matches no Namespace (NP304); allow-dns-access puts every pod into egress deny.
        TraceCase(V, "voting-frontend/app.kubernetes.io/component=frontend", "voting-api/app.kubernetes.io/component=api", "8000/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/no", egress: [], ingress: []),
        // Ingress: the ipBlock 10.0.0.0/8 of postgres-allow-admin may hold the pod network; whether a NetworkPolicy ipBlock
        // matches pod IPs is up to the network plugin (Cilium: never; others: yes), so the ingress is conditional.
        TraceCase(V, "voting-api/app.kubernetes.io/component=api", "voting-data/app.kubernetes.io/component=postgres", "5432/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/conditional", egress: [], ingress: ["postgres-allow-admin ingress[0]?"]),
        TraceCase(V, "voting-consumer/app.kubernetes.io/component=consumer", "voting-data/app.kubernetes.io/component=redis", "6379/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/no", egress: [], ingress: []),
        TraceCase(V, "voting-frontend/app.kubernetes.io/component=frontend", "voting-frontend/app.kubernetes.io/component=frontend", "80/TCP", "DENIED",
                  enforced: "yes/yes", allowed: "no/yes", egress: [], ingress: ["frontend-allow-all-temp ingress[0]"]),
        // ipBlock 10.0.0.0/8 (postgres-allow-admin.yaml:16-18).
        TraceCase(V, "10.1.2.3", "voting-data/app.kubernetes.io/component=postgres", "5432/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["postgres-allow-admin ingress[0]@16"]),
        TraceCase(V, "10.1.2.3", "voting-data/app.kubernetes.io/component=postgres", "5433/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase(V, "172.16.0.1", "voting-data/app.kubernetes.io/component=postgres", "5432/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // Egress `ports: 443/TCP` without `to` (NP311): any destination, TCP only, api pods only.
        TraceCase(V, "voting-api/app.kubernetes.io/component=api", "8.8.8.8", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["api-allow-https-egress egress[0]@15"], ingress: []),
        TraceCase(V, "voting-api/app.kubernetes.io/component=api", "8.8.8.8", "443/UDP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(V, "voting-api/app.kubernetes.io/component=worker", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // DNS: `name: kube-system` matches nothing; voting-data's split rule (NP310) allows 53 to anyone.
        TraceCase(V, "voting-api/app.kubernetes.io/component=api", "kube-system/k8s-app=kube-dns", "53/UDP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(V, "voting-data/app.kubernetes.io/component=postgres", "kube-system/k8s-app=kube-dns", "53/UDP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["allow-dns-access egress[1]@22"], ingress: []),
        TraceCase(V, "voting-data/app.kubernetes.io/component=postgres", "8.8.8.8", "53/UDP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["allow-dns-access egress[1]"], ingress: []),
        TraceCase(V, "voting-data/app.kubernetes.io/component=postgres", "8.8.8.8", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        // policyTypes: voting-consumer has only an Egress policy, so its ingress is not enforced (NP202).
        TraceCase(V, "voting-data/app.kubernetes.io/component=postgres", "voting-consumer/app.kubernetes.io/component=consumer", "8080/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase(V, "world", "voting-consumer/app.kubernetes.io/component=consumer", "8080/TCP", "ALLOWED",
                  enforced: "no/no", allowed: "yes/yes", egress: [], ingress: []),
    ]

    static func run(_ args: [String], in dir: String) throws -> TestSupport.ProcessResult {
        try #require(TestSupport.executable != nil, "the netpol-lint executable was not built")
        return try TestSupport.runCLI(args, in: dir)
    }

    /// One rule entry as written in a case: `"<policy> <rule>"`, `?` when not certain.
    static func entry(_ o: [String: Any]) -> String {
        "\(o["policy"] as? String ?? "<no policy>") \(o["rule"] as? String ?? "<no rule>")\(o["certain"] as? Bool == false ? "?" : "")"
    }

    /// Checks one direction of the JSON answer against the expected entries.
    static func check(_ direction: [String: Any]?, _ name: String, expected: [String]?, enforced: String, allowed: String,
                      _ c: TraceCase) {
        guard let direction else {
            Issue.record("\(c): no '\(name)' object in the JSON")
            return
        }
        #expect(direction["enforced"] as? String == enforced, "\(c): \(name) enforced")
        #expect(direction["allowed"] as? String == allowed, "\(c): \(name) allowed")
        if enforced == "no" {
            // A direction no policy enforces is decided by no rule.
            #expect((direction["enforcedBy"] as? [Any])?.isEmpty == true, "\(c): \(name) enforcedBy should be empty")
        } else {
            #expect((direction["enforcedBy"] as? [Any])?.isEmpty == false, "\(c): \(name) enforcedBy should name a policy")
        }
        guard let expected else { return }
        let allows = direction["allowedBy"] as? [[String: Any]] ?? []
        let denies = direction["deniedBy"] as? [[String: Any]] ?? []
        var wantAllow: [String] = [], wantDeny: [String] = []
        var lines: [String: Int] = [:]
        for raw in expected {
            var e = raw
            var line: Int?
            if let at = e.lastIndex(of: "@") {
                line = Int(e[e.index(after: at)...])
                e = String(e[..<at])
            }
            let deny = e.hasPrefix("!")
            if deny { e.removeFirst() }
            if let line { lines[e] = line }
            if deny { wantDeny.append(e) } else { wantAllow.append(e) }
        }
        #expect(allows.map(entry).sorted() == wantAllow.sorted(), "\(c): \(name) allowedBy")
        #expect(denies.map(entry).sorted() == wantDeny.sorted(), "\(c): \(name) deniedBy")
        for (e, line) in lines {
            let found = (allows + denies).first { entry($0) == e }
            #expect(found?["line"] as? Int == line, "\(c): \(name) '\(e)' should be at line \(line)")
            let file = found?["file"] as? String ?? ""
            #expect(!file.isEmpty && !file.hasPrefix("/"), "\(c): \(name) '\(e)' file '\(file)' should be relative to the fixture")
        }
    }

    static func check(_ c: TraceCase, in dir: String) throws {
        let r = try run(["trace", "--from", c.from, "--to", c.to, "--port", c.port, "--format", "json", "."], in: dir)
        #expect(r.status == (c.verdict == "ALLOWED" ? 0 : 1), "\(c): exit status \(r.status); stderr: \(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                                "\(c): stdout is not a JSON object: \(r.stdout)")
        #expect(json["verdict"] as? String == c.verdict, "\(c): verdict")
        #expect(json["source"] as? String == c.from, "\(c): source")
        #expect(json["destination"] as? String == c.to, "\(c): destination")
        #expect(json["port"] as? String == c.port, "\(c): port")
        #expect(json["notes"] is [Any], "\(c): notes must be an array")
        let enforced = c.enforced.split(separator: "/").map(String.init)
        let allowed = c.allowed.split(separator: "/").map(String.init)
        try #require(enforced.count == 2 && allowed.count == 2, "malformed case \(c)")
        check(json["egress"] as? [String: Any], "egress", expected: c.egress, enforced: enforced[0], allowed: allowed[0], c)
        check(json["ingress"] as? [String: Any], "ingress", expected: c.ingress, enforced: enforced[1], allowed: allowed[1], c)
        // The endpoints the directions are about.
        #expect((json["egress"] as? [String: Any])?["endpoint"] as? String == c.from, "\(c): egress endpoint")
        #expect((json["ingress"] as? [String: Any])?["endpoint"] as? String == c.to, "\(c): ingress endpoint")
    }

    @Test("trace over the example repositories", arguments: cases)
    func traceFixture(_ c: TraceCase) throws {
        try Self.check(c, in: TestSupport.packageRoot + "/Fixtures/" + c.fixture)
    }

    @Test func theTableIsLargeAndCoversEveryFixture() {
        #expect(Self.cases.count >= 45)
        #expect(Set(Self.cases.map(\.fixture)) == [H, T, V])
        #expect(Set(Self.cases.map(\.verdict)) == ["ALLOWED", "DENIED", "CONDITIONAL"])
    }

    // MARK: - Notes

    @Test func undeclaredNamespaceIsNoted() throws {
        let r = try Self.run(["trace", "--from", "world", "--to", "garage/app=x", "--port", "80/TCP", "--format", "json", "."],
                             in: TestSupport.packageRoot + "/Fixtures/homelab")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let notes = json["notes"] as? [String] ?? []
        // namespaces/garage.yaml is not YAML (NP100): garage is not declared.
        #expect(notes.contains { $0.contains("'garage'") && $0.contains("kubernetes.io/metadata.name=garage") }, "\(notes)")
        let declared = try Self.run(["trace", "--from", "world", "--to", "paperless/app=x", "--port", "80/TCP", "--format", "json", "."],
                                    in: TestSupport.packageRoot + "/Fixtures/homelab")
        let j2 = try #require(try JSONSerialization.jsonObject(with: Data(declared.stdout.utf8)) as? [String: Any])
        #expect(!((j2["notes"] as? [String]) ?? []).contains { $0.contains("'paperless'") })
    }

    @Test func textOutputNamesTheDecidingRules() throws {
        let r = try Self.run(["trace", "--from", "home-assistant/app.kubernetes.io/name=home-assistant", "--to", "192.168.1.50",
                              "--port", "1883/TCP", "."], in: TestSupport.packageRoot + "/Fixtures/homelab")
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("DENIED"), "\(r.stdout)")
        #expect(r.stdout.contains("allowed by CCNP 'access-mqtt' egress[0] (network-policy/shared-resources/access-mqtt.yaml:14)"), "\(r.stdout)")
        #expect(r.stdout.contains("denied by CCNP 'baseline-deny-lan' egressDeny[0] (network-policy/baselines/deny-lan.yaml:12)"), "\(r.stdout)")
        #expect(r.stdout.contains("enforced by CCNP 'baseline-deny-lan' (network-policy/baselines/deny-lan.yaml:7)"), "\(r.stdout)")
    }

    /// A named port resolves through the container ports of the destination workload: allowed on the number the
    /// pod gives the name, denied on any other, with the named rule as the near miss.
    @Test func namedPortsResolveThroughTheWorkload() throws {
        let dir = TestSupport.writeTree([
            ("web.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-in, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ingress:
                    - from: [{podSelector: {matchLabels: {app: client}}}]
                      ports: [{port: http}]
                """),
        ])
        let allowed = try Self.run(["trace", "--from", "shop/app=client", "--to", "shop/web", "--port", "8080/TCP", "."], in: dir)
        #expect(allowed.status == 0 && allowed.stdout.hasPrefix("ALLOWED"), "\(allowed.stdout)")
        let denied = try Self.run(["trace", "--from", "shop/app=client", "--to", "shop/web", "--port", "80/TCP", "."], in: dir)
        #expect(denied.status == 1 && denied.stdout.hasPrefix("DENIED"), "\(denied.stdout)")
        #expect(denied.stdout.contains("'http'/TCP"), "\(denied.stdout)")
    }

    // MARK: - Semantics the fixtures do not contain

    /// A small repository for what the fixtures lack: a CNP `{}` peer, namespaces from a kustomization.yaml and a Flux
    /// targetNamespace, a valid endPort range, protocol defaults, enableDefaultDeny, the `cluster` and `all` entities,
    /// ingressDeny over an allow, CIDR except, namespace labels in a CNP peer.
    static let generated: String = TestSupport.writeTree([
        ("namespaces.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: a, labels: {team: red}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: b, labels: {team: blue}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: c}
            """),
        // No metadata.namespace: the kustomization sets it.
        ("apps/a/kustomization.yaml", """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: a
            resources: [policy.yaml]
            """),
        ("apps/a/policy.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: a-db}
            spec:
              description: own namespace, ports 5000-5010
              endpointSelector: {matchLabels: {app: db}}
              ingress:
                - fromEndpoints: [{}]
                  toPorts:
                    - ports: [{port: "5000", endPort: 5010, protocol: TCP}]
            """),
        // No metadata.namespace: the Flux Kustomization's targetNamespace sets it.
        ("clusters/ks.yaml", """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: b-apps, namespace: flux-system}
            spec:
              targetNamespace: b
              path: ./apps/b
              prune: true
              sourceRef: {kind: GitRepository, name: repo}
              interval: 10m
            """),
        ("apps/b/policy.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: b-web}
            spec:
              description: world on 443, any protocol (protocol omitted)
              endpointSelector: {matchLabels: {app: web}}
              ingress:
                - fromEntities: [world]
                  toPorts:
                    - ports: [{port: "443"}]
            """),
        ("c/policies.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c-api, namespace: c}
            spec:
              description: the cluster in, except namespace b on 8080; the cluster and HTTPS outside 10/8 out
              endpointSelector: {matchLabels: {app: api}}
              ingress:
                - fromEntities: [cluster]
              ingressDeny:
                - fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: b}}]
                  toPorts:
                    - ports: [{port: "8080", protocol: TCP}]
              egress:
                - toEntities: [cluster]
                - toCIDRSet:
                    - cidr: 0.0.0.0/0
                      except: [10.0.0.0/8]
                  toPorts:
                    - ports: [{port: "443", protocol: TCP}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c-lax, namespace: c}
            spec:
              description: allows app=x but does not put app=lax into default-deny
              endpointSelector: {matchLabels: {app: lax}}
              enableDefaultDeny: {ingress: false}
              ingress:
                - fromEndpoints: [{matchLabels: {app: x}}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c-locked, namespace: c}
            spec:
              description: "Cilium ingress [{}] = default deny"
              endpointSelector: {matchLabels: {app: locked}}
              ingress:
                - {}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c-red, namespace: c}
            spec:
              description: pods of namespaces labelled team=red, any namespace
              endpointSelector: {matchLabels: {app: red-only}}
              ingress:
                - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: red}}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c-cidr, namespace: c}
            spec:
              description: a Cilium CIDR rule never matches a Cilium-managed pod
              endpointSelector: {matchLabels: {app: cidr}}
              ingress:
                - fromCIDR: [10.0.0.0/8]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: c-knp-ip, namespace: c}
            spec:
              podSelector: {matchLabels: {app: knpip}}
              policyTypes: [Ingress]
              ingress:
                - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: c-knp, namespace: c}
            spec:
              podSelector: {matchLabels: {app: knp}}
              policyTypes: [Ingress]
              ingress:
                - ports: [{port: 53}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: open-to-all}
            spec:
              description: everything in
              endpointSelector: {matchLabels: {app: open}}
              ingress:
                - fromEntities: [all]
            """),
    ])

    static let generatedCases: [TraceCase] = [
        // CNP `{}` = own namespace (a, from apps/a/kustomization.yaml); endPort range 5000-5010.
        TraceCase("generated", "a/app=client", "a/app=db", "5005/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["a-db ingress[0]@8"]),
        TraceCase("generated", "a/app=client", "a/app=db", "5010/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["a-db ingress[0]"]),
        TraceCase("generated", "a/app=client", "a/app=db", "5011/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase("generated", "a/app=client", "a/app=db", "4999/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        TraceCase("generated", "b/app=client", "a/app=db", "5005/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // Flux targetNamespace b; protocol omitted in a CNP = ANY.
        TraceCase("generated", "world", "b/app=web", "443/UDP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["b-web ingress[0]@8"]),
        TraceCase("generated", "world", "b/app=web", "443/SCTP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["b-web ingress[0]"]),
        TraceCase("generated", "world", "b/app=web", "80/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // `cluster` includes host, kube-apiserver, remote-node and pods, not world.
        TraceCase("generated", "host", "c/app=api", "9000/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-api ingress[0]@8"]),
        TraceCase("generated", "kube-apiserver", "c/app=api", "443/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-api ingress[0]"]),
        TraceCase("generated", "world", "c/app=api", "9000/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // ingressDeny wins over the `cluster` allow.
        TraceCase("generated", "b/app=x", "c/app=api", "8080/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: ["c-api ingress[0]", "!c-api ingressDeny[0]@10"]),
        TraceCase("generated", "b/app=x", "c/app=api", "8081/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-api ingress[0]"]),
        TraceCase("generated", "a/app=x", "c/app=api", "8080/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-api ingress[0]"]),
        // CIDR with except; `cluster` on egress reaches remote-node.
        TraceCase("generated", "c/app=api", "8.8.8.8", "443/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["c-api egress[1]@15"], ingress: []),
        TraceCase("generated", "c/app=api", "10.0.0.5", "443/TCP", "DENIED",
                  enforced: "yes/no", allowed: "no/yes", egress: [], ingress: []),
        TraceCase("generated", "c/app=api", "remote-node", "10250/TCP", "ALLOWED",
                  enforced: "yes/no", allowed: "yes/yes", egress: ["c-api egress[0]@14"], ingress: []),
        // enableDefaultDeny {ingress: false}: the policy allows app=x but enforces nothing.
        TraceCase("generated", "world", "c/app=lax", "80/TCP", "ALLOWED",
                  enforced: "no/no", allowed: "yes/yes", egress: [], ingress: []),
        // Cilium `ingress: [{}]` enforces and allows nothing.
        TraceCase("generated", "c/app=x", "c/app=locked", "80/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // Namespace labels in a CNP peer select across namespaces (no own-namespace injection, Cilium >= 1.16).
        TraceCase("generated", "a/app=x", "c/app=red-only", "80/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-red ingress[0]"]),
        TraceCase("generated", "b/app=x", "c/app=red-only", "80/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // fromCIDR admits the address, not a pod whose IP may be in the range (a Cilium identity is not a CIDR) ...
        TraceCase("generated", "10.1.2.3", "c/app=cidr", "80/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-cidr ingress[0]"]),
        TraceCase("generated", "a/app=x", "c/app=cidr", "80/TCP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // ... while a NetworkPolicy ipBlock on a private range may match pods, depending on the network plugin.
        TraceCase("generated", "10.1.2.3", "c/app=knpip", "80/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-knp-ip ingress[0]"]),
        TraceCase("generated", "a/app=x", "c/app=knpip", "80/TCP", "CONDITIONAL",
                  enforced: "no/yes", allowed: "yes/conditional", egress: [], ingress: ["c-knp-ip ingress[0]?"]),
        // Kubernetes NetworkPolicy port without protocol = TCP; a rule without `from` = all sources.
        TraceCase("generated", "world", "c/app=knp", "53/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["c-knp ingress[0]"]),
        TraceCase("generated", "world", "c/app=knp", "53/UDP", "DENIED",
                  enforced: "no/yes", allowed: "yes/no", egress: [], ingress: []),
        // fromEntities all.
        TraceCase("generated", "world", "c/app=open", "1234/UDP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["open-to-all ingress[0]"]),
        TraceCase("generated", "host", "c/app=open", "1234/TCP", "ALLOWED",
                  enforced: "no/yes", allowed: "yes/yes", egress: [], ingress: ["open-to-all ingress[0]"]),
    ]

    @Test("trace over a generated repository", arguments: generatedCases)
    func traceGenerated(_ c: TraceCase) throws {
        try Self.check(c, in: Self.generated)
    }

    @Test func kustomizeResolvedNamespacesAreReported() throws {
        let r = try Self.run(["trace", "--from", "world", "--to", "b/app=web", "--port", "443/TCP", "--format", "json", "."], in: Self.generated)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let allows = ((json["ingress"] as? [String: Any])?["allowedBy"] as? [[String: Any]]) ?? []
        #expect(allows.first?["namespace"] as? String == "b", "the Flux targetNamespace is the policy's namespace: \(allows)")
        #expect(allows.first?["file"] as? String == "apps/b/policy.yaml")
        let r2 = try Self.run(["trace", "--from", "a/app=c", "--to", "a/app=db", "--port", "5000/TCP", "--format", "json", "."], in: Self.generated)
        let j2 = try #require(try JSONSerialization.jsonObject(with: Data(r2.stdout.utf8)) as? [String: Any])
        let a2 = ((j2["ingress"] as? [String: Any])?["allowedBy"] as? [[String: Any]]) ?? []
        #expect(a2.first?["namespace"] as? String == "a", "the kustomization's namespace is the policy's namespace: \(a2)")
        #expect(!((j2["notes"] as? [String]) ?? []).contains { $0.contains("could not be resolved") }, "\(j2["notes"] ?? "")")
    }

    // MARK: - Usage errors

    struct UsageCase: CustomTestStringConvertible, Sendable {
        var why: String
        var args: [String]
        var testDescription: String { why }
    }

    static let usage: [UsageCase] = [
        UsageCase(why: "port 0", args: ["--from", "my-app", "--to", "world", "--port", "0/TCP"]),
        UsageCase(why: "port above 65535", args: ["--from", "my-app", "--to", "world", "--port", "70000/TCP"]),
        UsageCase(why: "unknown protocol", args: ["--from", "my-app", "--to", "world", "--port", "53/ICMP"]),
        UsageCase(why: "named port", args: ["--from", "my-app", "--to", "world", "--port", "http"]),
        UsageCase(why: "namespace with a space", args: ["--from", "my app/x=y", "--to", "world", "--port", "80/TCP"]),
        UsageCase(why: "label without a value", args: ["--from", "my-app/novalue", "--to", "world", "--port", "80/TCP"]),
        UsageCase(why: "label without a key", args: ["--from", "my-app", "--to", "my-app/=x", "--port", "80/TCP"]),
        UsageCase(why: "bad IP address", args: ["--from", "my-app", "--to", "300.1.1.1", "--port", "80/TCP"]),
        UsageCase(why: "missing --to", args: ["--from", "my-app", "--port", "80/TCP"]),
        UsageCase(why: "missing --port", args: ["--from", "my-app", "--to", "world"]),
        UsageCase(why: "unknown format", args: ["--from", "my-app", "--to", "world", "--port", "80/TCP", "--format", "yaml"]),
        UsageCase(why: "path that does not exist", args: ["--from", "my-app", "--to", "world", "--port", "80/TCP", "no-such-dir"]),
        UsageCase(why: "unknown preset", args: ["--from", "my-app", "--to", "world", "--port", "80/TCP", "--preset", "nope"]),
        UsageCase(why: "entity misspelt", args: ["--from", "my-app", "--to", "wrld", "--port", "80/TCP"]),
        UsageCase(why: "a set of endpoints", args: ["--from", "cluster", "--to", "world", "--port", "80/TCP"]),
        UsageCase(why: "nothing after the slash", args: ["--from", "my-app/", "--to", "world", "--port", "80/TCP"]),
        UsageCase(why: "label given twice", args: ["--from", "my-app/app=a,app=b", "--to", "world", "--port", "80/TCP"]),
        UsageCase(why: "unknown workload", args: ["--from", "legacy-crm/legacy-cr", "--to", "world", "--port", "80/TCP"]),
    ]

    @Test("usage errors exit 2", arguments: usage)
    func usageError(_ u: UsageCase) throws {
        let r = try Self.run(["trace"] + u.args + (u.args.contains("--format") ? [] : ["--format", "json"]),
                             in: TestSupport.packageRoot + "/Fixtures/homelab")
        #expect(r.status == 2, "\(u.why): exit \(r.status), stdout: \(r.stdout), stderr: \(r.stderr)")
        #expect(!r.stderr.isEmpty, "\(u.why): the error goes to stderr")
        #expect(r.stdout.isEmpty, "\(u.why): no verdict on stdout: \(r.stdout)")
    }
}
