import Foundation
import JSONCore
import KubeAPI

/// The `apiextensions.k8s.io/v1` CustomResourceDefinitions of Rotor's resources, generated
/// from the Swift types' `openAPISchema`s. `rotor crds` prints them and `manifests/crds/`
/// holds them; a test fails when the two differ.
///
/// The stores' provider blocks are described by the providers themselves: callers pass the
/// schemas of the providers they know by kind (`ProviderRegistry.configSchemas`). Without
/// them (``all``, ``yaml``) the blocks are objects kept unchecked: enough for tools and tests
/// that only need the kinds to exist, never what a cluster should get.
public enum RotorCRDs {
    /// One CRD: its object and the file name it is committed under.
    public struct Definition: Sendable, Hashable {
        public var resourceType: ResourceType
        public var object: JSONValue

        /// `PLURAL.GROUP`, the CRD's `metadata.name`.
        public var name: String { "\(resourceType.plural).\(resourceType.group)" }
        /// `PLURAL.GROUP.yaml`, e.g. `externalsecrets.rotor.dev.yaml`.
        public var fileName: String { "\(name).yaml" }
        /// The CRD as one YAML document (starting with `---`).
        public var yaml: String { YAMLEmitter.render(documents: [object]) }
    }

    /// The five CRDs, ExternalSecret first, the stores' provider blocks described by
    /// `providers` (schemas by kind).
    public static func all(providers: [String: JSONValue]) -> [Definition] {
        [externalSecret, secretStore(providers: providers), clusterSecretStore(providers: providers), clusterExternalSecret, pushSecret]
    }

    /// All CRDs as one multi-document YAML text: the concatenation of the committed files.
    public static func yaml(providers: [String: JSONValue]) -> String { all(providers: providers).map(\.yaml).joined() }

    /// The five CRDs with the provider blocks unchecked (see the type's documentation).
    public static var all: [Definition] { all(providers: [:]) }

    /// ``all`` as one multi-document YAML text.
    public static var yaml: String { yaml(providers: [:]) }

    public static var externalSecret: Definition {
        definition(
            RotorResourceTypes.externalSecrets, shortNames: ["es"],
            description: "ExternalSecret keeps a Kubernetes Secret in step with values held in Vault or AWS Secrets Manager, with overlap rotation.",
            spec: ExternalSecretSpec.openAPISchema, status: ExternalSecretStatus.openAPISchema,
            columns: [
                column("Store", ".spec.secretStoreRef.name", "The store the values are read from."),
                column("Refresh", ".spec.refreshInterval", "How often the values are read again."),
                column("Status", readyPath("reason"), "Why the ExternalSecret is or is not ready."),
                column("Ready", readyPath("status"), "Whether the Secret holds the values last read."),
                column("Rotation", ".status.rotation.phase", "Stable, Pending or Overlap."),
                ageColumn,
            ])
    }

    public static var clusterExternalSecret: Definition {
        definition(
            RotorResourceTypes.clusterExternalSecrets, shortNames: ["ces"],
            description: "ClusterExternalSecret creates and keeps an ExternalSecret in every namespace it selects, and removes it from namespaces it no longer selects.",
            spec: ClusterExternalSecretSpec.openAPISchema, status: ClusterExternalSecretStatus.openAPISchema,
            columns: [
                column("Store", ".spec.externalSecretSpec.secretStoreRef.name", "The store the values are read from."),
                column("Refresh", ".spec.refreshTime", "How often the namespace selection is evaluated again."),
                column("Status", readyPath("reason"), "Why the ClusterExternalSecret is or is not ready."),
                column("Ready", readyPath("status"), "Whether every selected namespace has its ExternalSecret."),
                ageColumn,
            ])
    }

    public static var pushSecret: Definition {
        definition(
            RotorResourceTypes.pushSecrets, shortNames: ["ps"],
            description: "PushSecret writes keys of a Kubernetes Secret to a provider through a ReadWrite SecretStore of its namespace.",
            spec: PushSecretSpec.openAPISchema, status: PushSecretStatus.openAPISchema,
            columns: [
                column("Store", ".spec.secretStoreRef.name", "The store written through."),
                column("Secret", ".spec.selector.secret.name", "The Secret pushed."),
                column("Status", readyPath("reason"), "Why the PushSecret is or is not ready."),
                column("Ready", readyPath("status"), "Whether the provider holds the Secret's values."),
                ageColumn,
            ])
    }

    public static func secretStore(providers: [String: JSONValue]) -> Definition {
        definition(
            RotorResourceTypes.secretStores, shortNames: ["ss"],
            description: "SecretStore names a secret provider and the credentials to reach it, for the ExternalSecrets of its namespace.",
            spec: SecretStoreSpec.openAPISchema(providers: providers), status: SecretStoreStatus.openAPISchema,
            columns: storeColumns)
    }

    public static func clusterSecretStore(providers: [String: JSONValue]) -> Definition {
        definition(
            RotorResourceTypes.clusterSecretStores, shortNames: ["css"],
            description: "ClusterSecretStore names a secret provider and the credentials to reach it, for the ExternalSecrets of the namespaces its conditions admit.",
            spec: ClusterSecretStoreSpec.openAPISchema(providers: providers), status: SecretStoreStatus.openAPISchema,
            columns: storeColumns)
    }

    private static var storeColumns: [JSONValue] {
        [
            ageColumn,
            column("Status", readyPath("reason"), "Why the store is or is not ready."),
            column("Capabilities", ".status.capabilities", "ReadOnly or ReadWrite."),
            column("Ready", readyPath("status"), "Whether the configuration and credentials were accepted."),
        ]
    }

    private static var ageColumn: JSONValue {
        ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]
    }

    private static func readyPath(_ field: String) -> String {
        #".status.conditions[?(@.type=="Ready")].\#(field)"#
    }

    private static func column(_ name: String, _ jsonPath: String, _ description: String) -> JSONValue {
        ["name": .string(name), "type": "string", "jsonPath": .string(jsonPath), "description": .string(description)]
    }

    private static func definition(
        _ type: ResourceType, shortNames: [String], description: String, spec: JSONValue, status: JSONValue,
        columns: [JSONValue]
    ) -> Definition {
        let root = OpenAPISchema.object(
            description,
            properties: [
                "apiVersion": OpenAPISchema.string("The versioned schema of this object, rotor.dev/v1alpha1."),
                "kind": OpenAPISchema.string("The kind of this object."),
                "metadata": OpenAPISchema.opaqueObject(),
                "spec": spec,
                "status": status,
            ],
            required: ["spec"])
        let kind = type.kind
        let object: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(type.plural).\(type.group)")],
            "spec": [
                "group": .string(type.group),
                "names": [
                    "kind": .string(kind),
                    "listKind": .string(kind + "List"),
                    "plural": .string(type.plural),
                    "singular": .string(kind.lowercased()),
                    "shortNames": .array(shortNames.map(JSONValue.string)),
                    "categories": [.string(RotorResourceTypes.category)],
                ],
                "scope": type.namespaced ? "Namespaced" : "Cluster",
                "versions": [
                    [
                        "name": .string(type.version),
                        "served": true,
                        "storage": true,
                        "schema": ["openAPIV3Schema": root],
                        "subresources": ["status": [:]],
                        "additionalPrinterColumns": .array(columns),
                    ]
                ],
            ],
        ]
        return Definition(resourceType: type, object: object)
    }
}
