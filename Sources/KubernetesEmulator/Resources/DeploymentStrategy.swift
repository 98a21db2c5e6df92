import JSONCore
import KubeAPI

/// Deployments as kube-apiserver's registry treats them: the `apps/v1` defaults of the
/// spec (one replica, a 25%/25% rolling update, 10 old ReplicaSets kept, a 600 s
/// progress deadline; the pod template's own defaults are not filled in), an empty status
/// on create, and the validation that the selector selects the template and that the
/// template has containers.
struct DeploymentStrategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }

    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws {
        applyDefaults(&object)
        object["status"] = .object([:])
    }

    func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) throws {
        applyDefaults(&object)
    }

    func applyDefaults(_ object: inout JSONObject) {
        guard var spec = object["spec"]?.objectValue else { return }
        if spec["replicas"] == nil || spec["replicas"]?.isNull == true { spec["replicas"] = 1 }
        var strategy = spec["strategy"]?.objectValue ?? [:]
        if (strategy["type"]?.stringValue ?? "").isEmpty { strategy["type"] = "RollingUpdate" }
        if strategy["type"]?.stringValue == "RollingUpdate" {
            var rolling = strategy["rollingUpdate"]?.objectValue ?? [:]
            if rolling["maxUnavailable"] == nil { rolling["maxUnavailable"] = "25%" }
            if rolling["maxSurge"] == nil { rolling["maxSurge"] = "25%" }
            strategy["rollingUpdate"] = .object(rolling)
        }
        spec["strategy"] = .object(strategy)
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["progressDeadlineSeconds"] == nil { spec["progressDeadlineSeconds"] = 600 }
        object["spec"] = .object(spec)
    }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        for key in object.keys.sorted() where !["apiVersion", "kind", "metadata", "spec", "status"].contains(key) {
            unknownFields.append(key)
            object[key] = nil
        }
        var causes: [StatusCause] = []
        let spec = object["spec"]?.objectValue ?? [:]
        let labels = spec["template"]?[path: ["metadata", "labels"]]?.objectValue ?? [:]
        if let selector = spec["selector"], selector.objectValue != nil {
            if !LabelSelectorQuery(labelSelector: selector).matches(labels) {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(Self.goMap(labels)): `selector` does not match template `labels`",
                    field: "spec.template.metadata.labels"))
            }
        } else {
            causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector"))
        }
        if (spec["template"]?[path: ["spec", "containers"]]?.arrayValue ?? []).isEmpty {
            causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers"))
        }
        return causes
    }

    /// A `map[string]string` as Go's `%#v` prints it (keys sorted).
    static func goMap(_ labels: JSONObject) -> String {
        let entries = labels.keys.sorted().map { key in
            GoSyntax.quoted(key) + ":" + GoSyntax.quoted(labels[key]?.stringValue ?? "")
        }
        return "map[string]string{" + entries.joined(separator: ", ") + "}"
    }
}
