import NIOConcurrencyHelpers

/// A point in the order in which this process starts provider reads: every read a
/// ``CoalescingReader`` sends gets the next mark, and ``current`` is the mark of the
/// latest read started so far.
///
/// It lets a refresh ask for values *newer than the ones it already has* without
/// comparing clocks: an ExternalSecret notes ``current`` once its read is done, and its
/// next refresh accepts only reads started after that mark (see
/// ``CoalescingReader/read(_:freshAfter:)``). Readers that come due together still share
/// one read, since it was started after all of their marks. A logical clock rather than a
/// timestamp, so that two reads started in the same clock tick (or under a test's manual
/// clock) are still ordered.
public struct ReadMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public static func < (lhs: ReadMark, rhs: ReadMark) -> Bool { lhs.value < rhs.value }

    public var description: String { "read#\(value)" }

    private static let counter = NIOLockedValueBox<UInt64>(0)

    /// The mark of the latest read started by any reader of the process.
    public static var current: ReadMark { ReadMark(counter.withLockedValue { $0 }) }

    /// Takes the next mark, for a read about to start.
    static func next() -> ReadMark {
        ReadMark(counter.withLockedValue { value in
            value &+= 1
            return value
        })
    }
}

/// What a caller needs of a read for it to answer: started after a ``ReadMark`` (newer
/// than the values the caller already has) and no older than a maximum age (its refresh
/// interval). ``any`` accepts every unexpired read.
public struct ReadFreshness: Sendable, Hashable {
    /// Only reads started after this mark; nil: no such bound.
    public var startedAfter: ReadMark?
    /// Only reads started at most this long ago; nil: no such bound (the cache's TTL).
    public var maxAge: Duration?

    public init(startedAfter: ReadMark? = nil, maxAge: Duration? = nil) {
        self.startedAfter = startedAfter
        self.maxAge = maxAge
    }

    /// Any read the cache still holds.
    public static let any = ReadFreshness()

    /// Whether a read started at `mark`, at `started`, may answer at `now`.
    func admits(_ mark: ReadMark, started: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        if let startedAfter, mark <= startedAfter { return false }
        if let maxAge, now - started > maxAge { return false }
        return true
    }

    /// The stricter of two requirements (both must hold).
    public func combined(with other: ReadFreshness) -> ReadFreshness {
        ReadFreshness(
            startedAfter: [startedAfter, other.startedAfter].compactMap { $0 }.max(),
            maxAge: [maxAge, other.maxAge].compactMap { $0 }.min())
    }
}
