import Foundation
import MotoTestSupport
import SecretProviders
import Testing

@testable import AWSProvider

/// Figures for BENCHMARKS.md ("AWS Secrets Manager: API calls per full refresh"), not a
/// timed test: run with `ROTOR_AWS_BENCH=1 swift test --filter AWSRefreshBenchmark`.
///
/// 10,000 ExternalSecrets over 2,000 keys of one store, read at the provider level as the
/// operator does (each reconcile reads its keys through the store's `CoalescingReader`),
/// against moto. Only call counts are checked; times are printed.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ROTOR_AWS_BENCH"] == "1"))
struct AWSRefreshBenchmark {
    static let externalSecrets = 10_000
    static let keys = 2_000

    /// Which key each ExternalSecret reads: every key five times, in a fixed shuffled order
    /// (ExternalSecrets sharing a key are rarely reconciled one after the other).
    static let assignment: [Int] = {
        var order = (0..<externalSecrets).map { $0 % keys }
        var state: UInt64 = 0x00AB_CDEF
        for index in order.indices.reversed() where index > 0 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            order.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
        }
        return order
    }()

    struct Scenario {
        var name: String
        var workers: Int
        var readerCap: Int
        var batching: Bool = true
        var prefetch: Bool = false
    }

    @Test("API calls and convergence time of one full refresh")
    func fullRefresh() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            // One at a time: moto's CreateSecret is not safe under concurrent requests.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<1 {
                    group.addTask {
                        for index in stride(from: lane, to: Self.keys, by: 1) {
                            try await admin.createSecret("bench/key-\(index)", string: #"{"password":"value-\#(index)"}"#)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let scenarios = [
                Scenario(name: "no batching (GetSecretValue), 4 workers", workers: 4, readerCap: 8, batching: false),
                Scenario(name: "operator defaults: 4 workers, reader cap 8", workers: 4, readerCap: 8),
                Scenario(name: "32 workers, reader cap 64", workers: 32, readerCap: 64),
                Scenario(name: "due keys prefetched in one read, 4 workers", workers: 4, readerCap: 8, prefetch: true),
            ]
            var lines = ["| scenario | AWS calls | BatchGetSecretValue | GetSecretValue | convergence |", "| --- | ---: | ---: | ---: | ---: |"]
            for scenario in scenarios {
                let counter = RequestCounter()
                let provider = try makeProvider(
                    endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"], counter: counter
                ) { options in
                    options.callPolicy = AWSCallPolicy()
                    if !scenario.batching { options.maxBatchSize = 1 }
                }
                // A cache that outlives the run, so each key costs one read per refresh however slow the baseline.
                let reader = CoalescingReader(provider, configuration: .init(ttl: .seconds(3600), maxConcurrentCalls: scenario.readerCap))
                let start = ContinuousClock.now
                if scenario.prefetch {
                    _ = try await reader.read((0..<Self.keys).map { RemoteSecretID(key: "bench/key-\($0)") })
                }
                let next = WorkCursor()
                let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<scenario.workers {
                        group.addTask {
                            var failed = 0
                            while let index = next.take(limit: Self.externalSecrets) {
                                let id = RemoteSecretID(key: "bench/key-\(Self.assignment[index])")
                                let outcome = try await reader.read([id])[id]
                                if case .success = outcome {} else { failed += 1 }
                            }
                            return failed
                        }
                    }
                    return try await group.reduce(0, +)
                }
                let elapsed = ContinuousClock.now - start
                #expect(failures == 0, "\(scenario.name)")
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                lines.append(
                    "| \(scenario.name) | \(counter.total) | \(counter["BatchGetSecretValue"]) | \(counter["GetSecretValue"]) | \(String(format: "%.1f", seconds)) s |")
                if scenario.prefetch { #expect(counter.total <= (Self.keys + 19) / 20) }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

/// Hands out indexes to workers. `@unchecked Sendable`: `next` is only touched under `lock`.
final class WorkCursor: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
