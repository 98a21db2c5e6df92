import Foundation
import JSONCore
import KubeAPI

/// Events as kube-apiserver serves them: one storage (core `v1` Events) seen through two
/// APIs, `v1` and `events.k8s.io/v1`. An Event written through either is read, listed
/// and watched through both, under the same name, uid and resourceVersion, so
/// `kubectl get events` shows what a controller recorded with the newer API.
///
/// The field correspondence is the one kube-apiserver's conversion applies
/// (`regarding` ↔ `involvedObject`, `note` ↔ `message`, the `deprecated*` fields ↔ the
/// core ones, `reportingController` ↔ `reportingComponent`); the rest is shared. Both
/// directions only rename what is present, so converting an object already in the
/// target form changes nothing but its `apiVersion`.
enum EventsConversion {
    /// Core `v1` field → `events.k8s.io/v1` field.
    static let renames: [(core: String, events: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"), ("reportingComponent", "reportingController"),
    ]

    /// The `events.k8s.io/v1` view of the core storage.
    static let view = StorageView(
        storedAs: ResourceID(group: "", plural: "events"),
        toStorage: { toCore($0) }, fromStorage: { toEventsV1($0) })

    static func toEventsV1(_ object: JSONObject) -> JSONObject {
        var out = object
        out["apiVersion"] = "events.k8s.io/v1"
        out["kind"] = "Event"
        for (core, events) in renames { rename(&out, from: core, to: events) }
        return out
    }

    static func toCore(_ object: JSONObject) -> JSONObject {
        var out = object
        out["apiVersion"] = "v1"
        out["kind"] = "Event"
        for (core, events) in renames { rename(&out, from: events, to: core) }
        // A core Event's source is a struct kube-apiserver always writes out.
        if out["source"] == nil { out["source"] = .object([:]) }
        return out
    }

    private static func rename(_ object: inout JSONObject, from: String, to: String) {
        guard let value = object.removeValue(forKey: from) else { return }
        if case .null = value { return }
        object[to] = value
    }
}

/// A resource served from another's storage (``ResourceDescriptor/view``): objects are
/// stored in the other's form and converted on the way in and out.
struct StorageView: Sendable {
    /// The storage the objects live in.
    var storedAs: ResourceID
    /// This resource's form → the stored form.
    var toStorage: @Sendable (JSONObject) -> JSONObject
    /// The stored form → this resource's form.
    var fromStorage: @Sendable (JSONObject) -> JSONObject
}

/// `events.k8s.io/v1` Events as kube-apiserver validates their creation: what the newer
/// API requires (`eventTime`, `action`, `reason`, `reportingController`,
/// `reportingInstance`) and that the regarded object is in the Event's namespace. Field
/// paths are the core ones, as kube-apiserver reports them (it validates the stored form).
struct EventsV1Strategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        guard old == nil else { return [] }
        func text(_ key: String) -> String { object[key]?.stringValue ?? "" }
        func required(_ field: String) -> StatusCause { StatusCause(reason: "FieldValueRequired", message: "Required value", field: field) }
        var causes: [StatusCause] = []
        if text("action").isEmpty { causes.append(required("action")) }
        if object["eventTime"] == nil || object["eventTime"] == .null { causes.append(required("eventTime")) }
        let namespace = object.value(at: ["metadata", "namespace"])?.stringValue ?? ""
        let regarded = object.value(at: ["regarding", "namespace"])?.stringValue ?? ""
        if regarded.isEmpty ? !(namespace.isEmpty || namespace == "default") : regarded != namespace {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(regarded)\": does not match event.namespace", field: "involvedObject.namespace"))
        }
        if text("reason").isEmpty { causes.append(required("reason")) }
        let controller = text("reportingController")
        let namePart = controller.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if namePart.isEmpty {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(controller)\": name part must be non-empty", field: "reportingController"))
        }
        if !Self.isQualifiedNamePart(namePart) {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \"\(controller)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                field: "reportingController"))
        }
        if controller.isEmpty { causes.append(required("reportingController")) }
        if text("reportingInstance").isEmpty { causes.append(required("reportingInstance")) }
        return causes
    }

    private static func isQualifiedNamePart(_ part: String) -> Bool {
        let characters = Array(part.unicodeScalars)
        guard let first = characters.first, let last = characters.last, part.utf8.count <= 63 else { return false }
        func alphanumeric(_ c: Unicode.Scalar) -> Bool { c.isASCII && (CharacterSet.alphanumerics.contains(c)) }
        return alphanumeric(first) && alphanumeric(last) && characters.allSatisfy { alphanumeric($0) || "-_.".unicodeScalars.contains($0) }
    }
}
