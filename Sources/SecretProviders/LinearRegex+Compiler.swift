/// The syntax tree a pattern parses to, and its compilation to a program (bounded by
/// ``LinearRegex/maximumProgramSize``).
extension LinearRegex {
    indirect enum Node {
        case empty
        case char(CharMatcher)
        case assert(Assertion)
        case concat([Node])
        case alternate([Node])
        /// `max` nil: unbounded. `lazy` prefers fewer repetitions (which only a replacement sees).
        case repeated(Node, min: Int, max: Int?, lazy: Bool = false)
        /// A capturing group, numbered from 1.
        case capture(Node, Int)
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(CompileError) {
            guard program.count < LinearRegex.maximumProgramSize else {
                throw CompileError(
                    description: "the pattern compiles to more than \(LinearRegex.maximumProgramSize) instructions; use smaller repetition counts")
            }
            program.append(instruction)
        }

        mutating func emit(_ node: Node) throws(CompileError) {
            switch node {
            case .empty: break
            case .char(let matcher): try append(.char(matcher))
            case .assert(let assertion): try append(.assert(assertion))
            case .concat(let nodes):
                for node in nodes { try emit(node) }
            case .alternate(let nodes):
                // split L1, next; L1: a; jmp end; next: split L2, next2; … last: z; end:
                var jumps: [Int] = []
                for (index, node) in nodes.enumerated() {
                    if index < nodes.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, 0))
                        try emit(node)
                        jumps.append(program.count)
                        try append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(node)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .capture(let node, let index):
                try append(.save(2 * index))
                try emit(node)
                try append(.save(2 * index + 1))
            case .repeated(let node, let min, let max, let lazy):
                // A split's first target is preferred; a lazy repetition prefers leaving.
                func split(_ body: Int, _ out: Int) -> Instruction { lazy ? .split(out, body) : .split(body, out) }
                if let max {
                    for _ in 0..<min { try emit(node) }
                    for _ in min..<max {
                        // e?: split body, out
                        let at = program.count
                        try append(.split(at + 1, 0))
                        try emit(node)
                        program[at] = split(at + 1, program.count)
                    }
                } else if min == 0 {
                    // e*: L: split body, out; body: e; jmp L; out:
                    let at = program.count
                    try append(.split(at + 1, 0))
                    try emit(node)
                    try append(.jump(at))
                    program[at] = split(at + 1, program.count)
                } else {
                    // e{n,}: e (n-1 times), then L: e; split L, out
                    for _ in 0..<(min - 1) { try emit(node) }
                    let start = program.count
                    try emit(node)
                    try append(split(start, program.count + 1))
                }
            }
        }
    }
}
