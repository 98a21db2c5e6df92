/// Splits a watch response, which arrives in arbitrary chunks, into its
/// newline-delimited JSON documents.
///
/// The API server writes one event per line, but a chunk may hold half an
/// event or several; bytes are kept until their line is complete. Each byte is
/// scanned once however the chunks fall.
struct WatchLineSplitter {
    /// Refuse a single line longer than this, rather than buffer without bound.
    let maximumLineLength: Int
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    private var lineStart = 0
    /// How far `buffer` has been searched for a newline.
    private var scanned = 0

    /// 8 MiB: an object is at most 1.5 MiB in etcd (about 2 MiB as JSON, base64 included),
    /// so a longer watch line is not an event the API server sends.
    init(maximumLineLength: Int = 8 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    struct LineTooLong: Error {}

    /// Adds a chunk as it arrived from the connection.
    mutating func append<Bytes: Sequence>(_ chunk: Bytes) where Bytes.Element == UInt8 {
        if lineStart > 0, lineStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            lineStart = 0
            scanned = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete, non-blank line (without its newline), or nil until more arrives.
    mutating func nextLine() throws -> ArraySlice<UInt8>? {
        while let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[lineStart..<newline]
            lineStart = newline + 1
            scanned = lineStart
            if !Self.isBlank(line) { return line }
        }
        scanned = buffer.count
        if buffer.count - lineStart > maximumLineLength { throw LineTooLong() }
        compactIfWorthwhile()
        return nil
    }

    /// What is left when the stream ends: a last line without a newline, if not blank.
    mutating func finish() -> ArraySlice<UInt8>? {
        let rest = buffer[lineStart...]
        buffer.removeAll()
        lineStart = 0
        scanned = 0
        return Self.isBlank(rest) ? nil : rest
    }

    /// Drops consumed bytes once they make up most of the buffer, so that a long
    /// watch does not keep every event it has seen.
    private mutating func compactIfWorthwhile() {
        guard lineStart > 4096, lineStart * 2 > buffer.count else { return }
        buffer.removeSubrange(0..<lineStart)
        scanned -= lineStart
        lineStart = 0
    }

    private static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
    }
}
