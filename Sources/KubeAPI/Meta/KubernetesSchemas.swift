import JSONCore

/// Schemas of the Kubernetes types that CRDs embed (`metav1.LabelSelector`,
/// `metav1.Condition` lists), built with JSONCore's `OpenAPISchema`.
extension OpenAPISchema {
    /// A `metav1.LabelSelector`.
    public static func labelSelector(_ description: String? = nil) -> JSONValue {
        object(description, properties: [
            "matchLabels": stringMap("Each entry requires the label to have exactly this value."),
            "matchExpressions": array(
                "Requirements on labels; all must hold.",
                of: object(properties: [
                    "key": string("The label key."),
                    "operator": string(
                        "How the key relates to the values.", enum: LabelSelectorOperator.all.map(\.rawValue)),
                    "values": array("Non-empty for In and NotIn, empty otherwise.", of: string()),
                ], required: ["key", "operator"])),
        ])
    }

    /// A `status.conditions` list of `metav1.Condition`s, merged by `type`.
    public static func conditions(_ description: String? = nil) -> JSONValue {
        var schema = array(
            description,
            of: object(properties: [
                "type": string("The aspect reported on, e.g. Ready."),
                "status": string("Whether the condition holds.", enum: ["True", "False", "Unknown"]),
                "observedGeneration": integer("The metadata.generation the condition was computed from.", format: "int64"),
                "lastTransitionTime": dateTime("When status last changed."),
                "reason": string("A CamelCase machine-readable cause."),
                "message": string("A human-readable explanation; never contains secret values."),
            ], required: ["type", "status"]),
            listType: "map")
        schema["x-kubernetes-list-map-keys"] = ["type"]
        return schema
    }
}

extension LabelSelectorOperator {
    static let all: [LabelSelectorOperator] = [.in, .notIn, .exists, .doesNotExist]
}
