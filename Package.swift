// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What the integration and system tests (and their shared support) build on.
let integrationTestDependencies: [Target.Dependency] = [
    "ReceiverFuzzing", "CodingFuzzing",
    "ScanBridgeAgent", "ScanBridgeTools", "ScanBridgeCore", "ScanBridgePayloads", "ScanBridgeReading",
    "ScanBridgeStore", "ScanBridgeUpstream", "ScanBridgeWire", "ScanBridgeReceiver",
    "ScanBridgeDevices",
    .product(name: "GRDB", package: "GRDB.swift"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "HTTPTypes", package: "swift-http-types"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "PostgresNIO", package: "postgres-nio"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]

let package = Package(
    name: "scanbridge",
    platforms: [.macOS(.v15)],
    products: [
        // The agent: `run` and the operator commands; it hands the tool commands to scanbridge-tools.
        .executable(name: "scanbridge", targets: ["scanbridge"]),
        // receive, verify, demo, simulate, bench: everything that needs the receiver or the simulators.
        .executable(name: "scanbridge-tools", targets: ["scanbridge-tools"]),
        // For the micro-benchmarks (Benchmarks/, a package of its own); not a public API.
        .library(
            name: "ScanBridgeLibraries",
            targets: ["ScanBridgeCore", "ScanBridgePayloads", "ScanBridgeStore", "ScanBridgeWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CUdev",
            pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]
        ),
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        // Content codings of batch bodies (gzip, zstd): Debian's zlib and libzstd.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(name: "CLinuxShims"),
        .target(name: "ScanBridgeCore", swiftSettings: strict),
        .target(name: "ScanBridgePayloads", dependencies: ["ScanBridgeCore"], swiftSettings: strict),
        // Each device kind's reading logic as a pure state machine (inputs in, what to do out).
        .target(
            name: "ScanBridgeReading", dependencies: ["ScanBridgeCore", "ScanBridgePayloads"], swiftSettings: strict),
        .target(
            name: "ScanBridgeDevices",
            dependencies: ["ScanBridgeCore", "CUdev", "CLibUSB", "CLinuxShims"],
            swiftSettings: strict
        ),
        .target(
            name: "ScanBridgeStore",
            dependencies: ["ScanBridgeCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // What both ends of the wire share: batch bodies and their parser, detached JWS, keys
        // and hand-overs, the chain, the body's content codings. No server, no HTTP client.
        .target(
            name: "ScanBridgeWire",
            dependencies: ["ScanBridgeCore", "CZlib", "CZstd", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The agent's side of the wire: batching limits, HTTP delivery, the key file, evidence
        // directories. The agent links it, so it must not pull in the receiver's server or stores
        // (.ci/check-module-graph).
        .target(
            name: "ScanBridgeUpstream",
            dependencies: [
                "ScanBridgeCore", "ScanBridgeWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The reference receiver: server, intake, SQLite and PostgreSQL stores, consumers, metrics.
        .target(
            name: "ScanBridgeReceiver",
            dependencies: [
                "ScanBridgeCore", "ScanBridgeWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ScanBridgeAgent",
            dependencies: [
                "CLinuxShims",
                "ScanBridgeCore", "ScanBridgePayloads", "ScanBridgeReading", "ScanBridgeDevices", "ScanBridgeStore",
                "ScanBridgeUpstream",
                "ScanBridgeWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The demo, the benches and the device simulators: tools the command line offers, kept
        // out of the agent's library.
        .target(
            name: "ScanBridgeTools",
            dependencies: [
                "CLinuxShims", "ScanBridgeAgent", "ScanBridgeCore", "ScanBridgePayloads", "ScanBridgeReading",
                "ScanBridgeDevices", "ScanBridgeStore", "ScanBridgeUpstream", "ScanBridgeWire", "ScanBridgeReceiver",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // What both executables' command lines share: operator errors, the exit status of usage
        // errors, log set-up, the names of the tool commands, finding the executable beside.
        .target(
            name: "ScanBridgeCommandSupport",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The lean agent: never ScanBridgeTools, ScanBridgeReceiver, Hummingbird or PostgresNIO
        // (.ci/check-module-graph). Not even a dependency on the executable target
        // "scanbridge-tools": SwiftPM would link every library that target uses into this one.
        .executableTarget(
            name: "scanbridge",
            dependencies: [
                "ScanBridgeCommandSupport", "ScanBridgeAgent", "ScanBridgeCore", "ScanBridgeStore",
                "ScanBridgeUpstream", "ScanBridgeWire", "ScanBridgePayloads", "ScanBridgePayloadCommands",
                "ScanBridgeDevices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The tool commands (receive, verify, demo, simulate, bench), run as `scanbridge …` through
        // the agent or directly as `scanbridge-tools …`.
        .executableTarget(
            name: "scanbridge-tools",
            dependencies: [
                "ScanBridgeCommandSupport", "ScanBridgeAgent", "ScanBridgeTools", "ScanBridgeCore",
                "ScanBridgePayloads", "ScanBridgeUpstream", "ScanBridgeWire", "ScanBridgeReceiver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // The payload tools of the CLI (decode, schema): pure payload work, no agent state.
        .target(
            name: "ScanBridgePayloadCommands",
            dependencies: [
                "ScanBridgePayloads", "ScanBridgeCommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // libFuzzer entry points (Tests/Fuzz/run-fuzzers.sh): built with
        // `swift build --sanitize=fuzzer -Xswiftc -parse-as-library --product FuzzX --scratch-path .build-fuzz`.
        .executableTarget(name: "FuzzSchema", dependencies: ["ScanBridgePayloads"], swiftSettings: strict),
        .executableTarget(name: "FuzzBarcode", dependencies: ["ScanBridgePayloads"], swiftSettings: strict),
        .executableTarget(name: "FuzzEPC", dependencies: ["ScanBridgePayloads"], swiftSettings: strict),
        .executableTarget(name: "FuzzKeystrokes", dependencies: ["ScanBridgePayloads"], swiftSettings: strict),
        .executableTarget(
            name: "FuzzHIDReports", dependencies: ["ScanBridgeCore", "ScanBridgePayloads"], swiftSettings: strict),
        .target(
            name: "ReceiverFuzzing",
            dependencies: [
                "ScanBridgeCore", "ScanBridgeWire", "ScanBridgeReceiver",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "FuzzReceiverRequest", dependencies: ["ReceiverFuzzing"], swiftSettings: strict),
        .target(name: "CodingFuzzing", dependencies: ["ScanBridgeWire"], swiftSettings: strict),
        .executableTarget(name: "FuzzBodyCodings", dependencies: ["CodingFuzzing"], swiftSettings: strict),
        .target(name: "ReaderFuzzing", dependencies: ["ScanBridgeCore", "ScanBridgePayloads"], swiftSettings: strict),
        .executableTarget(
            name: "FuzzMercury", dependencies: ["ScanBridgePayloads", "ReaderFuzzing"], swiftSettings: strict),
        .executableTarget(
            name: "FuzzChafon", dependencies: ["ScanBridgePayloads", "ReaderFuzzing"], swiftSettings: strict),
        .executableTarget(
            name: "FuzzEM4100", dependencies: ["ScanBridgePayloads", "ReaderFuzzing"], swiftSettings: strict),
        .executableTarget(
            name: "FuzzReaderLines", dependencies: ["ScanBridgePayloads", "ReaderFuzzing"], swiftSettings: strict),
        .testTarget(
            name: "ScanBridgePayloadsTests",
            dependencies: [
                "ScanBridgeCore", "ScanBridgePayloads", "ScanBridgePayloadCommands",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        // The device machines in memory: scripted inputs, an injected clock, no device.
        .testTarget(
            name: "ScanBridgeReadingTests",
            dependencies: ["ScanBridgeCore", "ScanBridgePayloads", "ScanBridgeReading"],
            swiftSettings: strict
        ),
        // What the integration and system tests share: temporary directories and the
        // one-at-a-time rule (TestScope), linked terminals, the test receiver, agents under test.
        .target(
            name: "ScanBridgeTestSupport",
            dependencies: integrationTestDependencies,
            path: "Tests/ScanBridgeTestSupport",
            swiftSettings: strict
        ),
        // In-process tests of the agent's parts and the receiver, run in parallel.
        .testTarget(
            name: "ScanBridgeTests",
            dependencies: ["ScanBridgeTestSupport"] + integrationTestDependencies,
            swiftSettings: strict
        ),
        // Pseudo-terminals, umockdev and child processes: one test at a time (TestScope.system).
        .testTarget(
            name: "ScanBridgeSystemTests",
            dependencies: ["ScanBridgeTestSupport"] + integrationTestDependencies,
            swiftSettings: strict
        ),
    ]
)
