/// Which API call was made: the part of an error message that says what was asked.
///
/// Holds no body and no query values other than names, so it is safe to log.
public struct KubeRequestDescription: Sendable, Hashable, CustomStringConvertible {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`.
    public var verb: String
    /// The resource, e.g. `secrets` or `widgets.example.com`.
    public var resource: String
    public var namespace: String?
    public var name: String?
    public var subresource: String?

    public init(verb: String, resource: String, namespace: String? = nil, name: String? = nil, subresource: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    public var description: String {
        var text = "\(verb) \(resource)"
        if let subresource { text += "/\(subresource)" }
        switch (namespace, name) {
        case (let ns?, let name?): text += " \(ns)/\(name)"
        case (nil, let name?): text += " \(name)"
        case (let ns?, nil): text += " in namespace \(ns)"
        case (nil, nil): break
        }
        return text
    }
}
