import Foundation
import KubeRuntime
import RotorAPI
import SecretProviders

/// Decisions of scheduled rotation (pure): when one is due, where its values go, what is
/// written. The reconciler performs them in two phases: record `pendingID`,
/// write the provider idempotently, sync with overlap, restart targets, clear `pendingID`.
public enum ScheduledRotation {
    /// What a reconcile does about scheduled rotation.
    public enum Decision: Sendable, Hashable {
        /// Nothing to do now.
        case none
        /// Start one: record a new `pendingID` first.
        case start
        /// Finish the one recorded in `status.rotation.pendingID` (after a crash or a failed write).
        case resume(pendingID: String)
        /// A recorded rotation can no longer be carried out (rotation or `generate` removed): forget it.
        case abandon
    }

    /// `InvalidSpec` for a schedule or generators that cannot be acted on. Only checked when
    /// the spec asks for scheduled rotation (a schedule, or `generate`).
    public static func validate(_ rotation: ExternalSecretRotation) -> SyncFailure? {
        if let schedule = rotation.schedule {
            switch (schedule.every, schedule.cron) {
            case (let every?, nil):
                guard let duration = KubeDuration(every), duration >= .minutes(1) else {
                    return .invalidSpec(field: "spec.rotation.schedule.every", problem: "\"\(every)\" is not a duration of at least 1m")
                }
                guard duration <= KubeDuration.specMaximum else {
                    return .invalidSpec(
                        field: "spec.rotation.schedule.every", problem: "\"\(every)\" is longer than the maximum \(KubeDuration.specMaximumText)")
                }
            case (nil, let cron?):
                do {
                    _ = try CronSchedule(parsing: cron)
                } catch {
                    return .invalidSpec(field: "spec.rotation.schedule.cron", problem: error.description)
                }
            default:
                return .invalidSpec(field: "spec.rotation.schedule", problem: "set exactly one of every or cron")
            }
            if (rotation.generate ?? []).isEmpty {
                return .invalidSpec(field: "spec.rotation.generate", problem: "a schedule needs at least one generator: it says what to write to the provider")
            }
        }
        return SecretGenerator.validate(rotation.generate ?? [])
    }

    /// The first scheduled time after `date`, or `nil` without a (valid) schedule.
    public static func next(after date: Date, schedule: RotationSchedule?) -> Date? {
        guard let schedule else { return nil }
        if let every = schedule.every.flatMap(KubeDuration.init), every > .zero, every <= KubeDuration.specMaximum {
            return Date(timeIntervalSince1970: date.addingTimeInterval(every.timeInterval).timeIntervalSince1970.rounded(.up))
        }
        if let cron = schedule.cron, let parsed = try? CronSchedule(parsing: cron) {
            return parsed.next(after: date)
        }
        return nil
    }

    /// `status.rotation.nextRotation` after a reconcile at `now`: the recorded time, pulled
    /// earlier when the schedule now says so; first set one period from now (a new
    /// schedule does not rotate at once); cleared without a schedule.
    public static func nextRotation(recorded: Date?, schedule: RotationSchedule?, now: Date) -> Date? {
        guard let upcoming = next(after: now, schedule: schedule) else { return nil }
        guard let recorded else { return upcoming }
        return min(recorded, upcoming)
    }

    /// Whether and how a rotation runs now.
    ///
    /// - Parameters:
    ///   - rotateAnnotation: the ExternalSecret's `rotor.dev/rotate` value; a non-empty value
    ///     other than `status.rotation.rotateRequest` asks for a rotation now.
    public static func decide(
        rotation: ExternalSecretRotation?, status: ExternalSecretRotationStatus?, rotateAnnotation: String?, now: Date
    ) -> Decision {
        let generators = rotation?.generate ?? []
        if let pendingID = status?.pendingID {
            return generators.isEmpty ? .abandon : .resume(pendingID: pendingID)
        }
        guard !generators.isEmpty else { return .none }
        if let request = rotateAnnotation, !request.isEmpty, request != status?.rotateRequest { return .start }
        if rotation?.schedule != nil, let due = status?.nextRotation?.date, now >= due { return .start }
        return .none
    }

    /// The remote secret the generated properties are written to: the one key that the
    /// `data` entries reading those properties name (or the one `dataFrom.extract` key).
    public static func remoteKey(for spec: ExternalSecretSpec) -> Result<String, SyncFailure> {
        let properties = Set((spec.rotation?.generate ?? []).map(\.property))
        var keys = Set((spec.data ?? []).filter { $0.remoteRef.property.map(properties.contains) ?? false }.map(\.remoteRef.key))
        if keys.isEmpty {
            keys = Set((spec.dataFrom ?? []).compactMap { $0.extract?.key })
        }
        guard keys.count == 1, let key = keys.first else {
            let problem = keys.isEmpty
                ? "no data entry reads the generated properties \(properties.sorted()) (remoteRef.property), so there is no remote secret to write them to"
                : "the generated properties are read from several remote secrets \(keys.sorted()); one rotation writes one"
            return .failure(.invalidSpec(field: "spec.rotation.generate", problem: problem))
        }
        return .success(key)
    }

    /// The generated values, reproducible for one `pendingID` (see ``RotationRandomStream``).
    public static func generatedValues(_ generators: [RotationGenerator], installKey: [UInt8], pendingID: String) -> [String: SecretValue] {
        var values: [String: SecretValue] = [:]
        for generator in generators {
            var random = RotationRandomStream(installKey: installKey, pendingID: pendingID, property: generator.property)
            values[generator.property] = SecretGenerator.generate(generator, using: &random)
        }
        return values
    }

    /// Read-modify-write: the document written to the provider, the current secret `current`
    /// (a JSON object) with the generated properties replaced as JSON strings (added when
    /// absent). Every other property is kept exactly as it is: numbers, booleans, null,
    /// nested objects and arrays keep their JSON type and text; nothing is re-encoded
    /// through a number type. A current value that is not a JSON object is an
    /// `invalidRequest` naming `key`, never the content.
    public static func merged(current: SecretValue, generated: [String: SecretValue], key: String) throws(ProviderError) -> SecretValue {
        try current.replacingJSONProperties(generated, key: key)
    }

    /// Whether the remote already holds every generated value (the write happened before a
    /// crash): then it is not written again, whatever the provider's idempotency support.
    public static func alreadyApplied(current: [String: SecretValue], generated: [String: SecretValue]) -> Bool {
        generated.allSatisfy { property, value in
            guard let present = current[property] else { return false }
            return constantTimeEquals(present.revealedBytes(), value.revealedBytes())
        }
    }

    /// A new rotation ID: a random UUID (the AWS `ClientRequestToken`; 36 characters).
    public static func newPendingID() -> String {
        UUID().uuidString.lowercased()
    }
}

/// The `rotor.dev/rotate` annotation: any new value asks for a scheduled rotation now.
public enum RotateRequest {
    /// For the controller's `urgent` hook: the annotation was set or changed to a non-empty value.
    public static func isRequested(old: ExternalSecret, new: ExternalSecret) -> Bool {
        let key = ExternalSecretAnnotations.rotate
        guard let value = new.metadata.annotations?[key], !value.isEmpty else { return false }
        return old.metadata.annotations?[key] != value
    }
}
