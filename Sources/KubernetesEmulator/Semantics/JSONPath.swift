import JSONCore

/// The subset of kubectl JSONPath that CRD `additionalPrinterColumns` use:
/// `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`, quoted keys
/// (`.metadata.annotations['rotor\.dev/x']` is written `.metadata.annotations.rotor\.dev/x`).
struct SimpleJSONPath: Sendable {
    enum Step: Sendable {
        case member(String)
        case index(Int)
        case all
        case filter(path: [String], equals: String)
    }

    let steps: [Step]

    init(_ expression: String) throws {
        var text = Substring(expression.trimmingSpaces)
        if text.hasPrefix("{") && text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        var steps: [Step] = []
        let chars = Array(text)
        var i = 0
        func readName() -> String {
            var name = ""
            while i < chars.count, chars[i] != ".", chars[i] != "[" {
                if chars[i] == "\\", i + 1 < chars.count {
                    name.append(chars[i + 1])
                    i += 2
                } else {
                    name.append(chars[i])
                    i += 1
                }
            }
            return name
        }
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                let name = readName()
                if !name.isEmpty { steps.append(.member(name)) }
            case "[":
                guard let close = chars[i...].firstIndex(of: "]") else { throw JSONPathError(expression: expression) }
                let inner = String(chars[(i + 1)..<close]).trimmingSpaces
                i = close + 1
                if inner == "*" {
                    steps.append(.all)
                } else if let n = Int(inner) {
                    steps.append(.index(n))
                } else if inner.hasPrefix("'") || inner.hasPrefix("\"") {
                    steps.append(.member(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(@.") && inner.hasSuffix(")") {
                    let body = inner.dropFirst(4).dropLast()
                    guard let eq = body.range(of: "==") else { throw JSONPathError(expression: expression) }
                    let path = body[..<eq.lowerBound].trimmingSpaces.split(separator: ".").map(String.init)
                    var value = body[eq.upperBound...].trimmingSpaces
                    if value.hasPrefix("\"") || value.hasPrefix("'") { value = String(value.dropFirst().dropLast()) }
                    steps.append(.filter(path: path, equals: value))
                } else {
                    throw JSONPathError(expression: expression)
                }
            default:
                // A leading name without a dot.
                let name = readName()
                if name.isEmpty { throw JSONPathError(expression: expression) }
                steps.append(.member(name))
            }
        }
        self.steps = steps
    }

    /// All values the path selects in `root`.
    func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current: [JSONValue] = [root]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .member(let name):
                    if let v = value[name] { next.append(v) }
                case .index(let n):
                    if let a = value.arrayValue {
                        let idx = n < 0 ? a.count + n : n
                        if a.indices.contains(idx) { next.append(a[idx]) }
                    }
                case .all:
                    if let a = value.arrayValue { next.append(contentsOf: a) }
                    if let o = value.objectValue { next.append(contentsOf: o.keys.sorted().map { o[$0]! }) }
                case .filter(let path, let expected):
                    for element in value.arrayValue ?? [] {
                        let actual = element[path: path]
                        if actual?.stringValue == expected || actual.map({ $0.serializedString() }) == expected {
                            next.append(element)
                        }
                    }
                }
            }
            current = next
        }
        return current
    }
}

struct JSONPathError: Error, Sendable {
    var expression: String
}
