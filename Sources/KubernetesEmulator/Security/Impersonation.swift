import NIOHTTP1

/// User impersonation (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid`
/// headers, i.e. `kubectl --as` and `--as-group`), as kube-apiserver's impersonation
/// filter does it: the caller must be allowed the `impersonate` verb on `users`,
/// `serviceaccounts`, `groups` or `uids` with the names asked for; the request then runs
/// as the impersonated user, who is authorized in place of the caller.
struct Impersonation: Sendable {
    static let userHeader = "Impersonate-User"
    static let groupHeader = "Impersonate-Group"
    static let uidHeader = "Impersonate-Uid"

    /// The attributes the caller needs to be allowed, and the user it becomes; nil when the
    /// request asks for no impersonation.
    static func plan(caller: UserInfo, headers: HTTPHeaders) throws -> (checks: [RequestAttributes], user: UserInfo)? {
        let name = headers.first(name: userHeader)
        let groups = headers[groupHeader]
        let uid = headers.first(name: uidHeader)
        guard name != nil || !groups.isEmpty || uid != nil else { return nil }
        guard let name, !name.isEmpty else {
            throw APIError(code: 500, reason: "InternalError", message: "Internal error occurred: requested [\(groups.map { "{Group  \($0)    }" }.joined(separator: " "))] without impersonating a user")
        }
        func check(_ resource: String, _ name: String, namespace: String = "") -> RequestAttributes {
            RequestAttributes(user: caller, verb: "impersonate", isResourceRequest: true, resource: resource, namespace: namespace, name: name)
        }
        var checks: [RequestAttributes] = []
        var user = UserInfo(name: name, uid: uid, groups: groups)
        if let account = user.serviceAccount {
            checks.append(check("serviceaccounts", account.name, namespace: account.namespace))
            // A ServiceAccount's groups are known: added when none are asked for.
            if groups.isEmpty { user.groups = UserInfo.serviceAccount(namespace: account.namespace, name: account.name, uid: nil).groups }
        } else {
            checks.append(check("users", name))
        }
        checks += groups.map { check("groups", $0) }
        if let uid { checks.append(check("uids", uid)) }
        let implied = name == UserInfo.anonymous.name ? "system:unauthenticated" : "system:authenticated"
        if !user.groups.contains(implied) { user.groups.append(implied) }
        return (checks, user)
    }
}
