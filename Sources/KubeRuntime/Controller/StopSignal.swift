import NIOConcurrencyHelpers

/// A one-way "stop now" flag with callbacks, set synchronously from cancellation and
/// graceful-shutdown handlers (which cannot await), so that no worker starts another
/// reconcile while the asynchronous part of shutting down is still on its way.
final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var handlers: [@Sendable () -> Void] = []
    }

    private let state = NIOLockedValueBox(State())

    var isStopped: Bool { state.withLockedValue { $0.stopped } }

    /// Sets the flag and runs every registered handler once.
    func stop() {
        let handlers = state.withLockedValue { state -> [@Sendable () -> Void] in
            guard !state.stopped else { return [] }
            state.stopped = true
            defer { state.handlers.removeAll() }
            return state.handlers
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` on stop (at once if already stopped).
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLockedValue { state -> Bool in
            if state.stopped { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}
