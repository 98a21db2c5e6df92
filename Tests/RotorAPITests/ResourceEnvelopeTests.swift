import Foundation
import JSONCore
import KubeAPI
import Testing

/// Pins the JSON of the objects whose Codable bodies share `ResourceEnvelope` and
/// `UpdateStrategyCoding`: what is modelled, what is kept verbatim, what is written back.
@Suite("Resource envelopes")
struct ResourceEnvelopeTests {
    @Test("metadata and spec default when absent or null; status stays nil; other members are kept")
    func emptyEnvelopeDecodes() throws {
        let deployment = try KubeJSON.decoder.decode(
            Deployment.self, from: Data(#"{"kind":"Deployment","spec":null,"status":null,"extra":[1]}"#.utf8))
        #expect(deployment.metadata == ObjectMeta())
        #expect(deployment.spec == DeploymentSpec())
        #expect(deployment.status == nil)
        #expect(deployment.unknownFields.members == ["extra": [1]])

        let json = try JSONValue(encoding: deployment)
        #expect(json["apiVersion"] == "apps/v1")
        #expect(json["kind"] == "Deployment")
        #expect(json["extra"] == [1])
        #expect(json["status"] == nil)
        #expect(json.objectValue.map { Set($0.keys) } == ["apiVersion", "kind", "metadata", "spec", "extra"])
    }

    @Test("each envelope type round-trips with an unmodelled member, writing its own apiVersion and kind")
    func envelopesRoundTrip() throws {
        func check<T: Codable & Equatable>(_ type: T.Type, _ apiVersion: String, _ kind: String, status: JSONValue? = ["x": 1]) throws {
            var object: JSONObject = [
                "apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": "a"], "spec": [:],
                "future": ["y": true],
            ]
            object["status"] = status
            let trip = try roundTrip(type, JSONValue.object(object).serializedString())
            #expect(trip.reencoded["apiVersion"] == .string(apiVersion), "\(type)")
            #expect(trip.reencoded["kind"] == .string(kind), "\(type)")
            #expect(trip.reencoded["metadata"] == ["name": "a"], "\(type)")
            #expect(trip.reencoded["future"] == ["y": true], "\(type)")
            #expect(trip.reencoded["status"]?["x"] == status?["x"], "\(type)")
        }
        try check(Deployment.self, "apps/v1", "Deployment", status: ["observedGeneration": 1])
        try check(StatefulSet.self, "apps/v1", "StatefulSet")
        try check(DaemonSet.self, "apps/v1", "DaemonSet")
        try check(Namespace.self, "v1", "Namespace")
        try check(TokenReview.self, "authentication.k8s.io/v1", "TokenReview")
        try check(TokenRequest.self, "authentication.k8s.io/v1", "TokenRequest")
        try check(CustomResourceDefinition.self, "apiextensions.k8s.io/v1", "CustomResourceDefinition")
        try check(Lease.self, "coordination.k8s.io/v1", "Lease")
    }

    @Test("a Lease does not model status: a status member is kept verbatim")
    func leaseKeepsStatus() throws {
        let lease = try KubeJSON.decoder.decode(
            Lease.self, from: Data(#"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","spec":{},"status":{"s":1}}"#.utf8))
        #expect(lease.unknownFields.members == ["status": ["s": 1]])
        #expect(try JSONValue(encoding: lease)["status"] == ["s": 1])

        let deployment = try KubeJSON.decoder.decode(Deployment.self, from: Data(#"{"status":{"replicas":2}}"#.utf8))
        #expect(deployment.unknownFields.members.isEmpty)
        #expect(deployment.status?.replicas == 2)
    }

    @Test("update strategies keep their rollingUpdate model and unmodelled members")
    func updateStrategiesRoundTrip() throws {
        let daemonSet = try roundTrip(
            DaemonSetUpdateStrategy.self, #"{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"},"x":1}"#)
        #expect(daemonSet.value.type == "RollingUpdate")
        #expect(daemonSet.value.rollingUpdate == ["maxSurge": "25%"])
        #expect(daemonSet.value.unknownFields.members == ["x": 1])
        #expect(daemonSet.reencoded == daemonSet.original)

        let statefulSet = try roundTrip(
            StatefulSetUpdateStrategy.self, #"{"type":"OnDelete","rollingUpdate":{"partition":2,"maxUnavailable":1},"x":1}"#)
        #expect(statefulSet.value.type == "OnDelete")
        #expect(statefulSet.value.rollingUpdate?.partition == 2)
        #expect(statefulSet.value.rollingUpdate?.unknownFields.members == ["maxUnavailable": 1])
        #expect(statefulSet.value.unknownFields.members == ["x": 1])
        #expect(statefulSet.reencoded == statefulSet.original)

        #expect(try JSONValue(encoding: DaemonSetUpdateStrategy()) == [:])
    }
}
