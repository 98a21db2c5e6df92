import AWSProvider
import FakeProvider
import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders
import VaultProvider
import Testing

/// An ExternalSecret with every field of the API set, a status, and members this code
/// does not model at several levels.
let fullExternalSecretJSON = #"""
    {
      "apiVersion": "rotor.dev/v1alpha1",
      "kind": "ExternalSecret",
      "metadata": {"name": "db", "namespace": "shop", "generation": 3},
      "spec": {
        "secretStoreRef": {"name": "vault", "kind": "SecretStore"},
        "refreshInterval": "1h",
        "refreshPolicy": "Periodic",
        "target": {
          "name": "db-credentials",
          "creationPolicy": "Owner",
          "deletionPolicy": "Retain",
          "immutable": false,
          "template": {
            "type": "Opaque",
            "metadata": {"labels": {}, "annotations": {}},
            "data": {"DATABASE_URL": "postgres://{{user}}:{{password}}@db:5432/shop"},
            "engineVersion": "v2"
          }
        },
        "data": [{"secretKey": "password", "remoteRef": {"key": "shop/db", "property": "password", "version": ""}}],
        "dataFrom": [
          {"extract": {"key": "shop/api"}},
          {"find": {"path": "shop/", "name": {"regexp": "^api-"}, "tags": {"team": "shop"}}}
        ],
        "rotation": {
          "gracePeriod": "1h",
          "previousSuffix": "_previous",
          "schedule": {"every": "24h"},
          "generate": [{"property": "password", "length": 32, "symbols": true, "futureKnob": 7}],
          "restartTargets": [{"kind": "Deployment", "name": "api"}]
        },
        "futureSpecField": {"anything": [1, 2]}
      },
      "status": {
        "conditions": [{"type": "Ready", "status": "True", "reason": "Synced", "message": "synced 1 key",
                        "lastTransitionTime": "2026-11-29T10:00:00Z", "observedGeneration": 3}],
        "observedGeneration": 3,
        "refreshTime": "2026-11-29T10:00:00Z",
        "syncedResourceVersion": "3-vault",
        "fingerprint": "hmac-sha256:0a1b",
        "rotation": {
          "phase": "Overlap", "rotatedAt": "2026-11-29T10:00:00Z", "graceUntil": "2026-11-29T11:00:00Z",
          "nextRotation": "2026-11-30T10:00:00Z", "pendingID": "r-42", "restartedFor": "r-41"
        }
      },
      "futureTopLevel": true
    }
    """#

let vaultSecretStoreJSON = #"""
    {
      "apiVersion": "rotor.dev/v1alpha1",
      "kind": "SecretStore",
      "metadata": {"name": "vault", "namespace": "shop"},
      "spec": {
        "provider": {
          "vault": {
            "server": "https://vault.example:8200",
            "path": "secret",
            "version": "v2",
            "namespace": "team-a",
            "caBundle": "LS0tLS1CRUdJTg==",
            "caProvider": {"type": "ConfigMap", "name": "ca", "key": "ca.crt"},
            "auth": {
              "tokenSecretRef": {"name": "vault-token", "key": "token"},
              "kubernetes": {"mountPath": "kubernetes", "role": "rotor",
                             "serviceAccountRef": {"name": "app", "audiences": ["vault"]}},
              "appRole": {"path": "approle", "roleId": "role-1", "secretRef": {"name": "approle", "key": "secret-id"}}
            },
            "retrySettings": {"maxRetries": 3}
          }
        }
      },
      "status": {
        "conditions": [{"type": "Ready", "status": "True", "reason": "Valid"}],
        "capabilities": "ReadWrite",
        "observedGeneration": 1
      }
    }
    """#

let awsClusterSecretStoreJSON = #"""
    {
      "apiVersion": "rotor.dev/v1alpha1",
      "kind": "ClusterSecretStore",
      "metadata": {"name": "aws"},
      "spec": {
        "conditions": [
          {"namespaces": ["shop"]},
          {"namespaceSelector": {"matchLabels": {"team": "payments"}}}
        ],
        "provider": {
          "aws": {
            "service": "SecretsManager",
            "region": "eu-west-1",
            "endpoint": "http://127.0.0.1:5000",
            "role": "arn:aws:iam::123456789012:role/x",
            "auth": {
              "secretRef": {
                "accessKeyIDSecretRef": {"name": "aws", "key": "access-key-id", "namespace": "rotor"},
                "secretAccessKeySecretRef": {"name": "aws", "key": "secret-access-key", "namespace": "rotor"},
                "sessionTokenSecretRef": {"name": "aws", "key": "session-token", "namespace": "rotor"}
              },
              "jwt": {"serviceAccountRef": {"name": "app", "namespace": "rotor"}}
            }
          }
        }
      }
    }
    """#

let fakeSecretStoreJSON = #"""
    {
      "apiVersion": "rotor.dev/v1alpha1",
      "kind": "SecretStore",
      "metadata": {"name": "demo", "namespace": "shop"},
      "spec": {"provider": {"fake": {"data": [{"key": "db/password", "value": "s3cr3t", "version": "1"}]}}}
    }
    """#

@Suite("Rotor API types")
struct RotorResourceTests {
    @Test("an ExternalSecret with every field survives decode and encode, unknown fields included")
    func externalSecretRoundTrip() throws {
        let trip = try roundTrip(ExternalSecret.self, fullExternalSecretJSON)
        #expect(trip.reencoded == withoutNulls(trip.original))

        let es = trip.value
        #expect(es.spec.secretStoreRef == SecretStoreRef(name: "vault", kind: .secretStore))
        #expect(es.spec.refreshIntervalDuration == .hours(1))
        #expect(es.spec.effectiveRefreshPolicy == .periodic)
        #expect(es.spec.target?.effectiveCreationPolicy == .owner)
        #expect(es.spec.target?.template?.data?["DATABASE_URL"] == "postgres://{{user}}:{{password}}@db:5432/shop")
        #expect(es.spec.data?.first?.remoteRef.property == "password")
        #expect(es.spec.dataFrom?.last?.find?.name?.regexp == "^api-")
        #expect(es.spec.rotation?.gracePeriodDuration == .hours(1))
        #expect(es.spec.rotation?.generate?.first?.length == 32)
        #expect(es.spec.rotation?.restartTargets?.first?.kind == .deployment)
        #expect(es.status?.conditions?.first(ofType: ExternalSecretConditions.ready)?.reason
            == ExternalSecretConditions.Reason.synced)
        #expect(es.status?.rotation?.phase == .overlap)
        #expect(es.status?.rotation?.pendingID == "r-42")
        #expect(es.targetSecretName == "db-credentials")
        #expect(es.unknownFields["futureTopLevel"] == true)
        #expect(es.spec.unknownFields["futureSpecField"] != nil)
    }

    @Test("a Vault SecretStore with every auth field survives decode and encode")
    func vaultStoreRoundTrip() throws {
        let trip = try roundTrip(SecretStore.self, vaultSecretStoreJSON)
        #expect(trip.reencoded == withoutNulls(trip.original))
        let block = try #require(trip.value.spec.provider.vault)
        let vault = try block.decode(as: VaultStoreConfig.self)
        #expect(try JSONValue(encoding: vault) == withoutNulls(block))
        #expect(vault.effectiveVersion == .v2)
        #expect(vault.auth.kubernetes?.serviceAccountRef?.audiences == ["vault"])
        #expect(vault.auth.appRole?.secretRef == SecretKeySelector(name: "approle", key: "secret-id"))
        #expect(vault.caProvider?.type == .configMap)
        #expect(vault.unknownFields["retrySettings"] != nil)
        #expect(trip.value.status?.capabilities == .readWrite)
    }

    @Test("an AWS ClusterSecretStore survives decode and encode and admits only its namespaces")
    func awsClusterStoreRoundTrip() throws {
        let trip = try roundTrip(ClusterSecretStore.self, awsClusterSecretStoreJSON)
        #expect(trip.reencoded == withoutNulls(trip.original))
        let spec = trip.value.spec
        let aws = try #require(try spec.provider.aws?.decode(as: AWSStoreConfig.self))
        #expect(try JSONValue(encoding: aws) == withoutNulls(try #require(spec.provider.aws)))
        #expect(aws.auth?.secretRef?.sessionTokenSecretRef?.namespace == "rotor")
        #expect(aws.service == .secretsManager)
        #expect(spec.admits(namespace: "shop", labels: [:]))
        #expect(spec.admits(namespace: "billing", labels: ["team": "payments"]))
        #expect(!spec.admits(namespace: "billing", labels: ["team": "other"]))
        #expect(ClusterSecretStoreSpec().admits(namespace: "any", labels: [:]))
        #expect(!ClusterSecretStoreCondition().admits(namespace: "any", labels: [:]))
    }

    @Test("a fake SecretStore survives decode and encode")
    func fakeStoreRoundTrip() throws {
        let trip = try roundTrip(SecretStore.self, fakeSecretStoreJSON)
        #expect(trip.reencoded == withoutNulls(trip.original))
        let fake = try #require(try trip.value.spec.provider.fake?.decode(as: FakeStoreConfig.self))
        #expect(fake.data == [FakeProviderData(key: "db/password", value: "s3cr3t", version: "1")])
    }

    @Test("an unknown enum value decodes and is written back unchanged")
    func unknownEnumValueSurvives() throws {
        let json = #"{"spec": {"secretStoreRef": {"name": "s", "kind": "VaultStore"}, "refreshPolicy": "Sometimes"}}"#
        let es = try KubeJSON.decoder.decode(ExternalSecret.self, from: Data(json.utf8))
        #expect(es.spec.secretStoreRef.kind?.rawValue == "VaultStore")
        #expect(es.spec.secretStoreRef.kind?.isKnown == false)
        #expect(try JSONValue(encoding: es)[path: ["spec", "refreshPolicy"]] == "Sometimes")
    }

    @Test("defaults apply when optional fields are absent")
    func defaults() throws {
        let es = try KubeJSON.decoder.decode(
            ExternalSecret.self, from: Data(#"{"metadata": {"name": "db"}, "spec": {"secretStoreRef": {"name": "s"}, "rotation": {"gracePeriod": "90s"}}}"#.utf8))
        #expect(es.spec.secretStoreRef.effectiveKind == .secretStore)
        #expect(es.spec.refreshIntervalDuration == ExternalSecretSpec.defaultRefreshInterval)
        #expect(es.spec.rotation?.effectivePreviousSuffix == "_previous")
        #expect(es.spec.rotation?.gracePeriodDuration == .seconds(90))
        #expect(es.targetSecretName == "db")
    }

    @Test("resource types are in the rotor.dev/v1alpha1 catalogue with the right scope")
    func resourceTypes() {
        #expect(ExternalSecret.apiVersion == "rotor.dev/v1alpha1")
        #expect(ExternalSecret.resourceType.collectionPath(namespace: "shop") == "/apis/rotor.dev/v1alpha1/namespaces/shop/externalsecrets")
        #expect(SecretStore.resourceType.namespaced)
        #expect(!ClusterSecretStore.resourceType.namespaced)
        #expect(ClusterSecretStore.resourceType.collectionPath(namespace: "shop") == "/apis/rotor.dev/v1alpha1/clustersecretstores")
        #expect(!ClusterExternalSecret.resourceType.namespaced)
        #expect(ClusterExternalSecret.resourceType.collectionPath(namespace: nil) == "/apis/rotor.dev/v1alpha1/clusterexternalsecrets")
        #expect(RotorResourceTypes.all.count == 5)
        #expect(ExternalSecretConditions.Reason.all.count == 12)
    }
}
