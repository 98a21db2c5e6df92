/// RBAC's privilege-escalation prevention, pure: a user may only write a Role or
/// ClusterRole whose rules it holds itself (or with the `escalate` verb on it), and only
/// bind a role whose rules it holds (or with the `bind` verb on it). This computes which
/// requested permissions the user's own rules do not cover, and words the refusal.
enum EscalationCheck {
    /// One permission: a verb on one group/resource[/name], or on one non-resource URL.
    struct Atom: Hashable {
        var verb: String
        var group = ""
        var resource = ""
        var name = ""
        var url = ""
    }

    /// The permissions of `requested` that no rule of `owned` covers, compacted by
    /// group/resource/name (verbs merged), in kube-apiserver's description order.
    static func notHeld(_ requested: [PolicyRule], owned: [PolicyRule]) -> [PolicyRule] {
        var missing: [Atom] = []
        for rule in requested {
            for atom in atoms(rule) where !owned.contains(where: { covers($0, atom) }) && !missing.contains(atom) {
                missing.append(atom)
            }
        }
        var compacted: [PolicyRule] = []
        for atom in missing {
            if let i = compacted.firstIndex(where: { same($0, atom) }) {
                compacted[i].verbs.append(atom.verb)
            } else if !atom.url.isEmpty {
                compacted.append(PolicyRule(verbs: [atom.verb], nonResourceURLs: [atom.url]))
            } else {
                compacted.append(PolicyRule(
                    verbs: [atom.verb], apiGroups: [atom.group], resources: [atom.resource], resourceNames: atom.name.isEmpty ? [] : [atom.name]))
            }
        }
        return compacted.sorted { describe($0) < describe($1) }
    }

    /// `user "u" (groups=["a" "b"]) is attempting to grant RBAC permissions not currently held:` and the rules.
    static func message(user: UserInfo, missing: [PolicyRule]) -> String {
        let groups = "[" + user.groups.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        return "user \"\(user.name)\" (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n"
            + missing.map(describe).joined(separator: "\n")
    }

    /// A rule as kube-apiserver's CompactString prints it.
    static func describe(_ rule: PolicyRule) -> String {
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        var parts: [String] = []
        if !rule.apiGroups.isEmpty { parts.append("APIGroups:\(list(rule.apiGroups))") }
        if !rule.resources.isEmpty { parts.append("Resources:\(list(rule.resources))") }
        if !rule.nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(list(rule.nonResourceURLs))") }
        if !rule.resourceNames.isEmpty { parts.append("ResourceNames:\(list(rule.resourceNames))") }
        parts.append("Verbs:\(list(rule.verbs))")
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func same(_ rule: PolicyRule, _ atom: Atom) -> Bool {
        if !atom.url.isEmpty { return rule.nonResourceURLs == [atom.url] }
        return rule.nonResourceURLs.isEmpty && rule.apiGroups == [atom.group] && rule.resources == [atom.resource]
            && rule.resourceNames == (atom.name.isEmpty ? [] : [atom.name])
    }

    private static func atoms(_ rule: PolicyRule) -> [Atom] {
        var out: [Atom] = []
        for verb in rule.verbs {
            for url in rule.nonResourceURLs { out.append(Atom(verb: verb, url: url)) }
            for group in rule.apiGroups {
                for resource in rule.resources {
                    for name in rule.resourceNames.isEmpty ? [""] : rule.resourceNames {
                        out.append(Atom(verb: verb, group: group, resource: resource, name: name))
                    }
                }
            }
        }
        return out
    }

    /// Whether an owned rule grants the whole atom (a wildcard is covered only by a wildcard).
    private static func covers(_ owned: PolicyRule, _ atom: Atom) -> Bool {
        guard owned.verbs.contains("*") || owned.verbs.contains(atom.verb) else { return false }
        if !atom.url.isEmpty {
            return owned.nonResourceURLs.contains { url in
                url == "*" || url == atom.url || (url.hasSuffix("*") && atom.url.hasPrefix(String(url.dropLast())))
            }
        }
        guard owned.apiGroups.contains("*") || owned.apiGroups.contains(atom.group) else { return false }
        let resourceCovered = owned.resources.contains { r in
            if r == "*" || r == atom.resource { return true }
            let parts = atom.resource.split(separator: "/", maxSplits: 1).map(String.init)
            return parts.count == 2 && (r == "*/\(parts[1])" || r == "\(parts[0])/*")
        }
        guard resourceCovered else { return false }
        return owned.resourceNames.isEmpty || (!atom.name.isEmpty && owned.resourceNames.contains(atom.name))
    }
}
