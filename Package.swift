// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "netpol-lint",
    products: [
        .executable(name: "netpol-lint", targets: ["netpol-lint"]),
        .library(name: "NetpolLintCore", targets: ["NetpolLintCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .target(name: "NetpolLintCore", dependencies: ["CYAML", "CPCRE2"], path: "Sources/NetpolLintCore",
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "NetpolLintRules", dependencies: ["NetpolLintCore"], path: "Rules"),
        .executableTarget(name: "netpol-lint", dependencies: [
            "NetpolLintCore", "NetpolLintRules",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/netpol-lint"),
        .target(name: "NetpolLintTestSupport", dependencies: ["NetpolLintCore", "NetpolLintRules"],
                path: "Tests/NetpolLintTestSupport"),
        // What the fuzzers (scripts/fuzz.sh, `make fuzz`) drive and the tests replay.
        .target(name: "NetpolLintFuzzTargets", dependencies: ["NetpolLintCore", "NetpolLintRules"],
                path: "Tests/Fuzz/Targets"),
        .testTarget(name: "NetpolLintCoreTests", dependencies: ["NetpolLintCore", "NetpolLintRules", "NetpolLintTestSupport"],
                    path: "Tests/NetpolLintCoreTests"),
        .testTarget(name: "NetpolLintRulesTests", dependencies: ["NetpolLintCore", "NetpolLintRules", "NetpolLintTestSupport"],
                    path: "Tests/NetpolLintRulesTests"),
        .testTarget(name: "CLITests", dependencies: ["NetpolLintCore", "NetpolLintRules", "NetpolLintTestSupport",
                                                    "NetpolLintFuzzTargets"],
                    path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v6]
)
