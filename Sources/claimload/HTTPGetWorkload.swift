import ClaimHTTP

/// `claimload --scenario get --path P`: the same GET on every connection, nothing checked but
/// the status. For measuring claimload itself against an HTTP ceiling (nginx static) beside
/// wrk, so a claim benchmark can show the load generator is not its bottleneck.
final class HTTPGetWorkload: LoadWorkload {
    private let request: [UInt8]
    private var sequence = 0
    private(set) var failures = 0

    init(path: String, host: String) {
        request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8)
    }

    func nextRequest(host: String, connection: Int) -> (tag: Int, bytes: [UInt8])? {
        sequence += 1
        return (sequence, request)
    }

    func record(tag: Int, response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) {
        if response.status != 200 { failures += 1 }
    }

    var isFinished: Bool { false }
}
