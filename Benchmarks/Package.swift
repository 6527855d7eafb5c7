// swift-tools-version: 6.1
// Micro-benchmarks of scanbridge's hot paths (ordo-one/benchmark), a package of its own so the
// agent's build and tests never compile the benchmark framework:
//   cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "scanbridge-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "scanbridge", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ScanBridgeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ScanBridgeLibraries", package: "scanbridge"),
            ],
            path: "Benchmarks/ScanBridgeBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
