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

/// A small, fast, seedable generator (SplitMix64), so runs are repeatable.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
