import SecretProviders

/// What an ExternalSecret's values and template say the target Secret should hold, before
/// ownership, existing state and Rotor's own metadata are taken into account.
///
/// `description`, `debugDescription` and `dump` show keys only; the values are `SecretValue`s
/// and print `<redacted>` wherever they end up.
public struct RenderedSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The Secret `type` the template asks for; `nil` keeps the existing type (or `Opaque` on create).
    public var type: String?
    /// Labels from `spec.target.template.metadata.labels`, taken literally (not templated).
    public var labels: [String: String]
    /// Annotations from `spec.target.template.metadata.annotations`, taken literally (not templated).
    public var annotations: [String: String]
    /// The Secret's data: the fetched values, or the rendered template data.
    public var data: [String: SecretValue]

    public init(
        type: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:],
        data: [String: SecretValue] = [:]
    ) {
        self.type = type
        self.labels = labels
        self.annotations = annotations
        self.data = data
    }

    public var description: String {
        "RenderedSecret(type: \(type ?? "nil"), keys: \(data.keys.sorted()), values: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "type": type as Any, "labels": labels, "annotations": annotations, "dataKeys": data.keys.sorted(),
            ],
            displayStyle: .struct)
    }
}
