/// Who made a request, as kube-apiserver's authenticators name users: a user name,
/// an optional uid and the groups the authorizer matches `Group` subjects against.
struct UserInfo: Sendable, Equatable {
    var name: String
    var uid: String?
    var groups: [String]

    /// The group whose members every authorizer allows everything (kube-apiserver's
    /// privileged-group short cut, ahead of RBAC).
    static let mastersGroup = "system:masters"

    /// A request without credentials, when anonymous authentication is on (the default).
    static let anonymous = UserInfo(name: "system:anonymous", uid: nil, groups: ["system:unauthenticated"])

    /// The cluster admin of the emulator: the admin token's identity.
    static let admin = UserInfo(name: "admin", uid: nil, groups: [mastersGroup, "system:authenticated"])

    /// The identity a ServiceAccount token authenticates as.
    static func serviceAccount(namespace: String, name: String, uid: String?) -> UserInfo {
        UserInfo(
            name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }

    var isPrivileged: Bool { groups.contains(Self.mastersGroup) }

    /// `(namespace, name)` when the user is a ServiceAccount.
    var serviceAccount: (namespace: String, name: String)? {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" else { return nil }
        return (String(parts[2]), String(parts[3]))
    }
}
