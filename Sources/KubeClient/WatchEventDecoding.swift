import JSONCore
import KubeAPI

/// Turns one line of a watch stream into a `WatchEvent`, and an `ERROR` event
/// into the error it carries.
enum WatchEventDecoding {
    static func event<Line: Collection>(from line: Line, request: KubeRequestDescription) throws -> WatchEvent<JSONValue>
    where Line.Element == UInt8 {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: line)
        } catch {
            throw KubeAPIError.decoding("watch event is not JSON: \(error)", request: request)
        }
        guard let typeName = document["type"]?.stringValue, let type = WatchEventType(rawValue: typeName) else {
            throw KubeAPIError.decoding("watch event without a known type", request: request)
        }
        let object = document["object"] ?? .null
        if type == .error {
            // An ERROR event ends the watch; a 410 Expired one means "relist".
            let status = (try? object.decode(as: Status.self)) ?? Status(message: "watch ERROR event without a Status")
            throw KubeAPIError(status: status, request: request)
        }
        guard object.objectValue != nil else {
            throw KubeAPIError.decoding("\(typeName) watch event without an object", request: request)
        }
        return WatchEvent(type: type, object: object)
    }
}
