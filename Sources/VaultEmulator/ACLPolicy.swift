import JSONCore

/// A Vault capability, as written in a policy's `capabilities` list.
enum Capability: String, Sendable, Hashable, CaseIterable {
    case create, read, update, patch, delete, list, sudo, deny, subscribe
}

/// One parsed ACL policy: path patterns and their capabilities.
///
/// Accepts the HCL form Vault documents (`path "secret/data/*" { capabilities = ["read"] }`)
/// and the JSON form (`{"path": {"secret/data/*": {"capabilities": ["read"]}}}`).
struct ACLPolicy: Sendable, Hashable {
    var name: String
    var text: String
    var rules: [String: Set<Capability>]

    struct ParseError: Error { var message: String }

    static func parse(name: String, text: String) throws(ParseError) -> ACLPolicy {
        let trimmed = text.drop { $0.isWhitespace }
        var rules: [String: Set<Capability>] = [:]
        if trimmed.first == "{" {
            guard let json = try? JSONValue(parsing: String(trimmed)), let paths = json["path"]?.objectValue else {
                throw ParseError(message: "failed to parse policy: invalid JSON policy")
            }
            for (pattern, body) in paths {
                let caps = body["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
                rules[pattern, default: []].formUnion(try capabilities(caps))
            }
        } else {
            var lexer = HCLLexer(text)
            while let token = try lexer.next() {
                guard case .identifier(let keyword) = token, keyword == "path" else {
                    throw ParseError(message: "failed to parse policy: unexpected \(token.text), expected \"path\"")
                }
                guard case .string(let pattern)? = try lexer.next() else {
                    throw ParseError(message: "failed to parse policy: path needs a quoted pattern")
                }
                guard case .symbol("{")? = try lexer.next() else {
                    throw ParseError(message: "failed to parse policy: expected { after path \"\(pattern)\"")
                }
                var caps: [String] = []
                try lexer.block { key, value in
                    if key == "capabilities" { caps.append(contentsOf: value) }
                }
                rules[pattern, default: []].formUnion(try capabilities(caps))
            }
        }
        return ACLPolicy(name: name, text: text, rules: rules)
    }

    private static func capabilities(_ names: [String]) throws(ParseError) -> Set<Capability> {
        var set = Set<Capability>()
        for name in names {
            guard let cap = Capability(rawValue: name.lowercased()) else {
                throw ParseError(message: "failed to parse policy: invalid capability \"\(name)\"")
            }
            set.insert(cap)
        }
        return set
    }

    /// The `default` policy Vault attaches to tokens: what a token may do about itself.
    static let defaultPolicyText = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }
        # Allow tokens to renew themselves
        path "auth/token/renew-self" {
            capabilities = ["update"]
        }
        # Allow tokens to revoke themselves
        path "auth/token/revoke-self" {
            capabilities = ["update"]
        }
        # Allow a token to look up its own capabilities on a path
        path "sys/capabilities-self" {
            capabilities = ["update"]
        }
        # Allow a token to read the ACL its policies add up to (the UI uses it)
        path "sys/internal/ui/resultant-acl" {
            capabilities = ["read"]
        }
        """
}

/// A tiny lexer for the HCL subset policies use: identifiers, strings, `{ } [ ] = ,`,
/// numbers and booleans, with `#`, `//` and `/* */` comments.
struct HCLLexer {
    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case symbol(Character)

        var text: String {
            switch self {
            case .identifier(let s): s
            case .string(let s): "\"\(s)\""
            case .symbol(let c): String(c)
            }
        }
    }

    private var chars: [Character]
    private var index = 0

    init(_ text: String) { chars = Array(text) }

    mutating func next() throws(ACLPolicy.ParseError) -> Token? {
        skipTrivia()
        guard index < chars.count else { return nil }
        let c = chars[index]
        if "{}[]=,".contains(c) {
            index += 1
            return .symbol(c)
        }
        if c == "\"" {
            index += 1
            var out = ""
            while index < chars.count, chars[index] != "\"" {
                if chars[index] == "\\", index + 1 < chars.count {
                    index += 1
                }
                out.append(chars[index])
                index += 1
            }
            guard index < chars.count else { throw ACLPolicy.ParseError(message: "failed to parse policy: unterminated string") }
            index += 1
            return .string(out)
        }
        if c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." {
            var out = ""
            while index < chars.count, chars[index].isLetter || chars[index].isNumber || "_-.".contains(chars[index]) {
                out.append(chars[index])
                index += 1
            }
            return .identifier(out)
        }
        throw ACLPolicy.ParseError(message: "failed to parse policy: unexpected character \(c)")
    }

    private mutating func skipTrivia() {
        while index < chars.count {
            let c = chars[index]
            if c.isWhitespace {
                index += 1
            } else if c == "#" || (c == "/" && index + 1 < chars.count && chars[index + 1] == "/") {
                while index < chars.count, !chars[index].isNewline { index += 1 }
            } else if c == "/" && index + 1 < chars.count && chars[index + 1] == "*" {
                index += 2
                while index + 1 < chars.count, !(chars[index] == "*" && chars[index + 1] == "/") { index += 1 }
                index = min(chars.count, index + 2)
            } else {
                return
            }
        }
    }

    /// Reads `key = value` pairs until the closing `}`; nested blocks are skipped.
    /// List values and scalars are handed over as strings.
    mutating func block(_ visit: (String, [String]) -> Void) throws(ACLPolicy.ParseError) {
        while true {
            guard let token = try next() else { throw ACLPolicy.ParseError(message: "failed to parse policy: missing }") }
            switch token {
            case .symbol("}"): return
            case .symbol(","): continue
            case .identifier(let key), .string(let key):
                var after = try next()
                if after == .symbol("=") { after = try next() }
                switch after {
                case .symbol("[")?:
                    var values: [String] = []
                    while let item = try next(), item != .symbol("]") {
                        switch item {
                        case .string(let s), .identifier(let s): values.append(s)
                        default: continue
                        }
                    }
                    visit(key, values)
                case .symbol("{")?:
                    try block { _, _ in }
                case .string(let s)?, .identifier(let s)?:
                    visit(key, [s])
                default:
                    throw ACLPolicy.ParseError(message: "failed to parse policy: bad value for \(key)")
                }
            default:
                throw ACLPolicy.ParseError(message: "failed to parse policy: unexpected \(token.text)")
            }
        }
    }
}

/// The merged rules of a token's policies, answering what the token may do on a path
/// the way Vault's ACL does: an exact path rule wins; otherwise the most specific glob
/// (`*` suffix, `+` segment) by Vault's priority order; `deny` overrides everything.
struct ACL: Sendable {
    private(set) var isRoot = false
    private var exact: [String: Set<Capability>] = [:]
    private var globs: [(pattern: String, caps: Set<Capability>)] = []

    init(policies: [ACLPolicy], root: Bool) {
        isRoot = root
        var merged: [String: Set<Capability>] = [:]
        for policy in policies {
            for (pattern, caps) in policy.rules { merged[pattern, default: []].formUnion(caps) }
        }
        for (pattern, caps) in merged {
            if pattern.hasSuffix("*") || pattern.split(separator: "/", omittingEmptySubsequences: false).contains("+") {
                globs.append((pattern, caps))
            } else {
                exact[pattern] = caps
            }
        }
        globs.sort { Self.higherPriority($0.pattern, than: $1.pattern) }
    }

    /// The capabilities on `path` (without a leading slash); `deny` yields none.
    func capabilities(on path: String) -> Set<Capability> {
        if isRoot { return Set(Capability.allCases).subtracting([.deny]) }
        let caps = exact[path] ?? globs.first { Self.matches($0.pattern, path) }?.caps ?? []
        return caps.contains(.deny) ? [] : caps
    }

    /// The merged rules as `sys/internal/ui/resultant-acl` shows them: exact paths, and
    /// globs keyed by their pattern without the trailing `*`.
    var resultant: (exact: [String: Set<Capability>], globs: [String: Set<Capability>]) {
        var globPaths: [String: Set<Capability>] = [:]
        for glob in globs {
            let key = glob.pattern.hasSuffix("*") ? String(glob.pattern.dropLast()) : glob.pattern
            globPaths[key, default: []].formUnion(glob.caps)
        }
        return (exact, globPaths)
    }

    func allows(_ capability: Capability, on path: String) -> Bool {
        capabilities(on: path).contains(capability)
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        let isPrefix = pattern.hasSuffix("*")
        let body = isPrefix ? String(pattern.dropLast()) : pattern
        let patternSegments = body.split(separator: "/", omittingEmptySubsequences: false)
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        if isPrefix {
            guard pathSegments.count >= patternSegments.count else { return false }
        } else {
            guard pathSegments.count == patternSegments.count else { return false }
        }
        for (i, segment) in patternSegments.enumerated() {
            let last = i == patternSegments.count - 1
            if segment == "+" {
                // `+` stands for exactly one segment; `+*` also accepts anything after it.
                continue
            }
            if last && isPrefix {
                if !pathSegments[i].hasPrefix(segment) { return false }
            } else if pathSegments[i] != segment {
                return false
            }
        }
        return true
    }

    /// Vault's ordering among matching globs (docs, "Priority matching").
    static func higherPriority(_ a: String, than b: String) -> Bool {
        func firstWildcard(_ s: String) -> Int {
            let chars = Array(s)
            for (i, c) in chars.enumerated() where c == "*" || c == "+" { return i }
            return chars.count
        }
        let wa = firstWildcard(a), wb = firstWildcard(b)
        if wa != wb { return wa > wb }
        let sa = a.hasSuffix("*"), sb = b.hasSuffix("*")
        if sa != sb { return !sa }
        let pa = a.split(separator: "/", omittingEmptySubsequences: false).filter { $0 == "+" }.count
        let pb = b.split(separator: "/", omittingEmptySubsequences: false).filter { $0 == "+" }.count
        if pa != pb { return pa < pb }
        if a.count != b.count { return a.count > b.count }
        return a > b
    }
}
