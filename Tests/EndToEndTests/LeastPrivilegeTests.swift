import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubernetesEmulator
import Testing

/// Least privilege, proven: the chart's RBAC (both modes) is enough for everything the
/// operator does, every rule of it is used, and without any one rule a named check fails
/// while the operator says Forbidden and keeps running. Serialized: each case runs
/// emulators and operator processes of its own, and two at once are the most that a
/// 2-core machine runs beside the other suites without starving leader election.
@Suite("least privilege of the chart's RBAC", .serialized)
struct LeastPrivilegeTests {
    static func leastPrivilegeScenario(_ mode: LeastPrivilegeScenario.Mode) async throws -> LeastPrivilegeScenario {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        return LeastPrivilegeScenario(mode: mode, objects: try await InstallManifestsTests.rendered(mode.helmArguments), executable: executable)
    }

    @Test(
        "least privilege: rotor run as the chart's ServiceAccount passes every check of the full scenario with no 403, and every rule of the chart's roles allowed a request",
        arguments: LeastPrivilegeScenario.Mode.allCases)
    func chartRBACIsSufficientAndEveryRuleIsUsed(_ mode: LeastPrivilegeScenario.Mode) async throws {
        let scenario = try await Self.leastPrivilegeScenario(mode)
        let outcome = try await scenario.run(rbacObjects: scenario.objects, stopAtFirstFailure: false)
        for check in outcome.checks {
            #expect(check.passed, "\(mode): \(check.name)\noperator output:\n\(outcome.output)\nreported:\n\(outcome.reported)")
        }
        #expect(outcome.checks.count == LeastPrivilegeScenario.checks.count)
        #expect(outcome.denials.isEmpty, "\(mode): the operator was refused: \(outcome.denials)")
        #expect(outcome.stoppedCleanly && outcome.exitStatus == 0, "\(mode): SIGTERM stops it cleanly; output:\n\(outcome.output)")

        // Only the chart's roles allowed the operator's requests, and each of their rules allowed one.
        let roles = scenario.roles
        #expect(!roles.isEmpty)
        let granting = Set(outcome.entries.map { "\($0.roleKind) \($0.roleName)" })
        let chartRoles = Set(roles.map { "\($0.role.kind) \($0.role.name)" })
        #expect(granting.isSubset(of: chartRoles), "\(mode): allowed by roles outside the chart: \(granting.subtracting(chartRoles))")
        for (role, rules) in roles {
            let used = Set(outcome.entries.filter { Self.entry($0, isOf: role) }.map(\.ruleIndex))
            let unused = Set(rules.indices).subtracting(used).sorted()
            #expect(unused.isEmpty, "\(mode): rules of \(role) that allowed no request: \(unused.map { rules[$0].serializedString() })")
        }
    }

    @Test(
        "least privilege: removing any one rule of the chart's roles fails a named check, and the operator says Forbidden and does not crash",
        arguments: LeastPrivilegeScenario.Mode.allCases)
    func everyRuleIsNeeded(_ mode: LeastPrivilegeScenario.Mode) async throws {
        let scenario = try await Self.leastPrivilegeScenario(mode)
        let removals = scenario.roles.flatMap { role, rules in rules.indices.map { (role: role, index: $0, rule: rules[$0]) } }
        #expect(removals.count >= 7)
        // Two runs at a time: each is an emulator, a Vault and an operator process.
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = removals[...]
            func startNext() {
                guard let removal = pending.popFirst() else { return }
                group.addTask {
                    let outcome = try await scenario.run(
                        rbacObjects: scenario.without(rule: removal.index, of: removal.role), stopAtFirstFailure: true, timeout: .seconds(20))
                    let named = "\(mode), \(removal.role) without rule \(removal.index) \(removal.rule.serializedString())"
                    #expect(outcome.failedCheck != nil, "\(named): every check still passed, so the rule is not needed")
                    let resources = (removal.rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
                    let said = outcome.output + "\n" + outcome.reported
                    let forbiddenLines = said.split(separator: "\n").filter { $0.localizedCaseInsensitiveContains("forbidden") }
                    let namesRule = forbiddenLines.contains { line in
                        resources.contains { line.contains("\"\($0)\"") } || (resources.contains { $0.hasSuffix("/finalizers") } && line.contains("finalizers"))
                    }
                    #expect(namesRule, "\(named): failed \(outcome.failedCheck ?? "no check") but nothing said Forbidden for \(resources); said:\n\(said)")
                    #expect(
                        outcome.stoppedCleanly,
                        "\(named): the operator stopped \(outcome.stoppedOnItsOwn ? "on its own" : "when told") with \(outcome.exitStatus.map(String.init) ?? "?")\(outcome.killedBySignal ? " (signal)" : ""); output:\n\(outcome.output)")
                }
            }
            startNext()
            startNext()
            while try await group.next() != nil { startNext() }
        }
    }

    /// Whether an authorization-log entry is a grant by `role` (a Role is also told by the
    /// namespace of the RoleBinding that binds it).
    static func entry(_ entry: AuthorizationLog.Entry, isOf role: LeastPrivilegeScenario.Role) -> Bool {
        entry.roleKind == role.kind && entry.roleName == role.name && (role.namespace == nil || entry.bindingNamespace == role.namespace)
    }
}
