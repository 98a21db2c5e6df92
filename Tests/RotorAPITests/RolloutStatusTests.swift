import Foundation
import JSONCore
import KubeAPI
import Testing

@Suite("Rollout status")
struct RolloutStatusTests {
    func deployment(generation: Int64 = 2, replicas: Int32? = 3, status: DeploymentStatus?) -> Deployment {
        var meta = ObjectMeta(name: "web", namespace: "shop")
        meta.generation = generation
        return Deployment(metadata: meta, spec: DeploymentSpec(replicas: replicas), status: status)
    }

    @Test("a deployment whose replicas are all updated and available has rolled out")
    func deploymentComplete() {
        let d = deployment(status: .init(observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3))
        #expect(d.rolloutComplete)
        #expect(d.rolloutStatus == .complete(message: "deployment \"web\" successfully rolled out"))
    }

    @Test("a deployment whose new spec the controller has not seen is still rolling out")
    func deploymentSpecNotObserved() {
        let d = deployment(generation: 3, status: .init(observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3))
        #expect(!d.rolloutComplete)
        #expect(d.rolloutStatus.message == "Waiting for deployment spec update to be observed...")
        #expect(!deployment(generation: 1, status: nil).rolloutComplete)
    }

    @Test("a deployment waits for new replicas, then for old ones to go, then for availability")
    func deploymentStages() {
        let updating = deployment(status: .init(observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3))
        #expect(updating.rolloutStatus == .inProgress(message: "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."))
        let oldPending = deployment(status: .init(observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3))
        #expect(oldPending.rolloutStatus == .inProgress(message: "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."))
        let unavailable = deployment(status: .init(observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2))
        #expect(unavailable.rolloutStatus == .inProgress(message: "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."))
    }

    @Test("a deployment past its progress deadline has failed")
    func deploymentDeadlineExceeded() {
        let d = deployment(status: .init(
            observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2,
            conditions: [Condition(type: "Progressing", status: .false, reason: "ProgressDeadlineExceeded")]))
        #expect(d.rolloutStatus == .failed(message: "deployment \"web\" exceeded its progress deadline"))
        #expect(!d.rolloutComplete)
    }

    @Test("the server's Deployment JSON reports a complete rollout")
    func deploymentFromServer() throws {
        let d = try KubeJSON.decoder.decode(Deployment.self, from: Data(serverDeploymentJSON.utf8))
        #expect(d.rolloutComplete)
    }

    func statefulSet(
        replicas: Int32 = 3, strategy: StatefulSetUpdateStrategy? = nil, status: StatefulSetStatus
    ) -> StatefulSet {
        var meta = ObjectMeta(name: "db")
        meta.generation = 4
        return StatefulSet(metadata: meta, spec: .init(replicas: replicas, updateStrategy: strategy), status: status)
    }

    @Test("a stateful set has rolled out when every pod is ready at the update revision")
    func statefulSetComplete() {
        let s = statefulSet(status: .init(
            observedGeneration: 4, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3,
            currentRevision: "db-7f9", updateRevision: "db-7f9"))
        #expect(s.rolloutStatus == .complete(message: "statefulset rolling update complete 3 pods at revision db-7f9..."))
    }

    @Test("a stateful set waits for observation, readiness and the update revision")
    func statefulSetInProgress() {
        #expect(!statefulSet(status: .init(observedGeneration: 0, readyReplicas: 3)).rolloutComplete)
        #expect(!statefulSet(status: .init(observedGeneration: 3, readyReplicas: 3)).rolloutComplete)
        let notReady = statefulSet(status: .init(observedGeneration: 4, readyReplicas: 1))
        #expect(notReady.rolloutStatus == .inProgress(message: "Waiting for 2 pods to be ready..."))
        let oldRevision = statefulSet(status: .init(
            observedGeneration: 4, readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1,
            currentRevision: "db-7f9", updateRevision: "db-8a0"))
        #expect(oldRevision.rolloutStatus == .inProgress(message: "waiting for statefulset rolling update to complete 1 pods at revision db-8a0..."))
    }

    @Test("a partitioned stateful set has rolled out once the pods above the partition are updated")
    func statefulSetPartition() {
        let strategy = StatefulSetUpdateStrategy(type: "RollingUpdate", rollingUpdate: .init(partition: 2))
        let waiting = statefulSet(strategy: strategy, status: .init(observedGeneration: 4, readyReplicas: 3, updatedReplicas: 0))
        #expect(waiting.rolloutStatus == .inProgress(message: "Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated..."))
        let done = statefulSet(strategy: strategy, status: .init(observedGeneration: 4, readyReplicas: 3, updatedReplicas: 1))
        #expect(done.rolloutStatus == .complete(message: "partitioned roll out complete: 1 new pods have been updated..."))
    }

    @Test("an OnDelete workload has no rollout to follow")
    func onDeleteFails() {
        let s = statefulSet(strategy: .init(type: "OnDelete"), status: .init(observedGeneration: 4, readyReplicas: 3))
        #expect(s.rolloutStatus == .failed(message: "rollout status is only available for RollingUpdate strategy type"))
        let d = DaemonSet(spec: .init(updateStrategy: .init(type: "OnDelete")), status: .init(observedGeneration: 1))
        #expect(!d.rolloutComplete)
    }

    func daemonSet(status: DaemonSetStatus) -> DaemonSet {
        var meta = ObjectMeta(name: "agent")
        meta.generation = 5
        return DaemonSet(metadata: meta, spec: .init(updateStrategy: .init(type: "RollingUpdate")), status: status)
    }

    @Test("a daemon set has rolled out when every scheduled pod is updated and available")
    func daemonSetStages() {
        #expect(daemonSet(status: .init(observedGeneration: 5, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4))
            .rolloutStatus == .complete(message: "daemon set \"agent\" successfully rolled out"))
        #expect(daemonSet(status: .init(observedGeneration: 5, desiredNumberScheduled: 4, updatedNumberScheduled: 2, numberAvailable: 4))
            .rolloutStatus == .inProgress(message: "Waiting for daemon set \"agent\" rollout to finish: 2 out of 4 new pods have been updated..."))
        #expect(daemonSet(status: .init(observedGeneration: 5, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 3))
            .rolloutStatus == .inProgress(message: "Waiting for daemon set \"agent\" rollout to finish: 3 of 4 updated pods are available..."))
        #expect(daemonSet(status: .init(observedGeneration: 4, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4))
            .rolloutStatus == .inProgress(message: "Waiting for daemon set spec update to be observed..."))
    }
}
