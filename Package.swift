// swift-tools-version:6.0
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode (the tools-version default) plus the
/// upcoming features the project adopts early so the code base never has to migrate later.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "podrun",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PodRunKit", targets: ["PodRunKit"]),
        .executable(name: "podrun", targets: ["podrun"]),
        .executable(name: "podrun-shim", targets: ["podrun-shim"]),
        .executable(name: "podrun-demo", targets: ["podrun-demo"]),
        .executable(name: "podrun-http", targets: ["podrun-http"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        // System calls Swift's Glibc module does not expose (epoll), for PodRunKit only.
        .target(name: "CPodRunSystem"),
        .target(
            name: "PodRunKit",
            dependencies: ["CPodRunSystem", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "podrun",
            dependencies: [
                "PodRunKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "podrun-shim"),
        // URLSession for httpGet probes and hooks, in a helper process of its own: on Linux it
        // brings libcurl and some thirty shared libraries, which podrun itself stays without.
        .target(name: "PodRunHTTP", dependencies: ["PodRunKit"], swiftSettings: swiftSettings),
        .executableTarget(name: "podrun-http", dependencies: ["PodRunHTTP"], swiftSettings: swiftSettings),
        .executableTarget(name: "podrun-demo", swiftSettings: swiftSettings),
        // `make bench` (never part of `make test`). No Foundation: sharing library pages with
        // podrun would shrink podrun's measured PSS (`make release` links both statically on Linux).
        .executableTarget(name: "podrun-bench", swiftSettings: swiftSettings),
        .testTarget(
            name: "PodRunKitTests",
            dependencies: ["PodRunKit", "PodRunHTTP"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "podrunTests",
            dependencies: ["PodRunKit"],
            swiftSettings: swiftSettings
        ),
    ]
)
