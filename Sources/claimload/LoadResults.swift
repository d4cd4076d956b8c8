import ClaimLoadReport
import Foundation
import Histogram

/// What one run observed on the wire: latencies and answers by outcome.
struct LoadResults: Codable {
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var outcomes: [String: Int] = [:]
    var socketErrors = 0
    /// Requests sent again after their connection broke, and those given up on.
    var resent = 0
    var abandoned = 0
    var sent = 0
    var answered = 0
    var elapsedNanoseconds: UInt64 = 0
    var timeline = LoadTimeline()
    /// Answers with a 5xx status, and of those the ones whose outcome is open (504, 500).
    var serverErrors = 0
    var unknownOutcomes = 0
    /// Open loop: requests due before the end that were never sent.
    var droppedSends = 0
    /// What ended the run (`LoadFigures.stoppedBy`).
    var stoppedBy = "duration"
    /// Answers by group (a pool), when the workload names one.
    var groups: [String: Group] = [:]

    /// One group's answers.
    struct Group: Codable {
        var answered = 0
        var outcomes: [String: Int] = [:]
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Another worker's results of the same run added: counts summed, histograms added (so the
    /// merged percentiles are those of every answer together, never an average of percentiles).
    mutating func merge(_ other: LoadResults) {
        latency.add(other.latency)
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        socketErrors += other.socketErrors
        resent += other.resent
        abandoned += other.abandoned
        sent += other.sent
        answered += other.answered
        elapsedNanoseconds = max(elapsedNanoseconds, other.elapsedNanoseconds)
        timeline.merge(other.timeline)
        serverErrors += other.serverErrors
        unknownOutcomes += other.unknownOutcomes
        droppedSends += other.droppedSends
        if other.stoppedBy != stoppedBy { stoppedBy = "duration" }
        for (name, g) in other.groups {
            groups[name, default: Group()].answered += g.answered
            groups[name, default: Group()].outcomes.merge(g.outcomes, uniquingKeysWith: +)
            groups[name, default: Group()].latency.add(g.latency)
        }
    }

    private static let paymentCodePrefix = Array(#"{"payment_code""#.utf8)

    mutating func record(
        status: Int, body: [UInt8], latencyNanoseconds: UInt64, atNanoseconds: UInt64, group: String? = nil
    ) {
        answered += 1
        _ = latency.record(latencyNanoseconds)
        if status >= 500 { serverErrors += 1 }
        if status == 504 || status == 500 { unknownOutcomes += 1 }
        let outcome: String
        switch status {
        // A payment code's answer starts with its code (a cheap test: claims are most answers).
        case 201: outcome = body.starts(with: Self.paymentCodePrefix) ? "code_issued" : "granted"
        case 200:
            outcome = String(decoding: body, as: UTF8.self).contains("\"replayed\":true") ? "replayed" : "ok"
        default: outcome = Self.strings(named: "error", in: body).first ?? "http_\(status)"
        }
        outcomes[outcome, default: 0] += 1
        timeline.record(atNanoseconds: atNanoseconds, outcome: outcome, latencyNanoseconds: latencyNanoseconds)
        if let group {
            groups[group, default: Group()].answered += 1
            groups[group, default: Group()].outcomes[outcome, default: 0] += 1
            _ = groups[group, default: Group()].latency.record(latencyNanoseconds)
        }
    }

    /// One line for a terminal: the last complete second's rate, outcomes and p99.
    func progressLine(elapsedSeconds: Int) -> String {
        let last = timeline.seconds.indices.contains(elapsedSeconds - 1) ? timeline.seconds[elapsedSeconds - 1] : nil
        let outcomesNow = (last?.outcomes ?? [:]).sorted { $0.value > $1.value }.prefix(4)
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return String(
            format: "%4ds  sent %d  answered %d  %6d/s  p99 %.2f ms  %@", elapsedSeconds, sent, answered,
            last?.answered ?? 0, last?.percentileMilliseconds(99) ?? 0, outcomesNow)
    }

    /// Every `"name":"value"` string in a JSON body, in order. The gateway's own answers are
    /// flat enough for this (voucher ids, error codes); it is a load generator's reader of its
    /// own gateway, not a JSON parser.
    static func strings(named name: String, in body: [UInt8]) -> [String] {
        let needle = Array("\"\(name)\":\"".utf8)
        var out: [String] = []
        var i = 0
        while i + needle.count <= body.count {
            if body[i] == needle[0], body[i..<(i + needle.count)].elementsEqual(needle) {
                let start = i + needle.count
                guard let end = body[start...].firstIndex(of: UInt8(ascii: "\"")) else { break }
                out.append(String(decoding: body[start..<end], as: UTF8.self))
                i = end
            }
            i += 1
        }
        return out
    }

    func report(_ title: String) -> String {
        let seconds = Double(elapsedNanoseconds) / 1e9
        func ms(_ p: Double) -> String { String(format: "%.3f", Double(latency.valueAtPercentile(p)) / 1e6) }
        return [
            String(
                format: "%@: %d sent, %d answered in %.2f s = %.0f req/s; socket errors %d", title, sent, answered,
                seconds,
                Double(answered) / max(seconds, 1e-9), socketErrors)
                + (resent + abandoned > 0 ? "; lost answers sent again \(resent), given up \(abandoned)" : "")
                + (droppedSends > 0 ? "; \(droppedSends) due sends dropped (every connection was waiting)" : ""),
            "latency ms: p50 \(ms(50)) p90 \(ms(90)) p99 \(ms(99)) p99.9 \(ms(99.9)) max "
                + String(format: "%.3f", Double(latency.max) / 1e6),
            "outcomes: " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ].joined(separator: "\n")
    }
}
