import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import Testing

/// A CRD as the API server returns it after `kubectl apply`, with a nested structural
/// schema using most schema features, and fields newer than this code (`selectableFields`,
/// `externalDocs`).
let serverCRDJSON = #"""
    {
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": {
        "annotations": {"controller-gen.kubebuilder.io/version": "v0.16.5"},
        "creationTimestamp": "2026-11-01T08:00:00Z",
        "generation": 2,
        "name": "externalsecrets.rotor.dev",
        "resourceVersion": "1201",
        "uid": "a1b2c3d4-0000-4000-8000-000000000001"
      },
      "spec": {
        "conversion": {"strategy": "None"},
        "group": "rotor.dev",
        "names": {
          "categories": ["rotor", "all"],
          "kind": "ExternalSecret",
          "listKind": "ExternalSecretList",
          "plural": "externalsecrets",
          "shortNames": ["es"],
          "singular": "externalsecret"
        },
        "scope": "Namespaced",
        "versions": [
          {
            "name": "v1alpha1",
            "served": true,
            "storage": false,
            "deprecated": true,
            "deprecationWarning": "rotor.dev/v1alpha1 ExternalSecret is deprecated; use rotor.dev/v1",
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
          },
          {
            "additionalPrinterColumns": [
              {"jsonPath": ".status.conditions[?(@.type==\"Ready\")].status", "name": "Ready", "type": "string"},
              {"jsonPath": ".spec.refreshInterval", "name": "Refresh", "type": "string", "priority": 1,
               "description": "How often the values are read again"},
              {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"}
            ],
            "name": "v1",
            "schema": {
              "openAPIV3Schema": {
                "description": "ExternalSecret keeps a Kubernetes Secret in step with values held elsewhere.",
                "type": "object",
                "required": ["spec"],
                "properties": {
                  "apiVersion": {"type": "string"},
                  "kind": {"type": "string"},
                  "metadata": {"type": "object"},
                  "spec": {
                    "type": "object",
                    "required": ["secretStoreRef", "data"],
                    "x-kubernetes-validations": [
                      {"rule": "!has(self.rotation) || self.refreshInterval != '0s'",
                       "message": "rotation needs a refresh interval", "reason": "FieldValueInvalid", "fieldPath": ".rotation"}
                    ],
                    "properties": {
                      "refreshInterval": {"type": "string", "default": "1h", "pattern": "^([0-9]+(\\.[0-9]+)?(s|m|h))+$"},
                      "secretStoreRef": {
                        "type": "object",
                        "required": ["name"],
                        "x-kubernetes-map-type": "atomic",
                        "properties": {
                          "name": {"type": "string", "minLength": 1, "maxLength": 253},
                          "kind": {"type": "string", "enum": ["SecretStore", "ClusterSecretStore"], "default": "SecretStore"}
                        }
                      },
                      "data": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 256,
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["secretKey"],
                        "items": {
                          "type": "object",
                          "required": ["secretKey", "remoteRef"],
                          "properties": {
                            "secretKey": {"type": "string"},
                            "remoteRef": {
                              "type": "object",
                              "properties": {
                                "key": {"type": "string"},
                                "version": {"type": "integer", "format": "int64", "minimum": 0, "nullable": true}
                              },
                              "oneOf": [{"required": ["key"]}, {"required": ["property"]}],
                              "not": {"required": ["version", "latest"]}
                            }
                          }
                        }
                      },
                      "target": {
                        "type": "object",
                        "properties": {
                          "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63}},
                          "strict": {"type": "object", "additionalProperties": false},
                          "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}
                        }
                      },
                      "rotation": {
                        "type": "object",
                        "externalDocs": {"url": "https://rotor.dev/docs/rotation"},
                        "properties": {
                          "jitter": {"type": "number", "minimum": 0.5, "exclusiveMinimum": true, "maximum": 1, "multipleOf": 0.25},
                          "maxUnavailable": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                          "keep": {"type": "integer", "format": "int32", "default": 2, "example": 3},
                          "hooks": {"type": "array", "uniqueItems": true, "items": {"type": "string"}}
                        }
                      }
                    }
                  },
                  "status": {
                    "type": "object",
                    "properties": {
                      "conditions": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["type"],
                        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                      },
                      "replicas": {"type": "integer"},
                      "selector": {"type": "string"}
                    }
                  }
                }
              }
            },
            "selectableFields": [{"jsonPath": ".spec.secretStoreRef.name"}],
            "served": true,
            "storage": true,
            "subresources": {
              "status": {},
              "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}
            }
          }
        ]
      },
      "status": {
        "acceptedNames": {
          "categories": ["rotor", "all"], "kind": "ExternalSecret", "listKind": "ExternalSecretList",
          "plural": "externalsecrets", "shortNames": ["es"], "singular": "externalsecret"
        },
        "conditions": [
          {"lastTransitionTime": "2026-11-01T08:00:00Z", "message": "no conflicts found", "reason": "NoConflicts",
           "status": "True", "type": "NamesAccepted"},
          {"lastTransitionTime": "2026-11-01T08:00:01Z", "message": "the initial names have been accepted",
           "reason": "InitialNamesAccepted", "status": "True", "type": "Established"}
        ],
        "storedVersions": ["v1alpha1", "v1"]
      }
    }
    """#

@Suite("CustomResourceDefinition")
struct CustomResourceDefinitionTests {
    @Test("a CRD with a nested schema decodes and re-encodes identically")
    func roundTripsIdentically() throws {
        let trip = try roundTrip(CustomResourceDefinition.self, serverCRDJSON)
        #expect(trip.reencoded == trip.original)
    }

    @Test("the decoded CRD exposes names, versions and the nested schema")
    func exposesTypedFields() throws {
        let crd = try KubeJSON.decoder.decode(CustomResourceDefinition.self, from: Data(serverCRDJSON.utf8))
        #expect(crd.spec.group == "rotor.dev")
        #expect(crd.spec.scope == .namespaced)
        #expect(crd.spec.names.shortNames == ["es"])
        #expect(crd.storageVersion?.name == "v1")
        #expect(crd.spec.versions[0].deprecated == true)
        #expect(crd.isEstablished)
        #expect(crd.status?.storedVersions == ["v1alpha1", "v1"])

        let v1 = try #require(crd.storageVersion)
        #expect(v1.subresources?.status == [:])
        #expect(v1.subresources?.scale?.labelSelectorPath == ".status.selector")
        #expect(v1.additionalPrinterColumns?.map(\.name) == ["Ready", "Refresh", "Age"])
        #expect(v1.additionalPrinterColumns?[1].priority == 1)
        #expect(v1.unknownFields["selectableFields"] != nil)

        let spec = try #require(v1.schema?.openAPIV3Schema?.properties?["spec"])
        #expect(spec.required == ["secretStoreRef", "data"])
        #expect(spec.xKubernetesValidations?.arrayValue?.first?["rule"] == "!has(self.rotation) || self.refreshInterval != '0s'")
        let props = try #require(spec.properties)
        #expect(props["refreshInterval"]?.default == "1h")
        #expect(props["refreshInterval"]?.pattern == #"^([0-9]+(\.[0-9]+)?(s|m|h))+$"#)
        #expect(props["secretStoreRef"]?.properties?["kind"]?.enum == ["SecretStore", "ClusterSecretStore"])
        #expect(props["secretStoreRef"]?.xKubernetesMapType == "atomic")

        let data = try #require(props["data"])
        #expect(data.xKubernetesListType == "map")
        #expect(data.xKubernetesListMapKeys == ["secretKey"])
        #expect(data.maxItems == 256)
        let remoteRef = try #require(data.items?.properties?["remoteRef"])
        #expect(remoteRef.properties?["version"]?.nullable == true)
        #expect(remoteRef.oneOf?.count == 2)
        #expect(remoteRef.not?.required == ["version", "latest"])

        let target = try #require(props["target"]?.properties)
        #expect(target["labels"]?.additionalProperties == .schema(JSONSchemaProps(type: "string", maxLength: 63)))
        #expect(target["strict"]?.additionalProperties == .allowed(false))
        #expect(target["template"]?.xKubernetesEmbeddedResource == true)

        let rotation = try #require(props["rotation"])
        #expect(rotation.unknownFields["externalDocs"] == ["url": "https://rotor.dev/docs/rotation"])
        #expect(rotation.properties?["jitter"]?.minimum == 0.5)
        #expect(rotation.properties?["jitter"]?.exclusiveMinimum == true)
        #expect(rotation.properties?["maxUnavailable"]?.xKubernetesIntOrString == true)
        #expect(rotation.properties?["keep"]?.default == 2)
        #expect(rotation.properties?["hooks"]?.items?.type == "string")
    }

    @Test("gives the resource type of the custom objects for a served version only")
    func resourceTypeOfCustomObjects() throws {
        let crd = try KubeJSON.decoder.decode(CustomResourceDefinition.self, from: Data(serverCRDJSON.utf8))
        let type = try #require(crd.resourceType(version: "v1"))
        #expect(type.collectionPath(namespace: "shop") == "/apis/rotor.dev/v1/namespaces/shop/externalsecrets")
        #expect(type.kind == "ExternalSecret")
        #expect(crd.resourceType(version: "v2") == nil)
    }

    @Test("a CRD built in code encodes with the Kubernetes field names")
    func buildsInCode() throws {
        let schema = JSONSchemaProps(
            type: "object",
            properties: [
                "spec": JSONSchemaProps(
                    type: "object", required: ["size"], xKubernetesPreserveUnknownFields: true),
                "items": JSONSchemaProps(type: "array", items: JSONSchemaProps(type: "string"), xKubernetesListType: "set"),
            ])
        let crd = CustomResourceDefinition(
            metadata: ObjectMeta(name: "widgets.example.com"),
            spec: CustomResourceDefinitionSpec(
                group: "example.com",
                names: CustomResourceDefinitionNames(plural: "widgets", kind: "Widget"),
                scope: .cluster,
                versions: [
                    CustomResourceDefinitionVersion(
                        name: "v1", served: true, storage: true,
                        schema: CustomResourceValidation(openAPIV3Schema: schema),
                        subresources: CustomResourceSubresources(status: [:]))
                ]))
        let json = try JSONValue(encoding: crd)
        #expect(json["apiVersion"] == "apiextensions.k8s.io/v1")
        #expect(json["kind"] == "CustomResourceDefinition")
        #expect(json[path: ["spec", "scope"]] == "Cluster")
        let version = try #require(json[path: ["spec", "versions"]]?.arrayValue?.first)
        #expect(version["subresources"] == ["status": [:]])
        let openAPI = try #require(version[path: ["schema", "openAPIV3Schema"]])
        #expect(openAPI[path: ["properties", "spec", "x-kubernetes-preserve-unknown-fields"]] == true)
        #expect(openAPI[path: ["properties", "items"]] == ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set"])
        #expect(try json.decode(as: CustomResourceDefinition.self) == crd)
    }

    @Test("keeps the array form of items, which structural schemas forbid, verbatim")
    func keepsTupleItems() throws {
        let json = #"{"type":"array","items":[{"type":"string"},{"type":"integer"}]}"#
        let trip = try roundTrip(JSONSchemaProps.self, json)
        #expect(trip.value.items == nil)
        #expect(trip.reencoded == trip.original)
    }

    @Test("a schema change made through a nested value is seen by the owner only")
    func boxedSchemasHaveValueSemantics() {
        let original = JSONSchemaProps(type: "array", items: JSONSchemaProps(type: "string"))
        var copy = original
        copy.items?.maxLength = 10
        #expect(original.items?.maxLength == nil)
        #expect(copy.items?.maxLength == 10)
        #expect(original != copy)
    }
}
