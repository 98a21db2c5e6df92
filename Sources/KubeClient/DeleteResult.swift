import KubeAPI

/// What a typed delete returned: the object (still there while finalizers or
/// graceful deletion run, or its last state) or a `Status` saying it is gone.
public enum DeleteResult<Object: KubernetesResource>: Sendable {
    case object(Object)
    case status(Status)

    /// The object, if the server returned one.
    public var object: Object? {
        if case .object(let object) = self { return object }
        return nil
    }
}
