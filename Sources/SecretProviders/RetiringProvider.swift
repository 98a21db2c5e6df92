/// A provider holding something on the provider's side that should be given back when its
/// store is deleted or its provider block changes (a Vault token from a login).
///
/// The operator calls ``retire()`` once, in a detached task, and drops the provider; a
/// provider must not block in it for long, and must not give back anything the user
/// supplied (a token from a Secret is theirs).
public protocol RetiringProvider: Sendable {
    func retire() async
}
