import KubeAPI

/// A watch event decoded as a typed object. Bookmarks carry only a
/// resourceVersion (their object is a stub that would not decode as `Object`).
public enum TypedWatchEvent<Object: KubernetesResource>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    case bookmark(resourceVersion: String)

    /// The resourceVersion to resume a watch from after this event.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object.metadata.resourceVersion
        case .bookmark(let version): return version
        }
    }
}
