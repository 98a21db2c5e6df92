// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Rotor",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RotorAPI", targets: ["RotorAPI"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "KubernetesEmulator", targets: ["KubernetesEmulator"]),
        .library(name: "SecretProviders", targets: ["SecretProviders"]),
        .library(name: "FakeProvider", targets: ["FakeProvider"]),
        .library(name: "VaultProvider", targets: ["VaultProvider"]),
        .library(name: "AWSProvider", targets: ["AWSProvider"]),
        .library(name: "VaultEmulator", targets: ["VaultEmulator"]),
        .library(name: "RotorConsumer", targets: ["RotorConsumer"]),
        .executable(name: "rotor", targets: ["rotor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Codable Kubernetes and Rotor API types. No I/O.
        .target(name: "RotorAPI"),
        // A Kubernetes API client on async-http-client; knows nothing of secrets.
        .target(
            name: "KubeClient",
            dependencies: [
                "RotorAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Controller machinery: watcher, informer cache, work queue, controller loop,
        // leader election, events. Knows nothing of secrets.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeClient",
                "RotorAPI",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What a secret provider is: SecretValue, reader/writer protocols, errors,
        // request coalescing. Knows nothing of Kubernetes.
        .target(
            name: "SecretProviders",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `fake` provider: static data from the store spec, for demos, docs and tests.
        .target(name: "FakeProvider", dependencies: ["SecretProviders"]),
        // HashiCorp Vault: KV v1/v2, token, kubernetes and AppRole auth. Knows nothing of Kubernetes.
        .target(
            name: "VaultProvider",
            dependencies: [
                "SecretProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // AWS Secrets Manager with our own SigV4 signer and STS. Knows nothing of Kubernetes.
        .target(
            name: "AWSProvider",
            dependencies: [
                "SecretProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A small HTTP/1.1 server (and throwaway TLS certificates) for the emulators and
        // the operator's health and metrics endpoint.
        .target(
            name: "HTTPServing",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // For applications: read mounted Secret files, reload on change, verify a
        // presented credential against the current and the previous value.
        .target(name: "RotorConsumer"),
        // The operator: reconcilers (ExternalSecret, stores) and their pure planning
        // logic (rendering, store resolution, status, refresh scheduling).
        .target(
            name: "RotorOperator",
            dependencies: [
                "RotorAPI", "KubeClient", "KubeRuntime", "SecretProviders", "FakeProvider", "VaultProvider", "AWSProvider",
                "HTTPServing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // An in-process kube-apiserver emulator that real kubectl accepts.
        .target(
            name: "KubernetesEmulator",
            dependencies: [
                "RotorAPI", "HTTPServing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // An in-process HashiCorp Vault emulator following Vault's HTTP API.
        .target(
            name: "VaultEmulator",
            dependencies: [
                "HTTPServing", "RotorAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "rotor",
            dependencies: [
                "VaultEmulator", "HTTPServing",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "RotorOperator",
                "KubernetesEmulator",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // An HTTP service authenticating API keys from a Secret Rotor rotates (README: the consumer side).
        .executableTarget(
            name: "rotor-example-api-keys",
            dependencies: [
                "RotorConsumer", "HTTPServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Examples/APIKeyService"
        ),
        // `swift run -c release rotor-bench`: figures for BENCHMARKS.md (never asserted by tests).
        .target(name: "CHeapStats", path: "Benchmarks/CHeapStats"),
        .executableTarget(
            name: "rotor-bench",
            dependencies: [
                "KubeClient", "KubeRuntime", "RotorAPI", "CHeapStats", "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/RotorBench"
        ),
        // Test helpers shared by the test targets that need a cluster.
        .target(name: "EmulatorTestSupport", dependencies: ["KubeClient", "KubernetesEmulator"], path: "Tests/EmulatorTestSupport"),
        // What tests do to a fake provider (values, failures, latency, counters), kept out of FakeProvider.
        .target(name: "FakeProviderTestSupport", dependencies: ["FakeProvider", "SecretProviders"], path: "Tests/FakeProviderTestSupport"),
        // A moto_server per test (AWS mocks from PyPI), for the provider and the operator tests.
        .target(name: "MotoTestSupport", dependencies: ["AWSProvider"], path: "Tests/MotoTestSupport"),
        .testTarget(name: "RotorAPITests", dependencies: ["RotorAPI"]),
        .testTarget(name: "SecretProvidersTests", dependencies: ["SecretProviders", "FakeProvider", "FakeProviderTestSupport"]),
        .testTarget(
            name: "VaultProviderTests",
            dependencies: [
                "VaultProvider", "VaultEmulator", "SecretProviders", "KubernetesEmulator", "KubeClient", "RotorAPI",
                "EmulatorTestSupport", "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "AWSProviderTests",
            dependencies: [
                "AWSProvider", "SecretProviders", "HTTPServing", "MotoTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "RotorConsumerTests", dependencies: ["RotorConsumer"]),
        .testTarget(
            name: "RotorOperatorTests",
            dependencies: [
                "RotorOperator", "RotorAPI", "SecretProviders", "FakeProvider", "FakeProviderTestSupport", "KubeRuntime", "KubeClient", "EmulatorTestSupport",
                "VaultProvider", "VaultEmulator", "AWSProvider", "KubernetesEmulator", "MotoTestSupport", "HTTPServing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "KubeRuntime", "KubeClient", "KubernetesEmulator", "RotorAPI", "EmulatorTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "RotorAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "KubernetesEmulatorTests",
            dependencies: [
                "KubernetesEmulator", "KubeClient", "RotorAPI", "EmulatorTestSupport", "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
