// swift-tools-version: 6.0
import PackageDescription

// Layout (see README "Architecture"):
//   ClaimCore     pure domain: programme, pools, windows, limits, time, outcomes; no I/O, no C.
//   ClaimAuth     tokens on top of the core's JSON scanner: ES256/EdDSA/RS256 from a JWKS (HS256 for
//                 development) and store QR codes; all crypto from swift-crypto.
//   ClaimPOSIX    the OS adapter: sockets, epoll, signals, clocks (CClaimSys shim).
//   ClaimRedis    the Redis adapter: hiredis (CHiredis), RESP encoding, the Lua scripts.
//   ClaimHTTP     the HTTP/1.1 wire: request parser, response writer, connection buffers.
//   ClaimGateway  the gateway's event loop: HTTP + Redis pipeline + routes.
//   ClaimConsole  the operators' console: its own listener and thread, a page from resources.
//   ClaimLoadReport  claimload's time series and its JSON/HTML/SVG report.
//   ClaimSetup    what the executables share: seed file, --now clock, token secret.
//   claimgate / claimctl / claimload: thin executables.
// Release builds of the event loop's own modules skip the runtime exclusivity checks of class
// properties (the compile-time checks stay): under callgrind they were 13% of the
// instructions of a sold-out answer (swift_beginAccess and its thread-local access set, on
// every HTTPConnection and GatewayServer property touched per request). Each loop's state is
// confined to its thread, which is what the runtime check would catch otherwise. The same holds
// for the loop's own modules below them: the EventLoop (ClaimPOSIX) and the RedisLoopClient
// (ClaimRedis).
let loopSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "ClaimGate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "claimgate", targets: ["claimgate"]),
        .executable(name: "claimctl", targets: ["claimctl"]),
        .executable(name: "claimload", targets: ["claimload"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "CClaimSys"),
        .target(name: "ClaimCore"),
        .target(name: "ClaimPOSIX", dependencies: ["ClaimCore", "CClaimSys"], swiftSettings: loopSettings),
        .target(
            name: "ClaimAuth",
            dependencies: [
                "ClaimCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ClaimRedis",
            dependencies: ["ClaimCore", "ClaimPOSIX", "CHiredis", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.embedInCode("Scripts")],
            swiftSettings: loopSettings
        ),
        .target(name: "ClaimHTTP", dependencies: ["ClaimCore", "ClaimPOSIX"], swiftSettings: loopSettings),
        .target(
            name: "ClaimGateway",
            dependencies: [
                "ClaimCore", "ClaimAuth", "ClaimRedis", "ClaimHTTP", "ClaimPOSIX",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: loopSettings
        ),
        // The operators' console: its own listener and thread, the page served from resources.
        .target(
            name: "ClaimConsole",
            dependencies: [
                "ClaimCore", "ClaimRedis", "ClaimHTTP", "ClaimPOSIX", .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Console")]
        ),
        .target(
            name: "ClaimSetup",
            dependencies: [
                "ClaimCore", "ClaimAuth", "ClaimPOSIX", "ClaimRedis", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "claimgate",
            dependencies: [
                "ClaimGateway", "ClaimConsole", "ClaimSetup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "claimctl",
            dependencies: [
                "ClaimCore", "ClaimRedis", "ClaimAuth", "ClaimSetup", "ClaimPOSIX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Decoders of untrusted bytes and the properties they keep, for libFuzzer (claimfuzz)
        // and the seeded campaign in the tests.
        .target(
            name: "ClaimFuzzing",
            dependencies: ["ClaimCore", "ClaimAuth", "ClaimHTTP", "ClaimRedis", "ClaimGateway"]
        ),
        .executableTarget(
            name: "claimfuzz",
            dependencies: [
                "ClaimFuzzing", "ClaimCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "ClaimLoadReport",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .executableTarget(
            name: "claimload",
            dependencies: [
                "ClaimCore", "ClaimAuth", "ClaimRedis", "ClaimHTTP", "ClaimPOSIX", "ClaimSetup", "ClaimLoadReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "ClaimTestSupport", dependencies: ["ClaimCore", "ClaimRedis", "ClaimHTTP", "ClaimPOSIX"],
            path: "Tests/ClaimTestSupport"),
        .testTarget(name: "ClaimCoreTests", dependencies: ["ClaimCore"]),
        .testTarget(
            name: "ClaimAuthTests", dependencies: ["ClaimAuth", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ClaimHTTPTests", dependencies: ["ClaimHTTP"]),
        .testTarget(name: "ClaimLoadReportTests", dependencies: ["ClaimLoadReport"]),
        .testTarget(name: "ClaimSetupTests", dependencies: ["ClaimSetup", "ClaimAuth"]),
        .testTarget(name: "ClaimFuzzingTests", dependencies: ["ClaimFuzzing", "ClaimAuth", "ClaimCore"]),
        .testTarget(name: "ClaimRedisTests", dependencies: ["ClaimRedis", "ClaimTestSupport"]),
        .testTarget(name: "ClaimPOSIXTests", dependencies: ["ClaimPOSIX"]),
        .testTarget(name: "ClaimConsoleTests", dependencies: ["ClaimConsole", "ClaimTestSupport", "ClaimHTTP"]),
        .testTarget(
            name: "ClaimGatewayTests",
            dependencies: ["ClaimGateway", "ClaimTestSupport", "ClaimAuth", "ClaimHTTP"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
