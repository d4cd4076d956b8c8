/// The request (slowloris) and idle timeouts of one connection, as a pure decision: given what
/// the connection is doing and the loop's clock, what to do with it. No clock of its own and no
/// I/O, so every case is a unit test with numbers.
public struct ConnectionTimeouts: Hashable, Sendable {
    /// A request whose head or body is still incomplete after this long is answered 408.
    public var requestNanoseconds: UInt64
    /// A keep-alive connection with nothing in flight and no bytes this long is closed.
    public var idleNanoseconds: UInt64
    /// A connection closing gracefully (`HTTPConnection.beginLingering`) whose client has not
    /// closed its side after this long is closed anyway.
    public var lingerNanoseconds: UInt64

    public init(requestMilliseconds: UInt64, idleMilliseconds: UInt64, lingerMilliseconds: UInt64 = 2000) {
        requestNanoseconds = requestMilliseconds * 1_000_000
        idleNanoseconds = idleMilliseconds * 1_000_000
        lingerNanoseconds = lingerMilliseconds * 1_000_000
    }

    public enum Action: Hashable, Sendable {
        case keep
        /// Answer 408 and close after it.
        case answerRequestTimeout
        /// Close now: idle, nothing owed.
        case close
    }

    /// What one connection's state calls for at `now`.
    public func action(
        partialSince: UInt64?, stopReading: Bool, lastActivity: UInt64, inFlight: Int, hasUnsentOutput: Bool,
        lingeringSince: UInt64? = nil, now: UInt64
    ) -> Action {
        if let since = lingeringSince { return now &- since > lingerNanoseconds ? .close : .keep }
        if let since = partialSince, !stopReading, now &- since > requestNanoseconds { return .answerRequestTimeout }
        if inFlight == 0, !hasUnsentOutput, now &- lastActivity > idleNanoseconds { return .close }
        return .keep
    }

    /// How often connections are checked: half the shorter timeout, at most a second, so none
    /// overstays by more than half of it.
    public var sweepNanoseconds: UInt64 { min(1_000_000_000, min(requestNanoseconds, idleNanoseconds) / 2) }
}
