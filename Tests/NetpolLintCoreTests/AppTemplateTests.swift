@testable import NetpolLintCore
import NetpolLintTestSupport
import Testing

/// The pods of bjw-s app-template HelmReleases, labelled as the chart's templates label them.
@Suite struct AppTemplateTests {
    func inventory(_ tree: [(path: String, content: String)]) -> Inventory {
        let dir = TestSupport.writeTree(tree)
        let request = LintRequest(paths: [dir], configuration: Configuration(), repositoryRoot: dir, workingDirectory: dir)
        let context = Linter(rules: []).load(request).context
        return Inventory(files: context.files, objects: context.objects)
    }

    static func release(name: String = "paperless", namespace: String = "selfhosted", chart: String, extra: String = "", values: String) -> String {
        """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
        \(chart)\(extra)
          values:
        \(values)
        """
    }

    static let ociChart = "  chartRef:\n    kind: OCIRepository\n    name: paperless\n"
    static func oci(tag: String, url: String = "oci://ghcr.io/bjw-s-labs/helm/app-template") -> String {
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: paperless\n  namespace: selfhosted\nspec:\n  url: \(url)\n  ref:\n    tag: \(tag)\n"
    }

    static let values = """
            global:
              propagateGlobalMetadataToPods: true
              labels: {team: docs, app.kubernetes.io/name: overridden-by-selector}
            defaultPodOptions:
              labels: {tier: web, size: small}
            controllers:
              paperless:
                pod:
                  labels: {size: large, ingress.home.arpa/internal: allow}
              worker:
                pod:
                  hostNetwork: true
              disabled:
                enabled: false
        """

    @Test func labelsFollowTheChartTemplates() throws {
        let inv = inventory([("hr.yaml", Self.release(chart: Self.ociChart, values: Self.values)), ("oci.yaml", Self.oci(tag: "4.6.2"))])
        let pods = inv.workloads(in: "selfhosted").sorted { $0.name < $1.name }
        try #require(pods.map(\.name) == ["paperless", "paperless-worker"])
        #expect(pods[0].podLabels == [
            "app.kubernetes.io/controller": "paperless", "app.kubernetes.io/name": "paperless", "app.kubernetes.io/instance": "paperless",
            "team": "docs", "tier": "web", "size": "large", "ingress.home.arpa/internal": "allow",
        ])
        #expect(pods[0].labelsComplete && !pods[0].hostNetwork)
        #expect(pods[1].podLabels["app.kubernetes.io/controller"] == "worker" && pods[1].podLabels["size"] == "small")
        #expect(pods[1].hostNetwork)
    }

    @Test func theControllerLabelDependsOnTheChartVersion() {
        #expect(AppTemplate.controllerLabelKey(version: "4.6.2") == "app.kubernetes.io/controller")
        #expect(AppTemplate.controllerLabelKey(version: "v5.1.0") == "app.kubernetes.io/controller")
        #expect(AppTemplate.controllerLabelKey(version: "3.7.3") == "app.kubernetes.io/component")
        #expect(AppTemplate.controllerLabelKey(version: "2.6.0") == "app.kubernetes.io/component")
        #expect(AppTemplate.controllerLabelKey(version: "1.5.1") == nil)
        #expect(AppTemplate.controllerLabelKey(version: nil) == nil)
        #expect(AppTemplate.controllerLabelKey(version: "${APP_TEMPLATE:=4.4.0}") == nil)
        let v3 = inventory([("hr.yaml", Self.release(chart: "  chart:\n    spec:\n      chart: app-template\n      version: 3.7.3\n",
                                                     values: "    controllers:\n      main: {}\n"))])
        #expect(v3.workloads(in: "selfhosted").first?.podLabels["app.kubernetes.io/component"] == "main")
    }

    @Test func releaseNameNameOverrideAndTargetNamespace() {
        let inv = inventory([("hr.yaml", Self.release(
            chart: "  chart:\n    spec:\n      chart: app-template\n      version: 4.1.1\n", extra: "  targetNamespace: media\n",
            values: "    global: {nameOverride: docs}\n    controllers:\n      main: {}\n"))])
        #expect(inv.workloads(in: "selfhosted").isEmpty)
        let pod = inv.workloads(in: "media").first
        #expect(pod?.podLabels["app.kubernetes.io/instance"] == "media-paperless")
        #expect(pod?.podLabels["app.kubernetes.io/name"] == "docs")
    }

    @Test func otherChartsAndUnknownValuesAreNotGuessed() {
        // Another chart, an OCIRepository of another chart, an unknown version: no pods.
        #expect(inventory([("hr.yaml", Self.release(chart: "  chart:\n    spec:\n      chart: grafana\n      version: 8.0.0\n",
                                                    values: "    controllers:\n      main: {}\n"))]).workloads(in: "selfhosted").isEmpty)
        #expect(inventory([("hr.yaml", Self.release(chart: Self.ociChart, values: "    controllers:\n      main: {}\n")),
                           ("oci.yaml", Self.oci(tag: "4.6.2", url: "oci://ghcr.io/grafana/helm-charts/grafana"))]).workloads(in: "selfhosted").isEmpty)
        #expect(inventory([("hr.yaml", Self.release(chart: "  chart:\n    spec:\n      chart: app-template\n",
                                                    values: "    controllers:\n      main: {}\n"))]).workloads(in: "selfhosted").isEmpty)
        // valuesFrom, or a ${var} label: the pods exist but may carry more labels than shown.
        let external = inventory([("hr.yaml", Self.release(chart: Self.ociChart, extra: "  valuesFrom:\n    - kind: ConfigMap\n      name: x\n",
                                                           values: "    controllers:\n      main: {pod: {labels: {a: '${A}'}}}\n")),
                                  ("oci.yaml", Self.oci(tag: "4.6.2@sha256:0123"))])
        let pod = external.workloads(in: "selfhosted").first
        #expect(pod != nil && pod?.labelsComplete == false && pod?.podLabels["a"] == nil)
    }

    /// Container ports as the values write them (a list, or the older map of name to port), and the Services of
    /// the release: `targetPort` defaults to `port`, HTTP is TCP, the controller is named or the only one.
    @Test func containerPortsAndServices() throws {
        let values = """
                controllers:
                  app:
                    containers:
                      main:
                        ports:
                          - {name: http, containerPort: 8080}
                          - {name: dns, containerPort: 5353, protocol: UDP}
                      sidecar:
                        ports:
                          metrics: 9100
                          admin: {containerPort: 9000}
                  worker:
                    containers:
                      main:
                        ports: [{containerPort: "${PORT}"}]
                service:
                  app:
                    controller: app
                    ports:
                      http: {port: 80, targetPort: http, protocol: HTTP}
                      dns: {port: 53, targetPort: 5353, protocol: UDP}
                      off: {port: 81, enabled: false}
                  worker:
                    controller: worker
                    clusterIP: None
                    ports:
                      grpc: {port: 9000}
                  gone:
                    enabled: false
                    controller: app
                    ports:
                      http: {port: 80}
                  narrowed:
                    controller: app
                    extraSelectorLabels: {role: primary}
                    ports:
                      http: {port: 80}
            """
        let inv = inventory([("hr.yaml", Self.release(chart: Self.ociChart, values: values)), ("oci.yaml", Self.oci(tag: "4.6.2"))])
        let pods = inv.workloads(in: "selfhosted").sorted { $0.name < $1.name }
        try #require(pods.map(\.controller) == ["app", "worker"])
        #expect(Set(pods[0].containerPorts) == [ContainerPort(name: "http", port: 8080), ContainerPort(name: "dns", port: 5353, proto: "UDP"),
                                                ContainerPort(name: "metrics", port: 9100), ContainerPort(name: "admin", port: 9000)])
        #expect(pods[0].containerPortsComplete && !pods[1].containerPortsComplete)
        let services = inv.services.sorted { $0.name < $1.name }
        try #require(services.map(\.name) == ["app", "worker"])
        #expect(services[0].ports.map(\.port) == [53, 80] && services[0].ports.map(\.proto) == ["UDP", "TCP"])
        #expect(services[0].ports.map(\.targetPort) == [.number(5353), .named("http")])
        #expect(services[1].headless && services[1].ports.map(\.targetPort) == [.number(9000)])
        let app = inv.workloads.firstIndex { $0.controller == "app" }!
        #expect(inv.services(selecting: app).map(\.name) == ["app"])
        // One controller: a Service without `controller` is that controller's.
        let single = inventory([("hr.yaml", Self.release(chart: Self.ociChart, values: """
                controllers:
                  main: {}
                service:
                  main:
                    ports:
                      http: {port: 8080}
            """)), ("oci.yaml", Self.oci(tag: "3.7.3"))])
        #expect(single.services.map(\.name) == ["main"] && single.services.first?.workload == 0)
    }
}
