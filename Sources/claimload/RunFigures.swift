import ClaimCore
import ClaimLoadReport
import Foundation
import Histogram

/// Turns what a run observed (`LoadResults`) into `LoadFigures`, the numbers of
/// `results.json` and of the thresholds, and the pieces of the report that need the programme's
/// calendar (the gateway's clock per second, the release instant).
enum RunFigures {
    static func make(
        _ r: LoadResults, config: LoadFigures.Config, pools: [String], thresholds: [LoadThreshold],
        unanswered: Int
    ) -> LoadFigures {
        let extra = thresholds.compactMap { t -> Double? in
            if case .latency(let p) = t.metric { return p } else { return nil }
        }
        var f = LoadFigures(config: config, latency: .init(r.latency, also: extra))
        f.sent = r.sent
        f.answered = r.answered
        f.unanswered = unanswered
        f.socketErrors = r.socketErrors
        f.serverErrors = r.serverErrors
        f.unknownOutcomes = r.unknownOutcomes
        f.resent = r.resent
        f.abandoned = r.abandoned
        f.elapsedSeconds = Double(r.elapsedNanoseconds) / 1e9
        f.achievedRate = f.elapsedSeconds > 0 ? Double(r.answered) / f.elapsedSeconds : 0
        f.droppedSends = r.droppedSends
        f.stoppedBy = r.stoppedBy
        f.outcomes = r.outcomes
        f.pools = pools.compactMap { name in
            r.groups[name].map {
                LoadFigures.Group(
                    name: name, answered: $0.answered, outcomes: $0.outcomes, latency: .init($0.latency, also: extra))
            }
        }
        // Whole seconds only: the answers still in flight at the end make a misleading last point.
        f.setTimeline(r.timeline.prefix(seconds: Int(r.elapsedNanoseconds / 1_000_000_000)))
        return f
    }

    /// The redemptions of a release day as one group.
    static func group(_ name: String, _ r: LoadResults) -> LoadFigures.Group {
        LoadFigures.Group(name: name, answered: r.answered, outcomes: r.outcomes, latency: .init(r.latency))
    }

    /// What ended the run and, open loop, how close it came to its rate: said, not left to be
    /// worked out (a run at 400,000/s that achieved 79,000/s printed PASS).
    static func pacingLines(_ f: LoadFigures) -> [String] {
        var lines: [String] = []
        if f.stoppedBy == "requests", f.elapsedSeconds < f.config.durationSeconds {
            lines.append(
                String(
                    format: "stopped by --requests %d after %.2f s of --duration %.0f s", f.config.maxRequests,
                    f.elapsedSeconds, f.config.durationSeconds))
        }
        if let target = f.config.targetRate {
            lines.append(
                String(
                    format: "open loop: target %.0f/s, achieved %.0f/s (%.1f%%); due sends dropped %d", target,
                    f.achievedRate, target > 0 ? f.achievedRate / target * 100 : 0, f.droppedSends))
        }
        return lines
    }

    /// `HH:MM:SS` of the gateway's clock at each second of the run.
    static func secondLabels(count: Int, start: Instant, calendar: CityCalendar) -> [String] {
        (0..<count).map { i in
            let iso = calendar.iso8601(start.adding(milliseconds: Int64(i) * 1000))
            return String(iso.dropFirst(11).prefix(8))
        }
    }

    /// The run's second at which the earliest window under test opened, if within the run.
    static func releaseSecond(windows: [Instant], start: Instant, elapsedSeconds: Double) -> Double? {
        guard let first = windows.min() else { return nil }
        let s = Double(first.unixMilliseconds - start.unixMilliseconds) / 1000
        return s >= 0 && s <= elapsedSeconds ? s : nil
    }

    /// The HDR percentile distribution in milliseconds (`.hgrm`, as wrk2 and vegeta write it).
    static func hgrm(_ h: Histogram<UInt64>) -> String {
        var out = ""
        h.outputPercentileDistribution(to: &out, outputValueUnitScalingRatio: 1e6)
        return out
    }
}
