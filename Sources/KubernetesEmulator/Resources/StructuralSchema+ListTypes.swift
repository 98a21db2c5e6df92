import JSONCore
import KubeAPI

/// The checks of a custom resource that kube-apiserver makes besides its OpenAPI schema:
/// `x-kubernetes-list-type: set` and `map` lists hold no duplicates (worded as Go prints
/// the value), and a schema with `x-kubernetes-validations` (CEL rules, which the emulator
/// does not evaluate) says its rules were not checked when a schema error blocks them.
extension StructuralSchema {
    /// The cause kube-apiserver adds when schema errors kept the CEL rules from running.
    static let rulesNotChecked = StatusCause(
        reason: "FieldValueInvalid",
        message: "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        field: "<nil>")

    /// Schema errors after which kube-apiserver does not run CEL rules (`hasBlockingErr`):
    /// the object is not of the shape the rules expect.
    static let blockingReasons: Set<String> = [
        "FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid",
    ]

    /// Whether the schema has CEL rules anywhere.
    var hasValidationRules: Bool { Self.containsValidationRules(root) }

    private static func containsValidationRules(_ schema: JSONValue) -> Bool {
        switch schema {
        case .object(let members):
            if members["x-kubernetes-validations"]?.arrayValue?.isEmpty == false { return true }
            return members.values.contains(where: containsValidationRules)
        case .array(let items):
            return items.contains(where: containsValidationRules)
        default:
            return false
        }
    }

    /// Duplicates in `set` and `map` lists, each a `FieldValueDuplicate` at the repeat's index.
    func listDuplicates(_ value: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        Self.listDuplicates(value, schema: root, path: "", causes: &causes)
        return causes
    }

    private static func listDuplicates(_ value: JSONValue, schema: JSONValue, path: String, causes: inout [StatusCause]) {
        switch value {
        case .array(let items):
            let itemSchema = schema["items"]
            switch schema["x-kubernetes-list-type"]?.stringValue {
            case "set":
                var seen: Set<String> = []
                for (i, item) in items.enumerated() where !seen.insert(item.serializedString()).inserted {
                    causes.append(StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \(goValue(item))", field: "\(path)[\(i)]"))
                }
            case "map":
                let keys = (schema["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
                var seen: Set<String> = []
                for (i, item) in items.enumerated() {
                    let tuple = keys.map { key in (key, item[key] ?? .null) }
                    guard tuple.allSatisfy({ !$0.1.isNull }) else { continue }
                    if !seen.insert(JSONValue.array(tuple.map(\.1)).serializedString()).inserted {
                        let entries = tuple.map { "\(GoSyntax.quoted($0.0)):\(goValue($0.1))" }.joined(separator: ", ")
                        causes.append(StatusCause(
                            reason: "FieldValueDuplicate", message: "Duplicate value: map[string]interface {}{\(entries)}", field: "\(path)[\(i)]"))
                    }
                }
            default:
                break
            }
            if let itemSchema {
                for (i, item) in items.enumerated() { listDuplicates(item, schema: itemSchema, path: "\(path)[\(i)]", causes: &causes) }
            }
        case .object(let object):
            let properties = schema["properties"]?.objectValue ?? [:]
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                guard let memberSchema = properties[key] ?? schema["additionalProperties"].flatMap({ $0.objectValue != nil ? $0 : nil }) else { continue }
                listDuplicates(member, schema: memberSchema, path: path.isEmpty ? key : "\(path).\(key)", causes: &causes)
            }
        default:
            break
        }
    }

    /// A scalar as Go's `%#v` prints it inside an `interface{}`.
    private static func goValue(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return GoSyntax.quoted(s)
        default: return GoSyntax.printed(value)
        }
    }
}
