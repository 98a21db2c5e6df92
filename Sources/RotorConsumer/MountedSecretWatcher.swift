import Foundation

/// Follows a mounted Secret while the service runs: polls the directory at an interval,
/// re-reads it when kubelet swaps in a new version, and publishes the new snapshot.
///
/// Change detection is cheap for kubelet's layout: only the `..data` symlink target is
/// read each interval, and the files are read when it changes (kubelet never edits a
/// published version in place). A plain directory is re-read every interval and compared.
///
/// A reload that fails — `..data` pointing at a missing directory, an unreadable file, a
/// required key absent — keeps the last good snapshot; the failure is available from
/// ``lastError`` and the next interval tries again. Polling is used instead of inotify
/// because Secret volumes change by symlink swaps that inotify reports unreliably across
/// platforms, and kubelet itself only refreshes volumes every minute or so.
///
/// ```swift
/// let watcher = try MountedSecretWatcher(directory: URL(fileURLWithPath: "/etc/db"))
/// Task { await watcher.run() }                       // polls until cancelled
/// Task {
///     for await snapshot in watcher.updates() {       // one element per change
///         pool.reconnect(password: snapshot.current("password"))
///     }
/// }
/// let result = watcher.verify(presented: token, key: "token")   // latest snapshot
/// ```
public final class MountedSecretWatcher: Sendable {
    /// Suspends for the given duration. Injected so tests advance polling explicitly;
    /// throwing (e.g. `CancellationError`) ends ``run()``.
    public typealias Sleep = @Sendable (Duration) async throws -> Void

    private struct State {
        var snapshot: MountedSecret
        var lastError: MountedSecretError?
        var subscribers: [UUID: AsyncStream<MountedSecret>.Continuation] = [:]
        var finished = false
    }

    /// The watched directory.
    public let directory: URL
    /// The options every load uses.
    public let options: MountedSecret.Options
    /// Time between checks.
    public let interval: Duration
    private let sleep: Sleep
    private let state: LockedState<State>

    /// Loads the directory once (throwing if that fails, so a service does not start
    /// without its credentials) and prepares to poll every `interval`.
    ///
    /// - Parameter sleep: how to wait between checks; defaults to `Task.sleep(for:)`.
    public init(
        directory: URL,
        options: MountedSecret.Options = MountedSecret.Options(),
        interval: Duration = .seconds(5),
        sleep: @escaping Sleep = { try await Task.sleep(for: $0) }
    ) throws {
        self.directory = directory
        self.options = options
        self.interval = interval
        self.sleep = sleep
        let initial = try MountedSecret(directory: directory, options: options)
        self.state = LockedState(State(snapshot: initial))
    }

    /// The latest good snapshot. Cheap; call it per request.
    public var snapshot: MountedSecret { state.withLock { $0.snapshot } }

    /// The error of the most recent check, or `nil` if it succeeded. While set, ``snapshot``
    /// is the last good one.
    public var lastError: MountedSecretError? { state.withLock { $0.lastError } }

    /// `MountedSecret.verify(presented:key:)` against the latest snapshot.
    public func verify(presented: String, key: String) -> VerificationResult {
        snapshot.verify(presented: presented, key: key)
    }

    /// A stream of new snapshots, one per change in content after the call. Each call
    /// returns an independent stream; it finishes when ``run()`` returns or ``finish()``
    /// is called. A slow reader loses the oldest of more than 16 pending updates.
    public func updates() -> AsyncStream<MountedSecret> {
        let (stream, continuation) = AsyncStream.makeStream(of: MountedSecret.self, bufferingPolicy: .bufferingNewest(16))
        let id = UUID()
        let alreadyFinished = state.withLock { state -> Bool in
            if state.finished { return true }
            state.subscribers[id] = continuation
            return false
        }
        if alreadyFinished {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    /// Polls until the calling task is cancelled (or the injected sleep throws), then
    /// finishes every ``updates()`` stream.
    public func run() async {
        defer { finish() }
        while !Task.isCancelled {
            do {
                try await sleep(interval)
            } catch {
                return
            }
            if Task.isCancelled { return }
            checkForUpdate()
        }
    }

    /// Checks the directory once now; ``run()`` calls this every interval. Useful to react
    /// to an external trigger (a signal, an admin endpoint) and in tests.
    ///
    /// - Returns: `true` when a snapshot with different content was published.
    @discardableResult
    public func checkForUpdate() -> Bool {
        let current = snapshot
        if current.version != nil, lastError == nil,
           let target = try? MountedSecretLoader.dataLinkTarget(in: directory),
           URL(fileURLWithPath: target).lastPathComponent == current.version {
            return false
        }
        let loaded: MountedSecret
        do {
            loaded = try MountedSecret(directory: directory, options: options)
        } catch {
            state.withLock { $0.lastError = error }
            return false
        }
        let (changed, subscribers) = state.withLock { state -> (Bool, [AsyncStream<MountedSecret>.Continuation]) in
            let changed = !loaded.hasSameContent(as: state.snapshot)
            state.lastError = nil
            state.snapshot = loaded
            return (changed, changed ? Array(state.subscribers.values) : [])
        }
        for subscriber in subscribers { subscriber.yield(loaded) }
        return changed
    }

    /// Finishes every ``updates()`` stream; later calls to ``updates()`` return finished
    /// streams. ``snapshot`` and ``checkForUpdate()`` keep working.
    public func finish() {
        let subscribers = state.withLock { state -> [AsyncStream<MountedSecret>.Continuation] in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}

/// A value guarded by an `NSLock` (Foundation only; `Mutex` needs macOS 15 and the
/// package supports macOS 14).
///
/// `@unchecked Sendable` is safe because `value` is private and only ever read or written
/// inside `withLock`, which holds the lock for the whole access; `State` is only handed
/// out by value through the closure's result.
final class LockedState<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: State

    init(_ value: State) { self.value = value }

    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
