import Foundation
import KubeRuntime
import Testing

@testable import RotorOperator

@Suite("rotor run configuration")
struct OperatorConfigurationTests {
    typealias Setting = OperatorConfiguration.Setting

    func resolve(_ flags: [Setting: String] = [:], _ environment: [String: String] = [:], serviceAccount: String? = nil) -> Result<OperatorConfiguration, OperatorConfiguration.Problems> {
        OperatorConfiguration.resolve(flags: flags, environment: environment, serviceAccountNamespace: serviceAccount, processors: 2)
    }

    @Test("with nothing given: all namespaces, 16 workers on 2 processors, leader election on, health on :8080, JSON info logs, no fixed request ceiling")
    func defaults() throws {
        let configuration = try resolve().get()
        #expect(configuration.scope == .all)
        #expect(configuration.workers == 16)
        #expect(configuration.kubeQPS == 0, "no fixed ceiling: the adaptive pacing alone")
        #expect(configuration.kubeBurst == 0)
        #expect(configuration.leaderElection)
        #expect(configuration.leaseName == "rotor-leader")
        #expect(configuration.operatorNamespace == "rotor-system")
        #expect(configuration.healthAddress == .init(host: "0.0.0.0", port: 8080))
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .info)
    }

    @Test("workers auto: 8 per processor within 16…64, the same as giving none; a number overrides it")
    func workersAuto() throws {
        #expect(OperatorConfiguration.defaultWorkers(processors: 1) == 16)
        #expect(OperatorConfiguration.defaultWorkers(processors: 4) == 32)
        #expect(OperatorConfiguration.defaultWorkers(processors: 64) == 64)
        #expect(try resolve([.workers: "auto"]).get().workers == 16)
        #expect(try resolve([:], ["ROTOR_WORKERS": "AUTO"]).get().workers == 16)
        #expect(try resolve([.workers: "3"]).get().workers == 3)
    }

    @Test("--kube-qps is an optional ceiling: 0 means none, a number sets it, a negative one is refused naming the flag")
    func kubeCeiling() throws {
        let ceiling = try resolve([.kubeQPS: "20", .kubeBurst: "40"]).get()
        #expect(ceiling.kubeQPS == 20 && ceiling.kubeBurst == 40)
        #expect(try resolve([.kubeQPS: "0", .kubeBurst: "0"]).get().kubeQPS == 0)
        guard case .failure(let problems) = resolve([.kubeQPS: "-1"]) else {
            Issue.record("a negative ceiling was accepted")
            return
        }
        #expect(problems.description.contains("--kube-qps (or ROTOR_KUBE_QPS)"))
    }

    @Test("the cache budget over all stores: 64 MiB by default, ROTOR_CACHE_MEMORY or --cache-memory in MiB, 0 refused")
    func cacheMemory() throws {
        #expect(try resolve().get().cacheMemoryMiB == 64)
        #expect(try resolve([:], ["ROTOR_CACHE_MEMORY": "128"]).get().cacheMemoryMiB == 128)
        guard case .failure(let problems) = resolve([.cacheMemory: "0"]) else {
            Issue.record("0 MiB accepted")
            return
        }
        #expect(problems.description.contains("--cache-memory"))
    }

    @Test("a flag wins over its ROTOR_ variable, which wins over the default")
    func precedence() throws {
        let configuration = try resolve([.workers: "16"], ["ROTOR_WORKERS": "2", "ROTOR_LOG_LEVEL": "debug", "ROTOR_LEADER_ELECT": "false"]).get()
        #expect(configuration.workers == 16)
        #expect(configuration.logLevel == .debug)
        #expect(!configuration.leaderElection)
    }

    @Test("namespaces: a comma list, trimmed and deduplicated; one namespace or several")
    func namespaces() throws {
        #expect(try resolve([.namespaces: " shop, billing ,shop,"]).get().scope == .set(["shop", "billing"]))
        #expect(try resolve([:], ["ROTOR_NAMESPACES": "shop"]).get().scope == .one("shop"))
    }

    @Test("the operator namespace: flag, else POD_NAMESPACE, else the service account's, else rotor-system")
    func operatorNamespace() throws {
        #expect(try resolve([:], ["POD_NAMESPACE": "platform"], serviceAccount: "sa-ns").get().operatorNamespace == "platform")
        #expect(try resolve([:], [:], serviceAccount: "sa-ns").get().operatorNamespace == "sa-ns")
        #expect(try resolve([.operatorNamespace: "mine"], ["POD_NAMESPACE": "platform"]).get().operatorNamespace == "mine")
    }

    @Test("health address forms: HOST:PORT, :PORT, [IPv6]:PORT and off")
    func healthAddress() throws {
        #expect(try resolve([.healthAddress: ":9090"]).get().healthAddress == .init(host: "0.0.0.0", port: 9090))
        #expect(try resolve([.healthAddress: "127.0.0.1:0"]).get().healthAddress == .init(host: "127.0.0.1", port: 0))
        #expect(try resolve([.healthAddress: "[::1]:8081"]).get().healthAddress == .init(host: "::1", port: 8081))
        #expect(try resolve([.healthAddress: "off"]).get().healthAddress == nil)
    }

    @Test("every problem is reported at once, each naming the flag and the variable")
    func everyProblemAtOnce() {
        let result = resolve(
            [.workers: "0", .logFormat: "xml", .healthAddress: "localhost"],
            ["ROTOR_LEADER_ELECT": "perhaps", "ROTOR_NAMESPACES": "Shop", "ROTOR_KUBE_QPS": "-1"])
        guard case .failure(let problems) = result else {
            Issue.record("a bad configuration was accepted")
            return
        }
        #expect(problems.messages.count == 6)
        let text = problems.description
        for name in ["--workers (or ROTOR_WORKERS)", "--log-format (or ROTOR_LOG_FORMAT)", "--health-address (or ROTOR_HEALTH_ADDRESS)",
            "ROTOR_LEADER_ELECT (or --leader-elect)", "ROTOR_NAMESPACES (or --namespaces)", "ROTOR_KUBE_QPS (or --kube-qps)"]
        {
            #expect(text.contains(name), "mentions \(name)")
        }
    }

    @Test("a kubeconfig path that cannot be read is a problem before anything starts")
    func unreadableKubeconfig() {
        let result = resolve([.kubeconfig: "/nonexistent/\(UUID().uuidString)"])
        guard case .failure(let problems) = result else {
            Issue.record("an unreadable kubeconfig was accepted")
            return
        }
        #expect(problems.messages.first?.contains("no readable file") == true)
    }
}
