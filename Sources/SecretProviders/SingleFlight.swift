/// Shares one in-flight call per key among concurrent callers.
///
/// The first caller for a key starts `operation`; callers arriving while it runs
/// wait for the same outcome (value or error). Once it finishes, the next caller
/// starts a new one: nothing is cached. Used for logins and credential refreshes
/// (one per store, never one per ExternalSecret).
///
/// Cancelling a caller does not cancel the shared call (others depend on it); the
/// caller gets the shared outcome when the call lands.
public actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private struct Flight {
        var id: UInt64
        var task: Task<Value, any Error>
        var callers: Int
    }

    private var flights: [Key: Flight] = [:]
    private var nextID: UInt64 = 0

    public init() {}

    /// The outcome of the call in flight for `key`, or of a new call of `operation`.
    public func run(_ key: Key, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if var existing = flights[key] {
            existing.callers += 1
            flights[key] = existing
            return try await existing.task.value
        }
        nextID &+= 1
        let id = nextID
        let task = Task { try await operation() }
        flights[key] = Flight(id: id, task: task, callers: 1)
        let result = await task.result
        // The starter forgets the flight as soon as it lands; later callers start afresh.
        if flights[key]?.id == id { flights[key] = nil }
        return try result.get()
    }

    /// Callers that joined the call in flight for `key`, the starter included (0 when none).
    public func callers(for key: Key) -> Int { flights[key]?.callers ?? 0 }

    /// Keys with a call in flight.
    public var inFlightCount: Int { flights.count }
}
