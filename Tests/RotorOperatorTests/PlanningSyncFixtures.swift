import Foundation
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders

/// ExternalSecrets, Secrets and inputs for the tests of ``ExternalSecretSyncPlanner``.
/// Secrets are made by the planner itself (a first sync's create, as the API server stores
/// it), so each test starts from a state a real reconcile leaves.
enum SyncFixtures {
    typealias Planner = ExternalSecretSyncPlanner

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let keyBytes: [UInt8] = Array(repeating: 9, count: 32)
    static let store = PlanningFixtures.vaultStore
    static let hourly = RefreshSchedule.periodic(every: .seconds(3600))

    /// An ExternalSecret `shop/db` reading `shop/db` into `password`, refreshed hourly.
    /// - Parameters:
    ///   - rotation, target, dataFrom: JSON of those spec fields, when given.
    static func externalSecret(
        rotation: String? = nil, target: String? = nil, dataFrom: String? = nil, annotations: [String: String]? = nil,
        status: ExternalSecretStatus? = nil, generation: Int64 = 3
    ) -> ExternalSecret {
        var spec = #""secretStoreRef":{"name":"vault"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"shop/db"}}]"#
        if let rotation { spec += #","rotation":"# + rotation }
        if let target { spec += #","target":"# + target }
        if let dataFrom { spec += #","dataFrom":"# + dataFrom }
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"shop","uid":"uid-es-db"},"spec":{\#(spec)}}"#
        // The JSON above is fixed test text: it always parses.
        var es = try! JSONValue(parsing: json).decode(as: ExternalSecret.self)
        es.metadata.generation = generation
        es.metadata.annotations = annotations
        es.status = status
        return es
    }

    static func rendered(_ password: String) -> RenderedSecret {
        RenderedSecret(data: ["password": SecretValue(utf8: password)])
    }

    static func fingerprint(_ password: String) -> String {
        SecretFingerprint.combined(rendered(password).data, key: .init(data: keyBytes))
    }

    static func input(
        _ es: ExternalSecret, password: String = "v1", existing: Secret? = nil, verified: VerifiedTargets.Entry? = nil,
        pendingRollouts: [PendingRollout] = [], scheduledWritten: Bool = false, at time: Date = now
    ) -> SyncInput {
        SyncInput(
            externalSecret: es, schedule: hourly, store: store, rendered: rendered(password), verified: verified, existing: existing,
            recordedWindow: RotationWindow.read(from: existing?.metadata.annotations), pendingRollouts: pendingRollouts,
            scheduledWritten: scheduledWritten, fingerprintKey: keyBytes, now: time)
    }

    /// The planner's steps for `input`; nil when it fails the sync.
    static func steps(_ input: SyncInput) -> SyncSteps? {
        guard case .carryOut(let steps) = Planner.sync(input) else { return nil }
        return steps
    }

    /// The Secret a sync of `es` to `password` leaves (created or updated from `existing`),
    /// as the API server stores it, and `es` with the status that sync writes.
    static func synced(
        _ es: ExternalSecret, password: String = "v1", existing: Secret? = nil, at time: Date = now
    ) -> (secret: Secret, externalSecret: ExternalSecret) {
        guard let steps = steps(input(es, password: password, existing: existing, at: time)) else {
            preconditionFailure("the fixture's sync must not fail")
        }
        let secret: Secret
        switch steps.write {
        case .create(let written): secret = renderingStored(written, resourceVersion: "100")
        case .update(let written): secret = renderingStored(written, resourceVersion: "101")
        case .none: secret = existing!
        }
        var after = es
        after.status = Planner.desiredStatus(es, steps.status, now: time) ?? es.status
        return (secret, after)
    }

    static func intake(
        _ es: ExternalSecret, existing: Secret? = nil, verified: VerifiedTargets.Entry? = nil, managerGone: Bool = false, at time: Date = now
    ) -> IntakeDecision {
        Planner.intake(SyncIntake(
            externalSecret: es, schedule: hourly, store: store, verified: verified, existing: existing, recordedManagerGone: managerGone,
            fingerprintKey: keyBytes, now: time))
    }

    static func course(_ decision: IntakeDecision) -> SyncCourse? {
        guard case .proceed(let course) = decision else { return nil }
        return course
    }

    /// A Secret recording a window of keys `password`, from `rotatedAt` to `graceUntil`.
    static func withWindow(_ secret: Secret, rotatedAt: Date, graceUntil: Date) -> Secret {
        var secret = secret
        let window = RotationWindow(rotatedAt: rotatedAt, graceUntil: graceUntil, previousKeys: ["password"])
        secret.metadata.annotations = (secret.metadata.annotations ?? [:]).merging(window.annotations) { _, new in new }
        secret.data?["password_previous"] = Data("v0".utf8)
        return secret
    }

    static func entry(
        version: String = "100", fingerprint: String = fingerprint("v1"), uid: String? = "uid-es-db", generation: Int64? = 3
    ) -> VerifiedTargets.Entry {
        VerifiedTargets.Entry(secretResourceVersion: version, fingerprint: fingerprint, uid: uid, generation: generation, created: now)
    }

    static func seconds(_ action: ReconcileAction) -> TimeInterval? {
        guard case .requeue(let after) = action else { return nil }
        return after.timeInterval
    }
}
