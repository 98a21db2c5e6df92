import Crypto
import Foundation
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
@testable import RotorOperator
import SecretProviders
import Testing

/// The reconciler's decisions for one generated case, made by the same pure planners in
/// the same order as `ExternalSecretReconciler.converge` (the end-to-end tests in
/// `HostileReconcileTests` run the reconciler itself on a smaller batch).
enum PurePipeline {
    enum Outcome {
        /// The JSON does not decode (a wrong type: the API server's schema refuses it too).
        case undecodable
        case failed(SyncFailure, resolve: ResolveFailure?)
        case write(Secret, rendered: RenderedSecret)
        case noWrite
        /// The store is not a fake one: its provider was built, no network call made.
        case providerBuilt
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static var fingerprintKey: SymmetricKey { SymmetricKey(data: Array(repeating: UInt8(7), count: 32)) }

    static func run(_ c: SpecCase, providers: StoreProviders) async -> Outcome {
        guard case .success(let es) = c.decoded() else { return .undecodable }
        func failed(_ failure: SyncFailure, _ resolve: ResolveFailure? = nil) -> Outcome {
            // What the reconciler does with a failure: the status it writes, the retry it picks.
            let status = ExternalSecretStatusPlanner.desiredStatus(current: es.status, generation: es.metadata.generation, outcome: .failed(failure), now: now)
            _ = try? JSONValue(encoding: status)
            _ = RefreshPlanner.afterFailure(failure, random: { 0.5 })
            return .failed(failure, resolve: resolve)
        }
        let schedule: RefreshSchedule
        switch RefreshSchedule.of(es.spec) {
        case .success(let s): schedule = s
        case .failure(let failure): return failed(failure)
        }
        if let failure = SpecValidation.firstProblem(es.spec) { return failed(failure) }
        let resolution = StoreResolution.resolve(
            es, namespaceLabels: [:],
            secretStore: { namespace, name in namespace == c.store.metadata.namespace && name == c.store.metadata.name ? c.store : nil },
            clusterSecretStore: { _ in nil })
        guard case .resolved(let store) = resolution else { return failed(resolution.failure ?? .storeNotReady("?")) }
        // Scheduled rotation: what would be written to the provider, computed but not written.
        let decision = ScheduledRotation.decide(rotation: es.spec.rotation, status: nil, rotateAnnotation: "now", now: now)
        if decision == .start, let rotation = es.spec.rotation {
            if case .failure(let failure) = ScheduledRotation.remoteKey(for: es.spec) { return failed(failure) }
            let generated = ScheduledRotation.generatedValues(rotation.generate ?? [], installKey: Array(repeating: 1, count: 32), pendingID: "p-1")
            _ = try? ScheduledRotation.merged(current: SecretValue(utf8: "{}"), generated: generated, key: "k")
        }
        let targetState: TargetState = c.existing == nil ? .missing : .drifted
        let version = SyncedVersion(externalSecret: es, store: store)
        guard RefreshPlanner.dueReason(schedule: schedule, status: es.status, current: version, target: targetState, now: now) != nil else {
            return .noWrite
        }
        let reader: CoalescingReader
        do {
            reader = try await providers.reader(for: store.identity, provider: store.provider)
        } catch {
            return failed(.provider(error, store: store.identity))
        }
        guard store.provider.fake != nil else { return .providerBuilt }
        let values: [String: SecretValue]
        switch await ValueResolver.resolve(es.spec, from: reader) {
        case .success(let v): values = v
        case .failure(let failure):
            var composed = SyncFailure.provider(failure.error, store: store.identity)
            composed.message = "\(failure.field): \(composed.message)"
            return failed(composed, failure)
        }
        let rendered: RenderedSecret
        do {
            rendered = try SecretRenderer.render(externalSecret: es, values: values)
        } catch {
            return failed(error.syncFailure)
        }
        let rotationPlan: RotationPlan
        switch RotationPlanner.plan(
            existing: c.existing, rendered: rendered.data, rotation: es.spec.rotation,
            creationPolicy: es.spec.target?.effectiveCreationPolicy ?? .owner, now: now)
        {
        case .success(let p): rotationPlan = p
        case .failure(let failure): return failed(failure)
        }
        let plan = ManagedSecretPlan(
            rendered: rendered, externalSecret: es, existing: c.existing, fingerprintKey: fingerprintKey, additions: rotationPlan.additions)
        let outcome: Outcome
        switch plan.action {
        case .create(let secret), .update(let secret): outcome = .write(secret, rendered: rendered)
        case .none: outcome = .noWrite
        case .refuse(let refusal): return failed(refusal.syncFailure)
        }
        // The status written and the next wake-up.
        let rotationStatus = RotationStatusPlanner.status(current: nil, rotation: es.spec.rotation, window: rotationPlan.window, now: now)
        var status = ExternalSecretStatusPlanner.desiredStatus(
            current: es.status, generation: es.metadata.generation,
            outcome: .synced(SyncedSecret(secretName: es.targetSecretName, store: store.identity, syncedVersion: version, fingerprint: plan.fingerprint)),
            now: now)
        status.rotation = rotationStatus
        _ = try? JSONValue(encoding: status)
        let refresh = RefreshPlanner.nextAction(schedule: schedule, lastRefresh: now, now: now, random: { RefreshPlanner.jitterDraw(for: es) })
        _ = RefreshPlanner.earlier(RefreshPlanner.earlier(refresh, wake: rotationPlan.nextWake, now: now), wake: rotationStatus?.nextRotation?.date, now: now)
        return outcome
    }

    /// What is wrong with `outcome` for case `c`; empty when every property holds.
    static func violations(_ c: SpecCase, _ outcome: Outcome) -> [String] {
        var problems: [String] = []
        let invalid = c.invalidFields
        switch outcome {
        case .undecodable, .providerBuilt:
            break
        case .noWrite:
            if !invalid.isEmpty { problems.append("an invalid spec (\(invalid)) was accepted without a condition") }
        case .write(let secret, let rendered):
            if !invalid.isEmpty { problems.append("an invalid spec (\(invalid)) was written") }
            // Never partial: every rendered key is written, with its value.
            for (key, value) in rendered.data where secret.data?[key] != Data(value.revealedBytes()) {
                problems.append("the written Secret lacks or changes rendered key \(Hostile.show(key))")
            }
        case .failed(let failure, let resolve):
            if failure.message.contains(canaryMarker) { problems.append("a failure message holds a secret value") }
            if failure.reason == ExternalSecretConditions.Reason.invalidSpec, !failure.message.contains("spec.") {
                problems.append("InvalidSpec without a field: \(Hostile.show(failure.message))")
            }
            if !invalid.isEmpty, !failure.message.contains("spec.") {
                problems.append("an invalid spec (\(invalid)) failed without naming a field: \(Hostile.show(failure.message))")
            }
            if let resolve {
                // A provider failure names the store, and the key for a read of one key.
                if !failure.message.contains("SecretStore/\(SpecCase.namespace)/") {
                    problems.append("a provider failure does not name the store: \(Hostile.show(failure.message))")
                }
                let perKey = resolve.field.hasSuffix(".remoteRef") || resolve.field.hasPrefix("spec.dataFrom") && resolve.error.class != .invalidRequest && resolve.error.class != .unsupported
                if perKey, resolve.error.key == nil {
                    problems.append("a provider failure of \(resolve.field) does not name the key: \(Hostile.show(failure.message))")
                }
            }
        }
        return problems
    }

    /// Every value the generated fake stores hold contains this, so a leak is seen.
    static let canaryMarker = "fuzzcanary"
}

@Suite("Hostile input: generated specs through the planners")
struct HostileSpecPropertyTests {
    @Test("10,000 generated ExternalSecrets and stores: no trap, no partial Secret, every invalid field named")
    func generatedSpecsKeepTheProperties() async throws {
        let seed = FuzzRandom.runSeed(default: 0x5EED_13)
        let cases = FuzzRandom.caseCount(10_000)
        print("hostile specs: seed \(seed), \(cases) cases (replay with ROTOR_FUZZ_SEED=\(seed))")
        let providers = StoreProviders()
        var outcomes: [String: Int] = [:]
        var validStartsSynced = 0
        var validStarts = 0
        var failures: [String] = []
        for index in 0..<cases {
            // Let the other suites' tasks run: the cooperative pool has one thread per core.
            if index % 16 == 0 { await Task.yield() }
            let caseSeed = FuzzRandom.caseSeed(run: seed, index: index)
            let c = SpecCaseGenerator.make(seed: caseSeed)
            if FuzzRandom.tracing { print("case \(index): \(c)") }
            let outcome = await PurePipeline.run(c, providers: providers)
            outcomes[Self.name(outcome), default: 0] += 1
            if c.mutations.isEmpty, c.existing?.metadata.labels?["rotor.dev/managed"] != nil || c.existing == nil {
                validStarts += 1
                if case .write = outcome { validStartsSynced += 1 }
            }
            let problems = PurePipeline.violations(c, outcome)
            if !problems.isEmpty, failures.count < 5 {
                let minimal = await SpecCaseGenerator.shrink(seed: caseSeed) { candidate in
                    !PurePipeline.violations(candidate, await PurePipeline.run(candidate, providers: providers)).isEmpty
                }
                let minimalProblems = PurePipeline.violations(minimal, await PurePipeline.run(minimal, providers: providers))
                failures.append("run seed \(seed) case \(index) — minimal: \(minimal) — \(minimalProblems.joined(separator: " / "))")
            }
        }
        print("hostile specs: outcomes \(outcomes.sorted { $0.key < $1.key })")
        #expect(cases >= 10_000)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // The harness is not vacuous: valid starting points sync, and many cases get far.
        #expect(validStarts > 100 && validStartsSynced == validStarts, "valid starting points synced: \(validStartsSynced) of \(validStarts)")
        #expect((outcomes["failed"] ?? 0) > cases / 10 && (outcomes["write"] ?? 0) > cases / 5)
    }

    static func name(_ outcome: PurePipeline.Outcome) -> String {
        switch outcome {
        case .undecodable: "undecodable"
        case .failed: "failed"
        case .write: "write"
        case .noWrite: "noWrite"
        case .providerBuilt: "providerBuilt"
        }
    }
}
