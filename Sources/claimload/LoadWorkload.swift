import ClaimHTTP

/// What a load run sends and what it makes of the answers. `LoadRun` owns the sockets and
/// the timing; a workload owns the meaning.
protocol LoadWorkload: AnyObject {
    /// The next request, tagged so its answer can be matched; nil when there is nothing more.
    func nextRequest(host: String) -> (tag: Int, bytes: [UInt8])?
    /// The answer to the request tagged `tag`.
    func record(tag: Int, response: HTTPResponse)
    /// True when nothing more will ever be sent (the run ends once answers are in).
    var isFinished: Bool { get }
}
