/// Replacement with a ``LinearRegex``: Go's `Regexp.ReplaceAllString`, as ESO's
/// `dataFrom.rewrite.regexp` uses it, in time linear in the input for each match.
///
/// Matches are found by a Pike VM with capture slots (leftmost match, then the branch and
/// repetition Go prefers), so `^(a+)+$` costs no more than any pattern of its size.
/// The work is counted in steps (instructions visited plus capture slots copied) and
/// stops, as ``ReplaceError/tooCostly``, when it passes the caller's budget.
extension LinearRegex {
    /// Why a replacement was abandoned.
    public enum ReplaceError: Error, Sendable, Hashable {
        /// More than `budget` steps would be needed.
        case tooCostly(budget: Int)
    }

    /// `text` with every non-overlapping match replaced by `template` expanded: `$1`,
    /// `${1}`, `$name`, `${name}` insert a group (empty when it did not take part or does
    /// not exist), `$$` a `$`; a `$name` takes the longest run of letters, digits and `_`,
    /// as in Go. Empty matches right after a match are skipped, as Go does.
    ///
    /// - Parameter steps: adds the work done; throws once it passes `budget`.
    public func replacingAll(in text: String, with template: String, steps: inout Int, budget: Int) throws(ReplaceError) -> String {
        let input = Array(text.unicodeScalars)
        let pieces = Self.parseTemplate(Array(template.unicodeScalars), names: captureNames)
        var output = String.UnicodeScalarView()
        var searchFrom = 0
        var lastEnd = 0
        while searchFrom <= input.count {
            guard let slots = try firstMatch(in: input, from: searchFrom, steps: &steps, budget: budget) else { break }
            let (start, end) = (slots[0], slots[1])
            output.append(contentsOf: input[lastEnd..<start])
            if end > lastEnd || start == 0 {
                for piece in pieces {
                    switch piece {
                    case .literal(let scalars): output.append(contentsOf: scalars)
                    case .group(let n):
                        if n >= 0, 2 * n + 1 < slots.count, slots[2 * n] >= 0, slots[2 * n + 1] >= 0 {
                            output.append(contentsOf: input[slots[2 * n]..<slots[2 * n + 1]])
                        }
                    }
                }
            }
            lastEnd = end
            searchFrom = max(end, searchFrom + 1)
        }
        if lastEnd < input.count { output.append(contentsOf: input[lastEnd...]) }
        return String(output)
    }

    enum TemplatePiece {
        case literal([Unicode.Scalar])
        /// A group number; -1 for a name that names no group (expands to nothing).
        case group(Int)
    }

    /// Splits a replacement template into literal text and group references (Go's `Expand`).
    static func parseTemplate(_ t: [Unicode.Scalar], names: [String: Int]) -> [TemplatePiece] {
        func isNameScalar(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal }
        func group(named name: String) -> Int {
            if let number = Int(name), name.unicodeScalars.allSatisfy({ $0.isASCII }) { return number <= 100_000 ? number : -1 }
            return names[name] ?? -1
        }
        var pieces: [TemplatePiece] = []
        var literal: [Unicode.Scalar] = []
        var i = 0
        while i < t.count {
            guard t[i] == "$", i + 1 < t.count else {
                literal.append(t[i])
                i += 1
                continue
            }
            if t[i + 1] == "$" {
                literal.append("$")
                i += 2
                continue
            }
            var j = i + 1
            var name: String?
            if t[j] == "{" {
                var k = j + 1
                while k < t.count, isNameScalar(t[k]) { k += 1 }
                if k < t.count, t[k] == "}", k > j + 1 {
                    name = String(String.UnicodeScalarView(t[(j + 1)..<k]))
                    j = k + 1
                }
            } else {
                var k = j
                while k < t.count, isNameScalar(t[k]) { k += 1 }
                if k > j {
                    name = String(String.UnicodeScalarView(t[j..<k]))
                    j = k
                }
            }
            guard let name else {
                // A `$` not followed by a name is kept literally, as in Go.
                literal.append(t[i])
                i += 1
                continue
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = []
            pieces.append(.group(group(named: name)))
            i = j
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// The leftmost match starting at or after `start`, as capture slots (`[start, end,
    /// group 1 start, group 1 end, …]`, -1 where a group did not take part); nil when there
    /// is none. Assertions see the whole input, so `^` and `\b` mean what they mean in Go.
    func firstMatch(in input: [Unicode.Scalar], from start: Int, steps: inout Int, budget: Int) throws(ReplaceError) -> [Int]? {
        let slotCount = 2 * (captureCount + 1)
        var current = CaptureThreads(size: program.count)
        var next = CaptureThreads(size: program.count)
        var matched: [Int]?
        var position = start
        while true {
            let context = Context(
                previous: position > 0 ? input[position - 1] : nil, next: position < input.count ? input[position] : nil)
            if matched == nil, !anchoredAtStart || position == 0 {
                var slots = Array(repeating: -1, count: slotCount)
                slots[0] = position
                try addThread(0, slots: slots, to: &current, context: context, position: position, steps: &steps, budget: budget)
            }
            if current.count == 0 {
                // Nothing alive here: done once a match was found or none can start later.
                if matched != nil || anchoredAtStart || position >= input.count { break }
                current.clear()
                position += 1
                continue
            }
            let character = position < input.count ? input[position] : nil
            let variants = foldsCase && character != nil ? Self.caseVariants(of: character!) : []
            let nextContext = Context(
                previous: character, next: position + 1 < input.count ? input[position + 1] : nil)
            next.clear()
            for index in 0..<current.count {
                let pc = current.pcs[index]
                switch program[pc] {
                case .match:
                    var slots = current.slots[index]
                    slots[1] = position
                    matched = slots
                case .char(let matcher):
                    guard let character, matcher.matches(character, variants: variants) else { continue }
                    try addThread(pc + 1, slots: current.slots[index], to: &next, context: nextContext, position: position + 1, steps: &steps, budget: budget)
                    continue
                default:
                    continue
                }
                // A match cuts every thread of lower priority.
                break
            }
            swap(&current, &next)
            if position >= input.count { break }
            position += 1
        }
        return matched
    }

    /// Adds `pc` and what it reaches without consuming input, depth first in priority order.
    private func addThread(
        _ pc: Int, slots: [Int], to list: inout CaptureThreads, context: Context, position: Int, steps: inout Int, budget: Int
    ) throws(ReplaceError) {
        var stack: [(Int, [Int])] = [(pc, slots)]
        while let (pc, slots) = stack.popLast() {
            guard list.mark(pc) else { continue }
            steps += 1
            if steps > budget { throw .tooCostly(budget: budget) }
            switch program[pc] {
            case .match, .char: list.append(pc, slots)
            case .jump(let target): stack.append((target, slots))
            case .split(let first, let second):
                stack.append((second, slots))
                stack.append((first, slots))
            case .assert(let assertion):
                if assertion.holds(context) { stack.append((pc + 1, slots)) }
            case .save(let slot):
                var updated = slots
                if slot < updated.count { updated[slot] = position }
                steps += updated.count
                stack.append((pc + 1, updated))
            }
        }
    }

    /// The threads at one position, in priority order, each with its capture slots.
    struct CaptureThreads {
        var seen: ThreadSet
        var pcs: [Int] = []
        var slots: [[Int]] = []
        var count: Int { pcs.count }

        init(size: Int) { seen = ThreadSet(size: size) }

        /// Marks `pc` visited at this position; false when it already was.
        mutating func mark(_ pc: Int) -> Bool { seen.insert(pc) }

        mutating func append(_ pc: Int, _ slots: [Int]) {
            pcs.append(pc)
            self.slots.append(slots)
        }

        mutating func clear() {
            seen.clear()
            pcs.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
        }
    }
}
