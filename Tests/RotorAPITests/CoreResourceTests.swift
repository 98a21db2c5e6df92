import Foundation
import JSONCore
import KubeAPI
import Testing

@Suite("Core resources")
struct CoreResourceTests {
    @Test("every typed resource reports the catalogued resource type")
    func resourceTypesMatchCatalogue() {
        #expect(Namespace.resourceType == ResourceTypes.namespaces)
        #expect(Secret.resourceType == ResourceTypes.secrets)
        #expect(ConfigMap.resourceType == ResourceTypes.configMaps)
        #expect(ServiceAccount.resourceType == ResourceTypes.serviceAccounts)
        #expect(Event.resourceType == ResourceTypes.events)
        #expect(EventsV1Event.resourceType == ResourceTypes.eventsV1)
        #expect(Lease.resourceType == ResourceTypes.leases)
        #expect(Deployment.resourceType == ResourceTypes.deployments)
        #expect(StatefulSet.resourceType == ResourceTypes.statefulSets)
        #expect(DaemonSet.resourceType == ResourceTypes.daemonSets)
        #expect(CustomResourceDefinition.resourceType == ResourceTypes.customResourceDefinitions)
        #expect(TokenReview.resourceType == ResourceTypes.tokenReviews)
        #expect(Set(ResourceTypes.all).count == 12)
    }

    @Test("built-in resource types build the API server's URL paths")
    func paths() {
        #expect(ResourceTypes.secrets.objectPath(namespace: "shop", name: "db") == "/api/v1/namespaces/shop/secrets/db")
        #expect(ResourceTypes.secrets.collectionPath(namespace: nil) == "/api/v1/secrets")
        #expect(ResourceTypes.namespaces.objectPath(namespace: "ignored", name: "shop") == "/api/v1/namespaces/shop")
        #expect(ResourceTypes.deployments.objectPath(namespace: "shop", name: "web") == "/apis/apps/v1/namespaces/shop/deployments/web")
        #expect(ResourceTypes.leases.apiVersion == "coordination.k8s.io/v1")
        #expect(ResourceTypes.tokenReviews.collectionPath(namespace: "shop") == "/apis/authentication.k8s.io/v1/tokenreviews")
        #expect(ResourceTypes.customResourceDefinitions.description == "customresourcedefinitions.apiextensions.k8s.io")
        #expect(ResourceTypes.named(group: "events.k8s.io", plural: "events") == ResourceTypes.eventsV1)
        #expect(ResourceTypes.named(group: "", plural: "events") == ResourceTypes.events)
        #expect(ResourceTypes.named(group: "apps", plural: "replicasets") == nil)
    }

    @Test("a terminating Namespace says so, and its JSON round-trips")
    func namespace() throws {
        let json = """
            {"apiVersion":"v1","kind":"Namespace",
             "metadata":{"name":"shop","deletionTimestamp":"2026-11-29T10:00:00Z","labels":{"kubernetes.io/metadata.name":"shop"}},
             "spec":{"finalizers":["kubernetes"]},
             "status":{"phase":"Terminating","conditions":[{"type":"NamespaceContentRemaining","status":"True",
               "lastTransitionTime":"2026-11-29T10:00:03Z","reason":"SomeResourcesRemain","message":"Some resources are remaining: secrets. has 1 resource instances"}]}}
            """
        let trip = try roundTrip(Namespace.self, json)
        #expect(trip.reencoded == trip.original)
        #expect(trip.value.isTerminating)
        #expect(trip.value.status?.phase == .terminating)
        #expect(trip.value.spec.finalizers == ["kubernetes"])
        #expect(!Namespace(metadata: ObjectMeta(name: "new")).isTerminating)
    }

    @Test("a ServiceAccount keeps its image pull secrets and token settings")
    func serviceAccount() throws {
        let trip = try roundTrip(
            ServiceAccount.self,
            #"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"rotor","namespace":"rotor-system"},"automountServiceAccountToken":false,"imagePullSecrets":[{"name":"regcred"}],"secrets":[{"name":"rotor-token-x1"}]}"#
        )
        #expect(trip.reencoded == trip.original)
        #expect(trip.value.imagePullSecrets == [LocalObjectReference(name: "regcred")])
        #expect(trip.value.automountServiceAccountToken == false)
    }

    @Test("a TokenRequest is posted to the service account's token subresource")
    func tokenRequest() throws {
        #expect(TokenRequest.path(namespace: "rotor-system", serviceAccount: "rotor") == "/api/v1/namespaces/rotor-system/serviceaccounts/rotor/token")
        let request = TokenRequest(spec: TokenRequestSpec(
            audiences: ["vault"], expirationSeconds: 600,
            boundObjectRef: BoundObjectReference(kind: "Pod", apiVersion: "v1", name: "rotor-0", uid: "p-1")))
        #expect(
            try JSONValue(encoding: request) == [
                "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": [:],
                "spec": ["audiences": ["vault"], "expirationSeconds": 600,
                         "boundObjectRef": ["kind": "Pod", "apiVersion": "v1", "name": "rotor-0", "uid": "p-1"]],
            ])
    }

    @Test("a TokenRequest reply carries the token but never prints it")
    func tokenRequestReply() throws {
        let reply = try KubeJSON.decoder.decode(TokenRequest.self, from: Data(#"""
            {"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"name":"rotor","namespace":"rotor-system","creationTimestamp":null},
             "spec":{"audiences":["vault"],"expirationSeconds":600,"boundObjectRef":null},
             "status":{"token":"eyJhbGciOiJSUzI1NiJ9.payload.sig","expirationTimestamp":"2026-11-29T10:10:00Z"}}
            """#.utf8))
        let status = try #require(reply.status)
        #expect(status.token == "eyJhbGciOiJSUzI1NiJ9.payload.sig")
        #expect(status.expirationTimestamp?.rfc3339 == "2026-11-29T10:10:00Z")
        var dumped = ""
        dump(reply, to: &dumped)
        for text in [String(describing: reply), String(reflecting: status), dumped] {
            #expect(!text.contains("eyJhbGciOiJSUzI1NiJ9"))
        }
    }

    @Test("a TokenReview reply tells who the token belongs to, and the token is never printed")
    func tokenReview() throws {
        let review = TokenReview(spec: TokenReviewSpec(token: "eyJhbGciOiJSUzI1NiJ9.secret", audiences: ["rotor"]))
        #expect(try JSONValue(encoding: review)[path: ["spec", "token"]] == "eyJhbGciOiJSUzI1NiJ9.secret")
        var dumped = ""
        dump(review, to: &dumped)
        #expect(!dumped.contains("eyJhbGciOiJSUzI1NiJ9"))
        #expect(!String(describing: review).contains("eyJhbGciOiJSUzI1NiJ9"))

        let reply = try roundTrip(TokenReview.self, #"""
            {"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{},
             "spec":{"token":"t","audiences":["rotor"]},
             "status":{"authenticated":true,"user":{"username":"system:serviceaccount:shop:web","uid":"sa-1",
               "groups":["system:serviceaccounts","system:serviceaccounts:shop","system:authenticated"],
               "extra":{"authentication.kubernetes.io/pod-name":["web-0"],"authentication.kubernetes.io/pod-uid":["p-9"]}},
               "audiences":["rotor"]}}
            """#)
        #expect(reply.reencoded == reply.original)
        #expect(reply.value.status?.authenticated == true)
        #expect(reply.value.status?.user?.username == "system:serviceaccount:shop:web")
        #expect(reply.value.status?.user?.extra?["authentication.kubernetes.io/pod-name"] == ["web-0"])
    }
}
