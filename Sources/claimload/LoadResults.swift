import ClaimCore
import Foundation
import Histogram

/// Everything one run observed: latencies, answers by outcome, and the grants it received.
struct LoadResults {
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var outcomes: [String: Int] = [:]
    var ledger = GrantLedger()
    var replays = 0
    var socketErrors = 0
    var sent = 0
    var answered = 0
    var elapsedNanoseconds: UInt64 = 0

    mutating func record(status: Int, body: [UInt8], person: String, latencyNanoseconds: UInt64) {
        answered += 1
        _ = latency.record(latencyNanoseconds)
        switch status {
        case 201:
            outcomes["granted", default: 0] += 1
            if let id = Self.firstString(named: "id", in: body) {
                ledger.record(voucher: id, person: person)
            } else {
                outcomes["granted_unreadable", default: 0] += 1
            }
        case 200:
            outcomes["replayed", default: 0] += 1
            replays += 1
        default:
            outcomes[Self.firstString(named: "error", in: body) ?? "http_\(status)", default: 0] += 1
        }
    }

    /// The first `"name":"value"` string in a JSON body: the gateway's answers put the voucher
    /// id first inside `voucher`, and `error` first in refusals. Enough for a load generator
    /// reading its own gateway; not a JSON parser.
    static func firstString(named name: String, in body: [UInt8]) -> String? {
        let needle = Array("\"\(name)\":\"".utf8)
        guard body.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= body.count {
            if body[i] == needle[0], Array(body[i..<(i + needle.count)]) == needle {
                let start = i + needle.count
                guard let end = body[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: body[start..<end], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    func report() -> String {
        let seconds = Double(elapsedNanoseconds) / 1e9
        func ms(_ p: Double) -> String { String(format: "%.3f", Double(latency.valueAtPercentile(p)) / 1e6) }
        var lines: [String] = []
        lines.append(
            String(
                format: "requests: %d sent, %d answered in %.2f s = %.0f req/s; socket errors %d", sent, answered,
                seconds,
                Double(answered) / max(seconds, 1e-9), socketErrors))
        lines.append(
            "latency ms: p50 \(ms(50)) p90 \(ms(90)) p99 \(ms(99)) p99.9 \(ms(99.9)) max "
                + String(format: "%.3f", Double(latency.max) / 1e6))
        lines.append(
            "outcomes: " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        return lines.joined(separator: "\n")
    }
}
