@testable import KubernetesEmulator
import JSONCore
import Testing

/// Parses a JSON fixture of a unit test (fails the test on bad JSON).
func unitJSON(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        Issue.record("bad JSON fixture: \(error)", sourceLocation: sourceLocation)
        return .null
    }
}

/// The HTTP status an emulator call failed with (nil when it did not fail with an APIError).
func unitAPIErrorCode(_ call: () throws -> Void) -> Int? {
    do {
        try call()
        return nil
    } catch let error as APIError {
        return error.httpCode
    } catch {
        return nil
    }
}

/// The APIError an emulator call failed with.
func unitAPIError(_ call: () throws -> Void) -> APIError? {
    do {
        try call()
        return nil
    } catch let error as APIError {
        return error
    } catch {
        return nil
    }
}

/// Labels as the emulator stores them.
func unitLabels(_ labels: [String: String]) -> JSONObject {
    labels.mapValues { JSONValue.string($0) }
}
