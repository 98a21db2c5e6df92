import Foundation
import KubeAPI

/// The resource types the emulated API server serves: the built-ins, plus one per
/// served version of every established CRD.
struct ResourceRegistry: Sendable {
    static let namespaces = ResourceID(group: "", plural: "namespaces")
    static let customResourceDefinitions = ResourceID(group: "apiextensions.k8s.io", plural: "customresourcedefinitions")
    static let serviceAccounts = ResourceID(group: "", plural: "serviceaccounts")

    private var byPath: [String: ResourceDescriptor] = [:]
    private var strategies: [ResourceID: any ResourceStrategy] = [:]
    private(set) var all: [ResourceDescriptor] = []

    private static func pathKey(_ group: String, _ version: String, _ plural: String) -> String { "\(group)/\(version)/\(plural)" }

    func lookup(group: String, version: String, plural: String) -> ResourceDescriptor? {
        byPath[Self.pathKey(group, version, plural)]
    }

    func lookup(_ id: ResourceID) -> ResourceDescriptor? { all.first { $0.id == id } }

    var namespaces: ResourceDescriptor { lookup(Self.namespaces)! }

    func strategy(for resource: ResourceDescriptor) -> any ResourceStrategy {
        strategies[resource.id] ?? BuiltinStrategy(knownMembers: nil)
    }

    mutating func register(_ descriptor: ResourceDescriptor, strategy: any ResourceStrategy) {
        unregister(descriptor.id)
        byPath[Self.pathKey(descriptor.group, descriptor.type.version, descriptor.plural)] = descriptor
        strategies[descriptor.id] = strategy
        all.append(descriptor)
    }

    mutating func unregister(_ id: ResourceID) {
        for d in all where d.id == id { byPath[Self.pathKey(d.group, d.type.version, d.plural)] = nil }
        all.removeAll { $0.id == id }
        strategies[id] = nil
    }

    /// The built-in types: what Rotor and kubectl need.
    static func builtin() -> ResourceRegistry {
        var r = ResourceRegistry()
        let age = Columns.age
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false),
                singular: "namespace", shortNames: ["ns"],
                verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], hasStatusSubresource: true,
                columns: [Columns.name, Columns.path("Status", ["status", "phase"], description: "The status of the namespace"), age],
                extraFieldSelectors: ["status.phase": ["status", "phase"]],
                description: "Namespace provides a scope for Names. Use of multiple namespaces is optional."),
            strategy: NamespaceStrategy())
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true),
                singular: "secret",
                columns: [
                    Columns.name, Columns.path("Type", ["type"], description: "The type of the secret"),
                    Columns.count("Data", ["data"], description: "The number of entries in the secret"), age,
                ],
                extraFieldSelectors: ["type": ["type"]],
                description: "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes."),
            strategy: SecretStrategy())
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true),
                singular: "configmap", shortNames: ["cm"],
                columns: [Columns.name, Columns.count("Data", ["data"], ["binaryData"], description: "The number of entries in the configmap"), age],
                description: "ConfigMap holds configuration data for pods to consume."),
            strategy: ConfigMapStrategy())
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true),
                singular: "serviceaccount", shortNames: ["sa"],
                columns: [Columns.name, Columns.count("Secrets", ["secrets"], description: "The number of secrets"), age],
                description: "ServiceAccount binds together a name, a principal that can be authenticated, and secrets.",
                returnsDeletedObject: true),
            strategy: BuiltinStrategy(knownMembers: ["secrets", "imagePullSecrets", "automountServiceAccountToken"]))
        let eventColumns = [
            Columns.ageOf("Last Seen", ["lastTimestamp"], fallback: ["eventTime"]), Columns.path("Type", ["type"]),
            Columns.path("Reason", ["reason"]), Columns.involvedObject, Columns.path("Message", ["message"]),
        ]
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true),
                singular: "event", shortNames: ["ev"], columns: eventColumns,
                extraFieldSelectors: [
                    "involvedObject.kind": ["involvedObject", "kind"], "involvedObject.name": ["involvedObject", "name"],
                    "involvedObject.namespace": ["involvedObject", "namespace"], "involvedObject.uid": ["involvedObject", "uid"],
                    "involvedObject.apiVersion": ["involvedObject", "apiVersion"], "reason": ["reason"], "type": ["type"],
                    "source": ["source", "component"], "reportingComponent": ["reportingComponent"],
                ],
                description: "Event is a report of an event somewhere in the cluster."),
            strategy: BuiltinStrategy(knownMembers: nil))
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true),
                singular: "event", shortNames: ["ev"],
                columns: [
                    Columns.ageOf("Last Seen", ["series", "lastObservedTime"], fallback: ["eventTime"]), Columns.path("Type", ["type"]),
                    Columns.path("Reason", ["reason"]), Columns.path("Note", ["note"]),
                ],
                // Selected on the stored (core) form: these are one storage.
                extraFieldSelectors: [
                    "regarding.kind": ["involvedObject", "kind"], "regarding.name": ["involvedObject", "name"],
                    "regarding.namespace": ["involvedObject", "namespace"], "regarding.uid": ["involvedObject", "uid"],
                    "regarding.apiVersion": ["involvedObject", "apiVersion"], "reason": ["reason"], "type": ["type"],
                    "reportingController": ["reportingComponent"],
                ],
                description: "Event is a report of an event somewhere in the cluster.",
                view: EventsConversion.view),
            strategy: EventsV1Strategy())
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true),
                singular: "lease",
                columns: [Columns.name, Columns.path("Holder", ["spec", "holderIdentity"]), age],
                description: "Lease defines a lease concept."),
            strategy: LeaseStrategy())
        for (plural, kind, short, columns) in [
            ("deployments", "Deployment", ["deploy"], [
                Columns.name, Columns.ready(["status", "readyReplicas"], ["spec", "replicas"]),
                Columns.path("Up-to-date", ["status", "updatedReplicas"], type: "integer", zero: true),
                Columns.path("Available", ["status", "availableReplicas"], type: "integer", zero: true), age,
            ]),
            ("statefulsets", "StatefulSet", ["sts"], [Columns.name, Columns.ready(["status", "readyReplicas"], ["spec", "replicas"]), age]),
            ("daemonsets", "DaemonSet", ["ds"], [
                Columns.name, Columns.path("Desired", ["status", "desiredNumberScheduled"], type: "integer", zero: true),
                Columns.path("Current", ["status", "currentNumberScheduled"], type: "integer", zero: true),
                Columns.path("Ready", ["status", "numberReady"], type: "integer", zero: true),
                Columns.path("Up-to-date", ["status", "updatedNumberScheduled"], type: "integer", zero: true),
                Columns.path("Available", ["status", "numberAvailable"], type: "integer", zero: true), age,
            ]),
        ] as [(String, String, [String], [TableColumn])] {
            r.register(
                ResourceDescriptor(
                    type: ResourceType(group: "apps", version: "v1", plural: plural, kind: kind, namespaced: true),
                    singular: kind.lowercased(), shortNames: short, categories: ["all"], hasStatusSubresource: true,
                    hasScaleSubresource: plural != "daemonsets", tracksGeneration: true, columns: columns,
                    description: "\(kind) enables declarative updates for Pods."),
                strategy: plural == "deployments" ? DeploymentStrategy() : BuiltinStrategy(knownMembers: ["spec", "status"]))
        }
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false),
                singular: "customresourcedefinition", shortNames: ["crd", "crds"], categories: ["api-extensions"],
                hasStatusSubresource: true, tracksGeneration: true,
                columns: [Columns.name, Columns.timestamp("Created At", ["metadata", "creationTimestamp"])],
                description: "CustomResourceDefinition represents a resource that should be exposed on the API server."),
            strategy: CRDStrategy())
        // Before TokenReview: discovery lists selfsubjectreviews first, as kube-apiserver does.
        r.registerRBAC()
        r.register(
            ResourceDescriptor(
                type: ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false),
                singular: "tokenreview", verbs: ["create"], isVirtual: true,
                description: "TokenReview attempts to authenticate a token to a known user."),
            strategy: BuiltinStrategy(knownMembers: nil))
        return r
    }
}

/// Column builders for server-side Tables.
enum Columns {
    static let name = TableColumn(
        name: "Name", format: "name",
        description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    ) { object, _ in object.value(at: ["metadata", "name"]) ?? "" }

    static let age = ageOf("Age", ["metadata", "creationTimestamp"], fallback: nil,
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.")

    static func ageOf(_ name: String, _ path: [String], fallback: [String]?, description: String = "") -> TableColumn {
        TableColumn(name: name, description: description) { object, context in
            let text = object.value(at: path)?.stringValue ?? fallback.flatMap { object.value(at: $0)?.stringValue }
            guard let text, let date = RFC3339.parse(text) else { return "<unknown>" }
            return .string(HumanDuration.format(context.now - date.timeIntervalSince1970))
        }
    }

    static func path(_ name: String, _ path: [String], type: String = "string", zero: Bool = false, description: String = "") -> TableColumn {
        TableColumn(name: name, type: type, description: description) { object, _ in
            object.value(at: path) ?? (zero ? .int(0) : "")
        }
    }

    static func count(_ name: String, _ paths: [String]..., description: String = "") -> TableColumn {
        TableColumn(name: name, description: description) { object, _ in
            .int(Int64(paths.reduce(0) { total, path in
                let value = object.value(at: path)
                return total + (value?.objectValue?.count ?? value?.arrayValue?.count ?? 0)
            }))
        }
    }

    static func timestamp(_ name: String, _ path: [String]) -> TableColumn {
        TableColumn(name: name, type: "date") { object, _ in object.value(at: path) ?? "" }
    }

    static func ready(_ ready: [String], _ desired: [String]) -> TableColumn {
        TableColumn(name: "Ready", description: "Number of the pod with ready state") { object, _ in
            .string("\(object.value(at: ready)?.intValue ?? 0)/\(object.value(at: desired)?.intValue ?? 1)")
        }
    }

    static let involvedObject = TableColumn(name: "Object") { object, _ in
        let kind = (object.value(at: ["involvedObject", "kind"])?.stringValue ?? "").lowercased()
        let name = object.value(at: ["involvedObject", "name"])?.stringValue ?? ""
        return .string("\(kind)/\(name)")
    }
}
