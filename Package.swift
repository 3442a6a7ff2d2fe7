// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The seven services: each a library target with its logic and `buildApplication`, and a thin executable.
let services = ["Gateway", "Auth", "Booking", "Payment", "Search", "Messaging", "Notify"]

var targets: [Target] = [
    .systemLibrary(
        name: "CHiredis",
        path: "Shared/CHiredis",
        pkgConfig: "hiredis",
        providers: [.apt(["libhiredis-dev"])]
    ),
    .systemLibrary(
        name: "CCurl",
        path: "Shared/CCurl",
        pkgConfig: "libcurl",
        providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .systemLibrary(
        name: "CVips",
        path: "Shared/CVips",
        pkgConfig: "vips",
        providers: [.apt(["libvips-dev"])]
    ),
    // A hint for the processor to start reading memory that a loop will read a little later.
    .systemLibrary(name: "CPrefetch", path: "Shared/CPrefetch"),
    .target(name: "Contracts", path: "Shared/Contracts", swiftSettings: swiftSettings),
    // Timers for a connection's event loop (a deadline that moves with every request), for the clients and proxies below.
    .target(
        name: "EventLoopTimers",
        dependencies: [.product(name: "NIOCore", package: "swift-nio")],
        path: "Shared/EventLoopTimers",
        swiftSettings: swiftSettings
    ),
    // A small async Redis client on SwiftNIO; libhiredis parses the replies.
    .target(
        name: "Redis",
        dependencies: [
            "CHiredis",
            "EventLoopTimers",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Atomics", package: "swift-atomics"),
        ],
        path: "Shared/Redis",
        swiftSettings: swiftSettings
    ),
    .target(
        name: "ServiceKit",
        dependencies: [
            "Contracts",
            "Redis",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Atomics", package: "swift-atomics"),
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "OTel", package: "swift-otel"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            .product(name: "ServiceContextModule", package: "swift-service-context"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ],
        path: "Shared/ServiceKit",
        swiftSettings: swiftSettings
    ),
    // Photos decoded and resized with libvips, off the event loops.
    .target(
        name: "Imaging",
        dependencies: [
            "CVips",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ],
        path: "Shared/Imaging",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ImagingTests",
        dependencies: [
            "Imaging", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
        ],
        swiftSettings: swiftSettings
    ),
    .target(
        name: "TestSupport",
        dependencies: [
            "ServiceKit", "Redis",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Tests/Support",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ServiceKitTests",
        dependencies: [
            "Contracts", "Redis", "ServiceKit", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ],
        swiftSettings: swiftSettings
    ),
]

var products: [Product] = []
for name in services {
    let library = Target.target(
        name: name,
        dependencies: serviceDependencies[name, default: []] + [
            "Contracts",
            "ServiceKit",
            .product(name: "Hummingbird", package: "hummingbird"),
        ],
        path: "Services/\(name)/\(name)",
        resources: serviceResources[name],
        swiftSettings: swiftSettings
    )
    let executable = Target.executableTarget(
        name: "\(name)Executable",
        dependencies: [.byName(name: name), "Contracts", "ServiceKit"],
        path: "Services/\(name)/Executable",
        swiftSettings: swiftSettings
    )
    let tests = Target.testTarget(
        name: "\(name)Tests",
        dependencies: [
            .byName(name: name), "Contracts", "ServiceKit", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ] + serviceDependencies[name, default: []],
        swiftSettings: swiftSettings
    )
    targets += [library, executable, tests]
    products.append(.executable(name: name.lowercased(), targets: ["\(name)Executable"]))
}
targets.append(
    .testTarget(
        name: "EndToEndTests",
        dependencies: [
            "Contracts", "ServiceKit", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ],
        swiftSettings: swiftSettings
    )
)

/// The load generator of `bench/messaging`: thousands of sockets in one process.
targets.append(
    .executableTarget(
        name: "MessagingLoad",
        dependencies: [
            "Contracts", "ServiceKit",
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ],
        path: "bench/support/MessagingLoad",
        swiftSettings: swiftSettings
    )
)

let package = Package(
    name: "MayaGo",
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Traces leave by OTLP/HTTP only: the gRPC exporter's trait would build gRPC Swift for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-service-context.git", from: "1.5.1"),
    ],
    targets: targets
)

/// What each service needs beyond ServiceKit.
var serviceDependencies: [String: [Target.Dependency]] {
    [
        "Gateway": [
            "Redis",
            "EventLoopTimers",
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "HummingbirdHTTP2", package: "hummingbird"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ],
        "Auth": [
            "Redis",
            "Imaging",
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        "Booking": [
            "CCurl",
            "Imaging",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        "Messaging": [
            "Redis",
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ],
        "Search": [
            "Redis",
            "CPrefetch",
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        "Notify": [
            "EventLoopTimers",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ],
        "Payment": [
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
    ]
}

/// Files a service reads at run time.
var serviceResources: [String: [Resource]] {
    [
        "Auth": [.copy("Resources/common-passwords.txt"), .copy("Resources/openapi.json")],
        "Gateway": [.copy("Resources/swagger-ui")],
        "Booking": [.copy("Resources/openapi.json")],
        "Payment": [.copy("Resources/openapi.json"), .copy("Resources/invoice.mustache")],
        "Notify": [.copy("Resources/openapi.json"), .copy("Resources/templates")],
        "Search": [.copy("Resources/openapi.json")],
        "Messaging": [.copy("Resources/openapi.json")],
    ]
}
