import ClaimHTTP

/// What a load run sends and what it makes of the answers. `LoadRun` owns the sockets and
/// the timing; a workload owns the meaning.
protocol LoadWorkload: AnyObject {
    /// The next request, to go over connection number `connection`, tagged so its answer can be
    /// matched; nil when there is nothing more.
    func nextRequest(host: String, connection: Int) -> (tag: Int, bytes: [UInt8])?
    /// The answer to the request tagged `tag`, sent and answered at these nanoseconds of the
    /// run (from its start).
    func record(tag: Int, response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64)
    /// Nanoseconds to wait before sending the request answered `response` again (same bytes),
    /// or nil to take the answer (`LoadRun.resendLost` bounds the attempts).
    func resendDelay(tag: Int, after response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) -> UInt64?
    /// True when nothing more will ever be sent (the run ends once answers are in).
    var isFinished: Bool { get }
    /// The group (a pool) the request tagged `tag` counts in, asked before its answer is
    /// recorded; nil: none.
    func group(of tag: Int) -> String?
}

extension LoadWorkload {
    func group(of tag: Int) -> String? { nil }

    func resendDelay(tag: Int, after response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) -> UInt64? { nil }
}
