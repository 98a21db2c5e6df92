import JSONCore

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
