// swift-tools-version:6.2
import CompilerPluginSupport
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "GridKeeper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gridkeeper", targets: ["gridkeeper"]),
        .library(name: "GridAPI", targets: ["GridAPI"]),
        .library(name: "GridKeeperCore", targets: ["GridKeeperCore"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "SimulatorCore", targets: ["SimulatorCore"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax", "602.0.0"..<"604.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .target(
            name: "GridKeeperMacroExpansions",
            dependencies: [
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .macro(
            name: "GridKeeperMacrosPlugin",
            dependencies: [
                "GridKeeperMacroExpansions",
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GridKeeperMacros",
            dependencies: ["GridKeeperMacrosPlugin"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Execution",
            dependencies: ["GridKeeperMacros"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GridKeeperCore",
            dependencies: ["GridKeeperMacros", "Execution", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "embed-text",
            path: "Sources/embed-text"
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["embed-text"]
        ),
        .plugin(
            name: "EmbedDemoStrategy",
            capability: .buildTool(),
            dependencies: ["embed-text"]
        ),
        .target(
            name: "Ledger",
            dependencies: [
                "GridKeeperMacros",
                "GridKeeperCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),
        .target(
            name: "Engine",
            dependencies: [
                "GridKeeperMacros",
                "Execution", "GridKeeperCore", "GridAPI", "Ledger",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "GridKeeperMacros",
                "Engine", "GridAPI", "GridKeeperCore", "Ledger",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Backtest",
            dependencies: [
                "GridKeeperMacros",
                "Engine", "Execution", "GridKeeperCore", "GridAPI", "Ledger", "SimulatorCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GridAPI",
            dependencies: [
                "GridKeeperMacros",
                "CSodium", "GridKeeperCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SimulatorCore",
            dependencies: [
                "GridKeeperMacros",
                "Execution",
                "GridAPI",
                "GridKeeperCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Simulator",
            dependencies: [
                "SimulatorCore",
                "Execution",
                "GridAPI",
                "GridKeeperCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Chaos",
            dependencies: [
                "GridKeeperMacros",
                "Engine", "GridAPI", "GridKeeperCore", "Ledger", "Simulator",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "GridAPI",
                "Simulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gridkeeper",
            dependencies: [
                "Backtest", "Daemon", "Execution",
                "GridAPI",
                "GridKeeperCore",
                "Ledger",
                "Engine",
                "Simulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedDemoStrategy"]
        ),
        .executableTarget(
            name: "gridkeeper-bench",
            dependencies: [
                "Backtest",
                "Chaos",
                "Engine",
                "GridAPI",
                "GridKeeperCore",
                "Simulator",
                "Ledger",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/gridkeeper-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Daemon", "Engine", "Execution", "Ledger", "GridKeeperCore", "GridAPI", "Simulator", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BacktestTests",
            dependencies: [
                "Backtest", "Daemon", "Engine", "Execution", "Ledger", "GridKeeperCore", "GridAPI", "Simulator", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChaosTests",
            dependencies: ["Chaos", "Simulator", "GridKeeperCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "GridKeeperCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GridKeeperMacrosTests",
            dependencies: [
                // Not the macro target itself: a test depending on it is built for the host,
                // and every test target with it.
                "GridKeeperMacroExpansions",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExecutionTests",
            dependencies: ["Execution"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GridKeeperCoreTests",
            dependencies: ["GridKeeperCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GridAPITests",
            dependencies: [
                "GridAPI",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "GridAPI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "gridkeeperTests",
            dependencies: [
                "gridkeeper", "TestSupport", "Backtest", "Engine", "Execution", "GridAPI", "GridKeeperCore", "Ledger", "Simulator",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
