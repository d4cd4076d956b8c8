import ClaimPOSIX

/// Where one request's answer goes: its connection, its place in that connection's order, and
/// whether the client asked to keep the connection. The application keeps it while it works
/// (waiting on Redis) and hands it back to `HTTPServer.respond`.
public struct HTTPAnswerSlot: Hashable, Sendable {
    public let connection: UInt64
    public let seq: UInt64
    public let keepAlive: Bool
    /// An HTTP/1.0 request: a kept connection must be announced (`Connection: keep-alive`).
    public let http10: Bool
    /// A HEAD request: answered with the head a GET would get, without its body (RFC 9110 9.3.2),
    /// whatever the application renders.
    public let omitsBody: Bool
    /// Extra header lines for this answer, chosen by the application when the request came in:
    /// 0 none, k the k-th of `HTTPServerSettings.answerHeaderSets` (CORS headers for an
    /// allowed origin). Every answer to the slot carries them, however it is made.
    public var headerSet: UInt8 = 0

    public init(connection: UInt64, seq: UInt64, keepAlive: Bool, http10: Bool = false, omitsBody: Bool = false) {
        self.connection = connection
        self.seq = seq
        self.keepAlive = keepAlive
        self.http10 = http10
        self.omitsBody = omitsBody
    }
}

/// A request the server refuses by itself, before the application sees it.
public enum HTTPRefusal: Hashable, Sendable {
    /// The bytes are not a request we take (the status is the error's: 400, 413, 431, 501).
    case unparseable(HTTPParseError)
    /// Part of a request waited too long for the rest (408).
    case timedOut
}

/// What an `HTTPServer` serves: the application answers each request (now or later) through
/// `HTTPServer.respond`, and renders the server's own refusals, so every error body has one
/// author.
public protocol HTTPApplication: AnyObject {
    /// A request, read in place: the view's bytes are valid only during this call.
    func handle(_ request: HTTPRequestView, peer: UInt32, slot: HTTPAnswerSlot)
    /// Answers a refusal (the connection closes after it).
    func refuse(_ refusal: HTTPRefusal, slot: HTTPAnswerSlot)
    /// The whole answer, framed, to a connection refused at accept for its address's cap.
    var overCapAnswer: [UInt8] { get }
    /// Connections opened (+1), closed (-1), for metrics.
    func connectionsChanged(by delta: Int)
    /// A connection refused for its address's cap.
    func connectionRefused()
    /// Accepting paused after `error` (see `AcceptPause`), for a metric; `report` is non-nil at
    /// most once per interval, with the pauses since the last report, for a log line.
    func acceptPaused(_ error: POSIXError, report: Int?)
}
