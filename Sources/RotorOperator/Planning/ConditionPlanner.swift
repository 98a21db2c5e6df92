import Foundation
import KubeAPI

/// Sets a condition in a `status.conditions` list the Kubernetes way.
public enum ConditionPlanner {
    /// `conditions` with `condition` in place of the one of the same type (appended when
    /// there is none).
    ///
    /// `lastTransitionTime` changes only when `status` flips (or was never set): a new
    /// reason or message with the same status keeps it. The existing entry's unknown
    /// fields and position are kept, so rewriting an unchanged condition gives an equal
    /// list. `condition.lastTransitionTime` is ignored.
    public static func setting(_ condition: Condition, in conditions: [Condition]?, now: Date) -> [Condition] {
        var list = conditions ?? []
        guard let index = list.firstIndex(where: { $0.type == condition.type }) else {
            var new = condition
            new.lastTransitionTime = KubeTime(now)
            list.append(new)
            return list
        }
        var updated = list[index]
        let flipped = updated.status != condition.status || updated.lastTransitionTime == nil
        updated.status = condition.status
        updated.reason = condition.reason
        updated.message = condition.message
        updated.observedGeneration = condition.observedGeneration
        updated.lastUpdateTime = condition.lastUpdateTime
        if flipped { updated.lastTransitionTime = KubeTime(now) }
        list[index] = updated
        return list
    }
}
