import Foundation

/// Small manifests for tests that build repositories on the fly: each returns one YAML document followed by `---`,
/// so several can be concatenated into one file.
public enum Manifests {
    /// `Namespace` objects, optionally with labels written as a flow mapping body (`team: web`).
    public static func namespace(_ name: String, labels: String? = nil) -> String {
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)\(labels.map { ", labels: {\($0)}" } ?? "")}\n---\n"
    }

    public static func namespaces(_ names: String...) -> String { names.map { namespace($0) }.joined() }

    /// A workload whose pod template carries `labels` (a flow mapping body: `app: web`).
    public static func workload(_ name: String, _ namespace: String, _ labels: String, kind: String = "Deployment",
                                hostNetwork: Bool = false) -> String {
        "apiVersion: apps/v1\nkind: \(kind)\nmetadata: {name: \(name), namespace: \(namespace)}\nspec:\n  template:\n"
            + "    metadata: {labels: {\(labels)}}\n" + (hostNetwork ? "    spec: {hostNetwork: true}\n" : "") + "---\n"
    }

    /// The homelab-profiles access-label pattern across two files: namespace `app` opts in to postgres access
    /// (`namespaces/app.yaml`, the label on line 6) and a CCNP in another file grants it
    /// (`policies/access-postgres.yaml`). Linting the namespace alone must see the grant.
    public static let postgresAccess: [(path: String, content: String)] = [
        ("namespaces/app.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: app
              labels:
                access.network-policy.homelab/postgres: "true"
            """),
        ("policies/access-postgres.yaml", """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata:
              name: access-postgres
            spec:
              description: Namespaces with the postgres access label reach the database.
              endpointSelector:
                matchLabels:
                  k8s:io.kubernetes.pod.namespace: database
              ingress:
                - fromEndpoints:
                    - matchLabels:
                        io.cilium.k8s.namespace.labels.access.network-policy.homelab/postgres: "true"
                  toPorts:
                    - ports: [{port: "5432", protocol: TCP}]
            """),
    ]

    /// A `NetworkPolicy` with `spec` given as indented YAML lines.
    public static func networkPolicy(_ name: String, _ namespace: String, _ spec: String) -> String {
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: \(namespace)}\nspec:\n\(spec)\n---\n"
    }
}

extension TestSupport {
    /// A JSON document's top-level object (a test failure when it is not one).
    public static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return o
    }
}
