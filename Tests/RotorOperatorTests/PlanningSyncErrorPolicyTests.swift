import KubeClient
import KubeRuntime
import KubeAPI
import RotorOperator
import SecretProviders
import Testing

/// How a failed sync is retried (``SyncErrorPolicy``).
@Suite("Planning: sync error policy")
struct PlanningSyncErrorPolicyTests {
    static func apiError(_ reason: String, _ code: Int) -> KubeAPIError {
        KubeAPIError(status: Status(message: "secrets \"db\" \(reason)", reason: reason, code: code), httpStatus: code)
    }

    enum Retry: String, CaseIterable { case waitForChange, requeueAfterHint, backoff }

    @Test("a bad spec waits for a change, a throttling hint is honoured, anything else backs off", arguments: [
        (SyncFailure.invalidSpec(field: "spec.refreshInterval", problem: "not a duration"), Retry.waitForChange),
        (.provider(.throttled(retryAfter: .seconds(30))), .requeueAfterHint),
        (.provider(.transient()), .backoff), (.storeNotReady("not checked yet", isPending: true), .backoff),
    ])
    func retry(_ failure: SyncFailure, expected: Retry) {
        switch expected {
        case .waitForChange:
            let error = #expect(throws: TerminalError.self) { try SyncErrorPolicy.result(after: failure, random: { 0 }) }
            #expect(error?.message == failure.message)
        case .requeueAfterHint:
            #expect((try? SyncErrorPolicy.result(after: failure, random: { 0 })) == .requeue(after: .seconds(30)))
            #expect((try? SyncErrorPolicy.result(after: failure, random: { 1 })) == .requeue(after: .seconds(33)))
        case .backoff:
            let error = #expect(throws: SyncFailure.self) { try SyncErrorPolicy.result(after: failure, random: { 0 }) }
            #expect(error == failure)
        }
    }

    @Test("a failure still starting (a store not checked yet) gets no warning Event; others do", arguments: [
        (SyncFailure.storeNotReady("not checked yet", isPending: true), false), (.storeNotReady("not ready"), true),
        (.provider(.transient()), true),
    ])
    func warnings(_ failure: SyncFailure, warns: Bool) {
        #expect(SyncErrorPolicy.warns(of: failure) == warns)
    }

    @Test("a 409 on a write is left to the controller; a presumed-missing create that finds the Secret reads it; the rest is reported", arguments: [
        ("Conflict", 409, false, "leave"), ("AlreadyExists", 409, false, "leave"), ("AlreadyExists", 409, true, "read"),
        ("Conflict", 409, true, "leave"), ("Invalid", 422, false, "WriteRejected"), ("Forbidden", 403, false, "Forbidden"),
        ("InternalError", 500, false, "WriteFailed"),
    ])
    func writeErrors(reason: String, code: Int, presumedMissing: Bool, expected: String) {
        let response = SyncErrorPolicy.afterWriteError(Self.apiError(reason, code), object: "Secret shop/db", presumedMissing: presumedMissing)
        switch response {
        case .leaveToController: #expect(expected == "leave")
        case .readTargetAndRetry: #expect(expected == "read")
        case .report(let failure):
            #expect(failure.reason == expected)
            #expect(failure.message.contains("Secret shop/db"))
        }
    }

    @Test("a delete that finds the Secret gone or changed is done; any other refusal is reported", arguments: [
        ("NotFound", 404, String?.none), ("Conflict", 409, nil), ("Forbidden", 403, "Forbidden"), ("InternalError", 500, "WriteFailed"),
    ])
    func deleteErrors(reason: String, code: Int, expected: String?) {
        #expect(SyncErrorPolicy.afterDeleteError(Self.apiError(reason, code), object: "Secret shop/db")?.reason == expected)
    }
}
