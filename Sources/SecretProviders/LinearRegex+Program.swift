/// The compiled form of a ``LinearRegex``: instructions of a Thompson NFA, the
/// character tests they make, and the state sets the matcher steps through.
extension LinearRegex {
    enum Instruction: Sendable {
        /// Consumes one character that the matcher accepts.
        case char(CharMatcher)
        /// Continues at both targets.
        case split(Int, Int)
        case jump(Int)
        /// Continues only where the empty-width assertion holds.
        case assert(Assertion)
        /// Records the position in capture slot `n` (group n/2's start or end) and continues.
        case save(Int)
        case match
    }

    enum Assertion: Sendable, Hashable {
        case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary

        func holds(_ context: Context) -> Bool {
            switch self {
            case .beginText: return context.previous == nil
            case .endText: return context.next == nil
            case .beginLine: return context.previous == nil || context.previous == "\n"
            case .endLine: return context.next == nil || context.next == "\n"
            case .wordBoundary: return Self.isWord(context.previous) != Self.isWord(context.next)
            case .notWordBoundary: return Self.isWord(context.previous) == Self.isWord(context.next)
            }
        }

        /// ASCII word character, as Go's `\b` uses.
        static func isWord(_ c: Unicode.Scalar?) -> Bool {
            guard let c, c.isASCII else { return false }
            let v = c.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
    }

    /// The characters around a position.
    struct Context {
        var previous: Unicode.Scalar?
        var next: Unicode.Scalar?
    }

    /// One character test.
    struct CharMatcher: Sendable {
        enum Kind: Sendable {
            /// Exactly these scalars (one, or with case folding its case variants).
            case scalars([UInt32])
            /// `.`: anything, or anything but `\n`.
            case any(newline: Bool)
            case set(CharSet)
        }

        var kind: Kind
        var foldCase: Bool

        func matches(_ c: Unicode.Scalar, variants: [UInt32]) -> Bool {
            switch kind {
            case .any(let newline): return newline || c != "\n"
            case .scalars(let values):
                if values.contains(c.value) { return true }
                return foldCase && variants.contains { values.contains($0) }
            case .set(let set):
                guard foldCase else { return set.contains(c.value) }
                // Case-insensitive: `c` is in the class when it or one of its case forms is
                // among the members; so `(?i)[^a]` matches neither "a" nor "A".
                let member = set.hasMember(c.value) || variants.contains { set.hasMember($0) }
                return member != set.negated
            }
        }
    }

    /// A bracket class or a Perl class: items, possibly negated.
    struct CharSet: Sendable {
        indirect enum Item: Sendable {
            case range(UInt32, UInt32)
            case category(Set<Unicode.GeneralCategory>)
            case not([Item])

            func contains(_ v: UInt32) -> Bool {
                switch self {
                case .range(let lo, let hi): return lo <= v && v <= hi
                case .category(let categories):
                    guard let scalar = Unicode.Scalar(v) else { return false }
                    return categories.contains(scalar.properties.generalCategory)
                case .not(let items): return !items.contains { $0.contains(v) }
                }
            }
        }

        var items: [Item]
        var negated: Bool

        /// Whether `v` is one of the items (negation not applied).
        func hasMember(_ v: UInt32) -> Bool {
            items.contains { $0.contains(v) }
        }

        func contains(_ v: UInt32) -> Bool {
            hasMember(v) != negated
        }
    }

    /// Set of program counters with insertion order, cleared in O(1) (sparse-set).
    struct ThreadSet {
        var dense: [Int]
        var sparse: [Int]
        var count = 0

        init(size: Int) {
            dense = Array(repeating: 0, count: size)
            sparse = Array(repeating: 0, count: size)
        }

        mutating func insert(_ pc: Int) -> Bool {
            let slot = sparse[pc]
            if slot < count, dense[slot] == pc { return false }
            sparse[pc] = count
            dense[count] = pc
            count += 1
            return true
        }

        mutating func clear() { count = 0 }
    }
}
