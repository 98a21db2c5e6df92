import Foundation
import KubeClient
import KubeAPI

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kubeclient-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (relative to the directory) and returns its full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock that only moves when told to, or when something sleeps on it (the
/// sleep returns at once and records how long it would have lasted).
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleeps: [Duration] = []

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// How long each sleep would have lasted, in order.
    var recordedSleeps: [Duration] { lock.withLock { sleeps } }

    func advance(by duration: Duration) {
        lock.withLock { current = current.advanced(by: duration) }
    }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        lock.withLock {
            sleeps.append(current.duration(to: deadline))
            if current < deadline { current = deadline }
        }
    }
}

/// A small namespaced custom resource for the typed API.
struct Widget: KubernetesResource, Equatable {
    static let resourceType = ResourceType(group: "test.rotor.dev", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    var spec: Spec

    struct Spec: Codable, Sendable, Equatable {
        var size: Int
    }

    init(namespace: String, name: String, size: Int) {
        metadata = ObjectMeta(name: name, namespace: namespace)
        spec = Spec(size: size)
    }
}

/// Built-in resource types for path tests (the typed ones are written elsewhere).
enum TestTypes {
    static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    static let deployments = ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
}
