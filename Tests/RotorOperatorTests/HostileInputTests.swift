import Crypto
import EmulatorTestSupport
import FakeProvider
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Extreme numbers and hostile patterns in a tenant's spec or a provider's answer give a
/// condition naming the field, never a trap (a trap kills the operator for every tenant,
/// again at every restart) and never unbounded work.
@Suite("Hostile input: no trap, bounded work")
struct HostileInputTests {
    typealias F = PlanningFixtures

    static func spec(_ json: String) throws -> ExternalSecretSpec {
        try JSONValue(parsing: json).decode(as: ExternalSecretSpec.self)
    }

    static func rotation(_ json: String) throws -> ExternalSecretRotation {
        try JSONValue(parsing: json).decode(as: ExternalSecretRotation.self)
    }

    // MARK: Durations

    @Test("a refreshInterval longer than 8760h is InvalidSpec naming spec.refreshInterval (2562047h used to trap)", arguments: [
        "2562047h", "8761h", "8760h1ns", "525601m", "9999999999999s",
    ])
    func refreshIntervalBeyondMaximum(interval: String) {
        let spec = F.externalSecret(refreshInterval: interval).spec
        guard case .failure(let failure) = RefreshSchedule.of(spec) else {
            Issue.record("\(interval) was accepted")
            return
        }
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure.message.hasPrefix("spec.refreshInterval: "))
        #expect(failure.message.contains("8760h"))
        #expect(failure.isTerminal)
    }

    @Test("the maximum refreshInterval itself is a schedule whose next refresh is about a year away")
    func refreshIntervalAtMaximum() throws {
        let schedule = try RefreshSchedule.of(F.externalSecret(refreshInterval: "8760h").spec).get()
        #expect(schedule == .periodic(every: .seconds(8760 * 3600)))
        guard case .requeue(let after) = RefreshPlanner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now, random: { 1 }) else {
            Issue.record("no requeue")
            return
        }
        // 8760h + 10 % jitter, up to float rounding of a year in nanoseconds.
        #expect(abs((after - .seconds(8760 * 3600 * 11 / 10)).timeInterval) < 0.001)
    }

    @Test("requeue delays saturate instead of trapping, whatever the interval, hint or wake time")
    func delaysSaturate() {
        // An interval no spec can hold any more, as an older operator might have planned it.
        let huge = RefreshSchedule.periodic(every: .seconds(2_562_047 * 3600))
        guard case .requeue(let after) = RefreshPlanner.nextAction(schedule: huge, lastRefresh: nil, now: F.now, random: { 1 }) else {
            Issue.record("no requeue")
            return
        }
        #expect(after == .nanoseconds(Int64.max))
        let far = F.now.addingTimeInterval(1e300)
        #expect(RefreshPlanner.earlier(.done, wake: far, now: F.now) == .requeue(after: .nanoseconds(Int64.max)))
        #expect(Duration.saturating(seconds: .infinity) == .nanoseconds(Int64.max))
        #expect(Duration.saturating(seconds: .nan) == .zero)
        #expect(Duration.saturating(seconds: -5) == .zero)
        #expect(Duration.saturating(seconds: 1.5) == .milliseconds(1500))
    }

    @Test("a provider's Retry-After is honoured up to 10 minutes, never longer")
    func throttleHintIsClamped() {
        let failure = SyncFailure.provider(.throttled(retryAfter: .seconds(1_000_000_000), key: "shop/db"))
        #expect(failure.retryAfter == RetryAfter.maximum)
        guard case .requeue(let after) = RefreshPlanner.afterFailure(failure, random: { 1 }) else {
            Issue.record("no requeue")
            return
        }
        #expect(after <= .seconds(660))
        #expect(after >= .seconds(600))
    }

    @Test("rotation gracePeriod and schedule.every longer than 8760h are InvalidSpec naming the field")
    func rotationDurationsBeyondMaximum() throws {
        let grace = try Self.rotation(#"{"gracePeriod":"2562047h"}"#)
        #expect(RotationPlanner.validate(grace)?.message.hasPrefix("spec.rotation.gracePeriod: ") == true)
        #expect(RotationPlanner.validate(try Self.rotation(#"{"gracePeriod":"8760h"}"#)) == nil)
        let every = try Self.rotation(#"{"gracePeriod":"1h","schedule":{"every":"9000h"},"generate":[{"property":"password"}]}"#)
        #expect(ScheduledRotation.validate(every)?.message.hasPrefix("spec.rotation.schedule.every: ") == true)
    }

    @Test("a generator's digits beyond its length is InvalidSpec, also Int.max (which used to overflow)", arguments: [
        Int64.max, 33, -1,
    ])
    func generatorDigits(digits: Int64) throws {
        let rotation = try Self.rotation(#"{"gracePeriod":"1h","generate":[{"property":"password","length":32,"digits":\#(digits)}]}"#)
        let failure = SecretGenerator.validate(rotation.generate ?? [])
        #expect(failure?.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure?.message.hasPrefix("spec.rotation.generate[0].digits: ") == true)
    }

    // MARK: Patterns

    @Test("a find pattern that is invalid, uses a construct RE2 lacks or is too long is InvalidSpec naming the entry", arguments: [
        (#"(a)\1"#, "backreference"), ("(?=prod)", "lookahead"), ("[a-", "missing closing ]"),
        (String(repeating: "a", count: 1025), "longer than 1024 bytes"), ("x{1001}", "repeat count"),
    ])
    func invalidFindPattern(pattern: String, reason: String) throws {
        var spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"dataFrom":[{"extract":{"key":"shop/db"}},{"find":{"name":{"regexp":"^ok$"}}},{"find":{"name":{"regexp":"x"}}}]}"#)
        spec.dataFrom?[2].find?.name?.regexp = pattern
        let failure = try #require(FindPatternValidation.validate(spec))
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure.message.hasPrefix("spec.dataFrom[2].find.name.regexp: "))
        #expect(failure.message.contains(reason))
        #expect(failure.isTerminal)
        spec.dataFrom?[2].find?.name?.regexp = "^(a+)+$"
        #expect(FindPatternValidation.validate(spec) == nil)
    }

    @Test("dataFrom.find with a catastrophic pattern over many keys completes and syncs exactly the matching keys")
    func catastrophicFindEndToEnd() async throws {
        var entries: [FakeProvider.Entry] = []
        for index in 0..<1_000 { entries.append(.init(key: "app/" + String(repeating: "a", count: 30 + index % 11) + "!\(index)", value: "no")) }
        for length in 1...20 { entries.append(.init(key: "app/" + String(repeating: "a", count: length), value: "v\(length)")) }
        let provider = FakeProvider(data: entries)
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"dataFrom":[{"find":{"path":"app/","name":{"regexp":"^app/(a+)+$"}}}]}"#)
        let values = try await ValueResolver.resolve(spec, from: provider).get()
        #expect(values.count == 20)
        for length in 1...20 {
            #expect(values["app_" + String(repeating: "a", count: length)]?.revealedString() == "v\(length)")
        }
    }

    // MARK: End to end

    @Test("the operator reports a too-long refreshInterval and a bad find pattern as InvalidSpec conditions and keeps running")
    func conditionsNotTraps() async throws {
        try await ExternalSecretControllerTests.withOperator { cluster in
            let client = cluster.client
            let interval = ExternalSecretControllerTests.externalSecret.replacingOccurrences(
                of: #""refreshInterval":"1h""#, with: #""refreshInterval":"2562047h""#)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: interval))
            #expect(await EmulatedCluster.eventually { await Self.ready(client, "db")?.reason == "InvalidSpec" })
            #expect(await Self.ready(client, "db")?.message.contains("spec.refreshInterval") == true)

            let pattern = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"found","namespace":"default"},"spec":{"secretStoreRef":{"name":"fake","kind":"SecretStore"},"dataFrom":[{"find":{"name":{"regexp":"(db)\\1"}}}]}}"#
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: pattern))
            #expect(await EmulatedCluster.eventually { await Self.ready(client, "found")?.reason == "InvalidSpec" })
            #expect(await Self.ready(client, "found")?.message.contains("spec.dataFrom[0].find.name.regexp") == true)

            // Still alive: a good ExternalSecret syncs.
            let good = ExternalSecretControllerTests.externalSecret.replacingOccurrences(of: #""name":"db""#, with: #""name":"good""#)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: good))
            #expect(await EmulatedCluster.eventually { await Self.ready(client, "good")?.reason == "Synced" })
        }
    }

    static func ready(_ client: HTTPKubernetesClient, _ name: String) async -> (reason: String, message: String)? {
        guard let es = try? await client.get(ExternalSecret.self, namespace: "default", name: name),
            let ready = es.status?.conditions?.first(where: { $0.type == "Ready" })
        else { return nil }
        return (ready.reason ?? "", ready.message ?? "")
    }
}
