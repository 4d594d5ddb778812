@testable import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// Namespaces as kustomize and Flux apply them: the outermost kustomization `namespace:` wins over
/// `metadata.namespace` and renames Namespace objects; a Flux `targetNamespace` overrides both.
@Suite struct AppliedNamespacesTests {
    func inventory(_ tree: [(path: String, content: String)]) -> (Inventory, LintContext) {
        let dir = TestSupport.writeTree(tree)
        let request = LintRequest(paths: [dir], configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
        let context = Linter(rules: []).load(request).context
        return (Inventory(files: context.files, objects: context.objects), context)
    }

    func object(_ context: LintContext, _ name: String) -> Int? { context.objects.firstIndex { $0.name == name } }

    static func policy(_ name: String, namespace: String? = nil) -> String {
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: \(name)
        \(namespace.map { "  namespace: \($0)\n" } ?? "")spec:
          endpointSelector: {}
        """
    }

    static let placeholderNamespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n  labels:\n    team: x\n"

    @Test func theOutermostKustomizationWinsAndRenamesTheNamespace() {
        let (inv, ctx) = inventory([
            ("apps/media/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: media\nresources:\n  - ./namespace.yaml\n  - ./jellyfin\n"),
            ("apps/media/namespace.yaml", Self.placeholderNamespace),
            ("apps/media/jellyfin/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: inner\nresources: [policy.yaml]\n"),
            ("apps/media/jellyfin/policy.yaml", Self.policy("jellyfin", namespace: "written")),
            ("apps/media/jellyfin/not-listed.yaml", Self.policy("not-listed")),
        ])
        #expect(inv.namespaces["_"] == nil)
        #expect(inv.namespaces["media"]?.effectiveLabels["kubernetes.io/metadata.name"] == "media")
        #expect(inv.namespaces["media"]?.effectiveLabels["team"] == "x")
        #expect(object(ctx, "jellyfin").flatMap(inv.namespace(of:)) == "media")
        // A file no kustomization lists keeps the folder rule (the nearest kustomization namespace).
        #expect(object(ctx, "not-listed").flatMap(inv.namespace(of:)) == "inner")
    }

    @Test func aSharedComponentMakesOneNamespacePerUser() {
        let (inv, ctx) = inventory([
            ("components/namespace/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [./namespace.yaml, ./policy.yaml]\n"),
            ("components/namespace/namespace.yaml", Self.placeholderNamespace),
            ("components/namespace/policy.yaml", Self.policy("shared")),
            ("apps/a/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: a\ncomponents: [../../components/namespace]\n"),
            ("apps/b/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: b\ncomponents: [../../components/namespace]\n"),
        ])
        #expect(Set(inv.namespaces.keys) == ["a", "b"])
        let shared = object(ctx, "shared")
        #expect(shared.flatMap(inv.namespace(of:)) == nil, "applied in two namespaces: not one of them")
        #expect(shared.map(inv.namespaces(of:)) == ["a", "b"])
    }

    /// A base used by an overlay that sets a namespace and by one that does not is deployed both ways.
    @Test func anOverlayWithoutNamespaceKeepsTheBaseName() throws {
        let (inv, ctx) = inventory([
            ("base/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [namespace.yaml, policy.yaml]\n"),
            ("base/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: minio\n"),
            ("base/policy.yaml", Self.policy("minio", namespace: "minio")),
            ("overlays/plain/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\n"),
            ("overlays/unas/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: minio-unas\nresources: [../../base]\n"),
        ])
        #expect(Set(inv.namespaces.keys) == ["minio", "minio-unas"])
        let policy = try #require(ctx.objects.firstIndex { $0.kind == .ciliumNetworkPolicy })
        #expect(inv.namespace(of: policy) == nil, "not one namespace")
        #expect(inv.namespaces(of: policy) == ["minio", "minio-unas"])
        #expect(!inv.notes.contains { $0.object == policy }, "evaluated in each namespace, not left out")
    }

    @Test func fluxTargetNamespaceOverridesEverything() {
        let (inv, ctx) = inventory([
            ("flux/apps.yaml", """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: flux-system}
                spec:
                  path: ./deploy/app
                  targetNamespace: target
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: plain, namespace: flux-system}
                spec:
                  path: ./deploy/generated
                  targetNamespace: generated
                """),
            ("deploy/app/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ignored\nresources: [policy.yaml]\n"),
            ("deploy/app/policy.yaml", Self.policy("app", namespace: "written")),
            // No kustomization.yaml: Flux generates one with every manifest below the path.
            ("deploy/generated/sub/policy.yaml", Self.policy("generated", namespace: "written")),
        ])
        #expect(object(ctx, "app").flatMap(inv.namespace(of:)) == "target")
        #expect(object(ctx, "generated").flatMap(inv.namespace(of:)) == "generated")
    }

    @Test func withoutKustomizationsMetadataDecides() {
        let (inv, ctx) = inventory([("p.yaml", Self.policy("p", namespace: "mine")),
                                    ("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n")])
        #expect(object(ctx, "p").flatMap(inv.namespace(of:)) == "mine")
        #expect(Set(inv.namespaces.keys) == ["mine"])
    }

    @Test func remoteAndVariableResourcesAreLeftOut() {
        let (inv, ctx) = inventory([
            ("k/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${NS}\nresources: [https://example.com/x.yaml, github.com/a/b, ./p.yaml]\n"),
            ("k/p.yaml", Self.policy("p", namespace: "mine")),
        ])
        #expect(object(ctx, "p").flatMap(inv.namespace(of:)) == "mine")
    }
}
