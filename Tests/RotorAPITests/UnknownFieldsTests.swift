import Foundation
import JSONCore
import KubeAPI
import Testing

/// A Deployment as `kubectl get deployment web -o json` prints it, with many fields
/// Rotor does not model.
let serverDeploymentJSON = """
    {
      "apiVersion": "apps/v1",
      "kind": "Deployment",
      "metadata": {
        "annotations": {"deployment.kubernetes.io/revision": "3"},
        "creationTimestamp": "2026-11-01T08:30:00Z",
        "generation": 3,
        "labels": {"app": "web"},
        "managedFields": [
          {"apiVersion": "apps/v1", "fieldsType": "FieldsV1",
           "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}},
           "manager": "kubectl-client-side-apply", "operation": "Update", "time": "2026-11-01T08:30:00Z"}
        ],
        "name": "web",
        "namespace": "shop",
        "resourceVersion": "48213",
        "selfLink": "/apis/apps/v1/namespaces/shop/deployments/web",
        "uid": "4b9f2c1e-6a0d-4d55-9a57-1c2e3f4a5b6c"
      },
      "spec": {
        "progressDeadlineSeconds": 600,
        "replicas": 3,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}, "type": "RollingUpdate"},
        "template": {
          "metadata": {
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-29T10:00:00Z"},
            "creationTimestamp": null,
            "labels": {"app": "web"}
          },
          "spec": {
            "containers": [
              {"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "password", "name": "db"}}}],
               "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent", "name": "web",
               "ports": [{"containerPort": 80, "protocol": "TCP"}],
               "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
               "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
            ],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30
          }
        }
      },
      "status": {
        "availableReplicas": 3,
        "collisionCount": 1,
        "conditions": [
          {"lastTransitionTime": "2026-11-01T08:30:05Z", "lastUpdateTime": "2026-11-01T08:30:05Z",
           "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
           "status": "True", "type": "Available"},
          {"lastTransitionTime": "2026-11-01T08:30:00Z", "lastUpdateTime": "2026-11-29T10:00:41Z",
           "message": "ReplicaSet \\"web-6d4cf56db6\\" has successfully progressed.", "reason": "NewReplicaSetAvailable",
           "status": "True", "type": "Progressing"}
        ],
        "observedGeneration": 3,
        "readyReplicas": 3,
        "replicas": 3,
        "terminatingReplicas": 0,
        "updatedReplicas": 3
      }
    }
    """

@Suite("Unknown fields")
struct UnknownFieldsTests {
    @Test("a Deployment keeps the fields Rotor does not model through decode and encode")
    func deploymentSurvivesRoundTrip() throws {
        let trip = try roundTrip(Deployment.self, serverDeploymentJSON)
        // The only change: `template.metadata.creationTimestamp: null` is written back absent,
        // which the API server reads the same way.
        #expect(withoutNulls(trip.reencoded) == withoutNulls(trip.original))
        #expect(trip.reencoded[path: ["spec", "template", "metadata", "creationTimestamp"]] == nil)

        let deployment = trip.value
        #expect(deployment.spec.unknownFields["strategy"]?["type"] == "RollingUpdate")
        #expect(deployment.status?.unknownFields["collisionCount"] == 1)
        #expect(deployment.status?.unknownFields["terminatingReplicas"] == 0)
        #expect(deployment.metadata.managedFields?.count == 1)
        #expect(deployment.metadata.unknownFields["selfLink"] == "/apis/apps/v1/namespaces/shop/deployments/web")
        #expect(deployment.spec.template.spec[path: ["containers"]]?.arrayValue?.first?["image"] == "nginx:1.27")
    }

    @Test("a change to a modelled field is written back alongside the unmodelled ones")
    func editKeepsUnknownFields() throws {
        var deployment = try KubeJSON.decoder.decode(Deployment.self, from: Data(serverDeploymentJSON.utf8))
        deployment.spec.template.metadata.annotations?["rotor.dev/restartedAt"] = "2026-12-01T00:00:00Z"
        deployment.spec.replicas = 5
        let json = try JSONValue(encoding: deployment)
        #expect(json[path: ["spec", "replicas"]] == 5)
        #expect(json[path: ["spec", "template", "metadata", "annotations", "rotor.dev/restartedAt"]] == "2026-12-01T00:00:00Z")
        #expect(json[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(json[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["resources"]?["requests"] == ["cpu": 0.25])
        #expect(json[path: ["status", "collisionCount"]] == 1)
    }

    @Test("unknown members are read from any object and written back verbatim")
    func unknownFieldsCaptureOnlyUnmodelledMembers() throws {
        let meta = try KubeJSON.decoder.decode(
            ObjectMeta.self, from: Data(#"{"name":"a","futureField":{"x":[1,null,"y"]},"other":null}"#.utf8))
        #expect(meta.name == "a")
        #expect(meta.unknownFields.members == ["futureField": ["x": [1, nil, "y"]], "other": nil])
        #expect(try JSONValue(encoding: meta) == ["name": "a", "futureField": ["x": [1, nil, "y"]], "other": nil])
    }

    @Test("a watch bookmark, which carries only a resourceVersion, decodes as a typed event")
    func bookmarkDecodes() throws {
        let line = #"{"type":"BOOKMARK","object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"50012","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
        let event = try KubeJSON.decoder.decode(WatchEvent<Deployment>.self, from: Data(line.utf8))
        #expect(event.type == .bookmark)
        #expect(event.object.metadata.resourceVersion == "50012")
        #expect(event.object.status == nil)
    }

    @Test("list items without kind and apiVersion decode, and re-encode with them")
    func listItemsDecode() throws {
        let json = """
            {"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"77","continue":"abc"},
             "items":[{"metadata":{"name":"a"},"data":{"k":"dg=="}},{"metadata":{"name":"b"},"type":"Opaque"}]}
            """
        let list = try KubeJSON.decoder.decode(KubeList<Secret>.self, from: Data(json.utf8))
        #expect(list.items.map(\.name) == ["a", "b"])
        #expect(list.metadata.continue == "abc")
        #expect(list.items[0].data?["k"] == Data("v".utf8))
        let item = try JSONValue(encoding: list.items[1])
        #expect(item["kind"] == "Secret")
        #expect(item["apiVersion"] == "v1")
    }
}
