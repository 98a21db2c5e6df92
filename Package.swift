// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Rotor",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "JSONCore", targets: ["JSONCore"]),
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
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
        .library(name: "SealedState", targets: ["SealedState"]),
        .executable(name: "rotor", targets: ["rotor"]),
        .executable(name: "kubectl-rotor", targets: ["kubectl-rotor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // JSON (value, parser, serializer, Codable coders), a YAML emitter and OpenAPI schema
        // builders. No dependency at all: providers and emulators use it too.
        .target(name: "JSONCore"),
        // Codable Kubernetes API types (core, meta, apps, apiextensions, coordination, events).
        .target(name: "KubeAPI", dependencies: ["JSONCore"]),
        // Rotor's own resources (ExternalSecret, SecretStore, ClusterSecretStore) and their CRDs.
        .target(name: "RotorAPI", dependencies: ["JSONCore", "KubeAPI"]),
        // A Kubernetes API client on async-http-client; knows nothing of secrets.
        .target(
            name: "KubeClient",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Controller machinery: watcher, informer cache, work queue, controller loop,
        // leader election, events. Knows nothing of secrets.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What a secret provider is: SecretValue, reader/writer protocols, errors,
        // request coalescing. Knows nothing of Kubernetes.
        .target(
            name: "SecretProviders",
            dependencies: [
                "JSONCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The `fake` provider: static data from the store spec, for demos, docs and tests.
        .target(name: "FakeProvider", dependencies: ["JSONCore", "SecretProviders"]),
        // HashiCorp Vault: KV v1/v2, token, kubernetes, AppRole, JWT and TLS certificate auth. Knows nothing of Kubernetes.
        .target(
            name: "VaultProvider",
            dependencies: [
                "JSONCore",
                "SecretProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // AWS Secrets Manager with our own SigV4 signer and STS. Knows nothing of Kubernetes.
        .target(
            name: "AWSProvider",
            dependencies: [
                "JSONCore",
                "SecretProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // A small HTTP/1.1 server (and throwaway TLS certificates) for the emulators and
        // the operator's health and metrics endpoint.
        .target(
            name: "HTTPServing",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // The operator's own state (Vault tokens, lease records) sealed with AES-256-GCM:
        // key ring, record format, the state Secret's planner. Pure: no Kubernetes, no I/O
        // but reading a key file.
        .target(name: "SealedState", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // For applications: read mounted Secret files, reload on change, verify a
        // presented credential against the current and the previous value.
        .target(name: "RotorConsumer"),
        // The operator: reconcilers (ExternalSecret, stores) and their pure planning
        // logic (rendering, store resolution, status, refresh scheduling).
        .target(
            name: "RotorOperator",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "SecretProviders",
                "FakeProvider",
                "VaultProvider",
                "AWSProvider",
                "HTTPServing",
                "SealedState",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // An in-process kube-apiserver emulator that real kubectl accepts.
        .target(
            name: "KubernetesEmulator",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "HTTPServing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // An in-process HashiCorp Vault emulator following Vault's HTTP API.
        .target(
            name: "VaultEmulator",
            dependencies: [
                "JSONCore",
                "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "rotor",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "HTTPServing",
                "RotorOperator",
                "KubernetesEmulator",
                "VaultEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // What the `kubectl rotor` plugin does (status table, sync/rotate annotations, explain),
        // apart from parsing its arguments: tested without a process.
        .target(
            name: "RotorCLI",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `kubectl-rotor` executable: kubectl runs it as `kubectl rotor`.
        .executableTarget(
            name: "kubectl-rotor",
            dependencies: [
                "RotorAPI",
                "RotorCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // An HTTP service authenticating API keys from a Secret Rotor rotates (README: the consumer side).
        .executableTarget(
            name: "rotor-example-api-keys",
            dependencies: [
                "HTTPServing",
                "RotorConsumer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "examples/api-key-service"
        ),
        // `swift run -c release rotor-bench`: figures for BENCHMARKS.md (never asserted by tests).
        .target(name: "CHeapStats", path: "Benchmarks/CHeapStats"),
        .executableTarget(
            name: "rotor-bench",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "HTTPServing",
                "CHeapStats",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/RotorBench"
        ),
        // Child processes for the tests (kubectl, helm, python3, rotor) without Foundation's Process.
        .target(name: "ProcessTestSupport", path: "Tests/ProcessTestSupport"),
        // Test helpers shared by the test targets that need a cluster or run kubectl.
        .target(
            name: "EmulatorTestSupport", dependencies: ["KubeClient", "KubernetesEmulator", "ProcessTestSupport"],
            path: "Tests/EmulatorTestSupport"),
        // What tests do to a fake provider (values, failures, latency, counters), kept out of FakeProvider.
        .target(name: "FakeProviderTestSupport", dependencies: ["SecretProviders", "FakeProvider"], path: "Tests/FakeProviderTestSupport"),
        // A moto_server per test (AWS mocks from PyPI), for the provider and the operator tests.
        .target(name: "MotoTestSupport", dependencies: ["AWSProvider", "ProcessTestSupport"], path: "Tests/MotoTestSupport"),
        .testTarget(
            name: "RotorAPITests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "SecretProviders",
                "FakeProvider",
                "VaultProvider",
                "AWSProvider",
                "RotorOperator",
            ]
        ),
        .testTarget(name: "SecretProvidersTests", dependencies: [
                "JSONCore",
                "SecretProviders",
                "FakeProvider",
                "FakeProviderTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "VaultProviderTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "SecretProviders",
                "VaultProvider",
                "HTTPServing",
                "KubernetesEmulator",
                "VaultEmulator",
                "EmulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(
            name: "AWSProviderTests",
            dependencies: [
                "JSONCore",
                "SecretProviders",
                "AWSProvider",
                "HTTPServing",
                "MotoTestSupport",
                "ProcessTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "RotorConsumerTests", dependencies: ["RotorConsumer"]),
        .testTarget(name: "SealedStateTests", dependencies: ["SealedState"]),
        .testTarget(
            name: "RotorCLITests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "RotorCLI",
            ]
        ),
        .testTarget(
            name: "RotorOperatorTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "SecretProviders",
                "FakeProvider",
                "VaultProvider",
                "AWSProvider",
                "HTTPServing",
                "RotorOperator",
                "SealedState",
                "KubernetesEmulator",
                "VaultEmulator",
                "EmulatorTestSupport",
                "MotoTestSupport",
                "FakeProviderTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubeRuntime",
                "KubernetesEmulator",
                "EmulatorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "KubernetesEmulatorTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "KubeClient",
                "HTTPServing",
                "KubernetesEmulator",
                "EmulatorTestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The built executables run as users run them: `rotor run`, `rotor dev`, the example
        // service, and the install manifests (chart, rendered YAML, Dockerfile) with the real
        // kubectl, helm and hadolint that `hack/test` installs.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "JSONCore",
                "KubeAPI",
                "RotorAPI",
                "KubeClient",
                "KubernetesEmulator",
                "VaultEmulator",
                "EmulatorTestSupport",
                "MotoTestSupport",
                "ProcessTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
