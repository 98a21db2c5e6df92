import Testing

@testable import KubeClient

/// An instant of simulated time: the pacing arithmetic runs on it without any clock.
struct SimulatedInstant: InstantProtocol {
    var offset: Duration
    func advanced(by duration: Duration) -> SimulatedInstant { SimulatedInstant(offset: offset + duration) }
    func duration(to other: SimulatedInstant) -> Duration { other.offset - offset }
    static func < (lhs: SimulatedInstant, rhs: SimulatedInstant) -> Bool { lhs.offset < rhs.offset }
    static let zero = SimulatedInstant(offset: .zero)
}

/// A discrete-event run of one ``PacingLane`` against a simulated API server that admits at
/// most `limit` requests in each second (the rest are refused with 429), with clients that
/// always have more to send.
struct PacedServerSimulation {
    typealias Lane = PacingLane<SimulatedInstant>
    struct InFlight {
        var ticket: Lane.Ticket
        var completesAt: SimulatedInstant
        var refused: Bool
    }

    var lane: Lane
    var now = SimulatedInstant.zero
    /// Requests a second the server admits; nil: no limit.
    var limit: Int?
    var latency: Duration = .milliseconds(2)
    var inFlight: [InFlight] = []
    var serverSecondStart = SimulatedInstant.zero
    var admittedThisSecond = 0
    /// Per second of simulated time: requests admitted, and refused.
    var admittedPerSecond: [Int: Int] = [:]
    var refusedPerSecond: [Int: Int] = [:]

    init(policy: PacingPolicy = PacingPolicy(), ceiling: RequestCeiling? = nil, limit: Int?) {
        lane = Lane(policy: policy, ceiling: ceiling, now: .zero)
        self.limit = limit
    }

    /// Runs for `duration` in 1 ms steps: completions are delivered, then clients send all they may.
    mutating func run(for duration: Duration) {
        let end = now.advanced(by: duration)
        while now < end {
            deliverCompletions()
            sendWhileAllowed()
            now = now.advanced(by: .milliseconds(1))
        }
    }

    private mutating func deliverCompletions() {
        var remaining: [InFlight] = []
        for request in inFlight {
            guard request.completesAt <= now else {
                remaining.append(request)
                continue
            }
            if request.refused {
                lane.complete(request.ticket, .throttled(retryAfter: .seconds(1)), now: now)
            } else {
                lane.complete(request.ticket, .answered(latency: latency), now: now)
            }
        }
        inFlight = remaining
    }

    private mutating func sendWhileAllowed() {
        while case .send(let ticket) = lane.decide(now: now) {
            if serverSecondStart.duration(to: now) >= .seconds(1) {
                serverSecondStart = now
                admittedThisSecond = 0
            }
            let second = Int(now.offset.components.seconds)
            let refused = limit.map { admittedThisSecond >= $0 } ?? false
            if refused {
                refusedPerSecond[second, default: 0] += 1
            } else {
                admittedThisSecond += 1
                admittedPerSecond[second, default: 0] += 1
            }
            inFlight.append(InFlight(ticket: ticket, completesAt: now.advanced(by: latency), refused: refused))
        }
    }

    func admitted(seconds: Range<Int>) -> Int { seconds.reduce(0) { $0 + (admittedPerSecond[$1] ?? 0) } }
    func refused(seconds: Range<Int>) -> Int { seconds.reduce(0) { $0 + (refusedPerSecond[$1] ?? 0) } }
}

@Suite("Request pacing (PacingLane, simulated time)")
struct PacingLaneTests {
    typealias Lane = PacingLane<SimulatedInstant>

    @Test("it starts fast: a whole window goes out at once, with no rate limit and no wait")
    func startsFast() {
        var lane = Lane(now: .zero)
        var sent = 0
        while case .send = lane.decide(now: .zero) { sent += 1 }
        #expect(sent == PacingPolicy().initialWindow)
        #expect(lane.rate == nil)
        #expect(lane.decide(now: .zero) == .full, "a full window waits for a completion, not for a timer")
    }

    @Test("a 429 halves the window and sets a rate under what the server admitted; the other requests are not held back")
    func throttleReaction() {
        var lane = Lane(now: .zero)
        var tickets: [Lane.Ticket] = []
        // 40 answered over the first 400 ms: the server admitted ~100 a second.
        for step in 0..<40 {
            let now = SimulatedInstant(offset: .milliseconds(step * 10))
            guard case .send(let ticket) = lane.decide(now: now) else { Issue.record("not sent"); return }
            lane.complete(ticket, .answered(latency: .milliseconds(5)), now: now.advanced(by: .milliseconds(5)))
        }
        for _ in 0..<10 {
            guard case .send(let ticket) = lane.decide(now: SimulatedInstant(offset: .milliseconds(400))) else { return }
            tickets.append(ticket)
        }
        let answeredAt = SimulatedInstant(offset: .milliseconds(405))
        lane.complete(tickets[0], .throttled(retryAfter: .seconds(1)), now: answeredAt)
        #expect(lane.window <= 5, "half of the 10 in flight: \(lane.window)")
        let rate = try! #require(lane.rate)
        #expect(rate > 0 && rate < 100, "under the ~100 a second the server admitted: \(rate)")
        // The other nine were sent before the decrease: their 429s do not cut again.
        let window = lane.window
        for ticket in tickets.dropFirst() { lane.complete(ticket, .throttled(retryAfter: .seconds(1)), now: answeredAt) }
        #expect(lane.window == window && lane.rate == rate)
        #expect(lane.throttledCount == 10)
        // Paced, not stopped: the next request goes as soon as the rate allows (well within a second).
        var next = answeredAt
        while case .wait(let until) = lane.decide(now: next) { next = until }
        #expect(answeredAt.duration(to: next) < .milliseconds(100), "sent again after \(answeredAt.duration(to: next))")
    }

    @Test("against a server admitting 100 a second: backs off to its rate and stays there, with few 429s")
    func convergesToTheServersRate() {
        var simulation = PacedServerSimulation(limit: 100)
        simulation.run(for: .seconds(60))
        // After the first episode the client sends at most what the server admits, and most of it.
        let admitted = simulation.admitted(seconds: 10..<60)
        #expect(admitted >= 50 * 80, "at least 80 % of the server's 100 a second: \(admitted) in 50 s")
        let refused = simulation.refused(seconds: 10..<60)
        #expect(refused <= 100, "a few 429s now and then while probing, not a loop: \(refused) in 50 s")
        #expect(refused * 50 <= admitted, "under 2 % refused: \(refused) of \(admitted)")
        let rate = try! #require(simulation.lane.rate)
        #expect(rate <= 130, "paced near the server's rate: \(rate)")
    }

    @Test("once the server stops refusing, the rate limit grows back and is lifted: full speed again")
    func recoversWhenTheServerIsHealthy() {
        var simulation = PacedServerSimulation(limit: 100)
        simulation.run(for: .seconds(20))
        #expect(simulation.lane.rate != nil)
        simulation.limit = nil
        simulation.run(for: .seconds(15))
        #expect(simulation.lane.rate == nil, "the limit is lifted after the rate doubled without a 429")
        let admitted = simulation.admitted(seconds: 33..<35)
        #expect(admitted > 2 * 1_000, "with 2 ms answers and no limit, thousands a second go through: \(admitted) in 2 s")
    }

    @Test("5xx answers shrink the window once per episode; answers keep growing it back, never past the maximum")
    func serverErrorsShrinkTheWindow() {
        var lane = Lane(now: .zero)
        var tickets: [Lane.Ticket] = []
        for _ in 0..<10 { if case .send(let ticket) = lane.decide(now: .zero) { tickets.append(ticket) } }
        let later = SimulatedInstant(offset: .milliseconds(10))
        for ticket in tickets { lane.complete(ticket, .failed, now: later) }
        #expect(abs(lane.window - 64 * 0.7) < 0.001, "one cut for ten failures sent together: \(lane.window)")
        #expect(lane.failedCount == 10)
        var now = later
        for _ in 0..<100_000 {
            now = now.advanced(by: .milliseconds(1))
            if case .send(let ticket) = lane.decide(now: now) { lane.complete(ticket, .answered(latency: .milliseconds(1)), now: now) }
        }
        #expect(lane.window == Double(PacingPolicy().maximumWindow))
    }

    @Test("rising latency (the server queueing) shrinks the window instead of growing it")
    func risingLatencyShrinksTheWindow() {
        var lane = Lane(now: .zero)
        var now = SimulatedInstant.zero
        for _ in 0..<200 {
            now = now.advanced(by: .milliseconds(10))
            if case .send(let ticket) = lane.decide(now: now) { lane.complete(ticket, .answered(latency: .milliseconds(20)), now: now) }
        }
        let healthy = lane.window
        for _ in 0..<200 {
            now = now.advanced(by: .milliseconds(10))
            if case .send(let ticket) = lane.decide(now: now) { lane.complete(ticket, .answered(latency: .seconds(2)), now: now) }
        }
        #expect(lane.window < healthy / 2, "from \(healthy) to \(lane.window)")
    }

    @Test("an explicit ceiling (--kube-qps 10 --kube-burst 5) holds whatever the server says: 5 at once, then 10 a second")
    func ceilingHolds() {
        var simulation = PacedServerSimulation(ceiling: RequestCeiling(qps: 10, burst: 5), limit: nil)
        simulation.run(for: .milliseconds(1))
        #expect(simulation.admitted(seconds: 0..<1) == 5)
        simulation.run(for: .seconds(10))
        let sent = simulation.admitted(seconds: 1..<10)
        #expect((85...95).contains(sent), "10 a second over 9 s: \(sent)")
    }

    @Test("a ceiling's burst defaults to twice its qps, bounded; absurd settings wait, never trap")
    func ceilingDefaultsAndBounds() {
        #expect(RequestCeiling(qps: 20, burst: 0).burst == 40)
        #expect(RequestCeiling(qps: 20, burst: 7).burst == 7)
        #expect(RequestCeiling(qps: 0.1, burst: 0).burst == 1)
        #expect(RequestCeiling(qps: 1e300, burst: 0).burst == 1_000_000)
        var configuration = ClientConfiguration(server: "https://127.0.0.1:6443")
        configuration.qps = 1e300
        #expect(configuration.ceiling?.burst == 1_000_000)
        // A ceiling of one request an age: the wait is bounded, not a trapping conversion.
        var lane = Lane(ceiling: RequestCeiling(qps: 1e-300, burst: 1), now: .zero)
        guard case .send = lane.decide(now: .zero) else { Issue.record("the burst goes at once"); return }
        guard case .wait(let until) = lane.decide(now: .zero) else { Issue.record("then it waits"); return }
        #expect(until.offset == .seconds(3_600))
    }
}
