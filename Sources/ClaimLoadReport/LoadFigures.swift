import Histogram

/// A load run in numbers, as `results.json` holds it for machines (CI gates, dashboards,
/// comparisons between runs): what was asked, what was sent and answered, the latency
/// distribution, per pool and per phase, the verdict and each threshold. Every figure is a
/// number, never a sentence; times in milliseconds unless named otherwise.
public struct LoadFigures: Codable, Sendable {
    /// The run as configured.
    public struct Config: Codable, Sendable {
        public var scenario: String
        public var urls: [String]
        public var pools: [String]
        public var connections: Int
        public var users: Int
        public var repeatShare: Double
        public var durationSeconds: Double
        public var maxRequests: Int
        /// Open loop: the target rate (nil: closed loop, each answer sends the next request).
        public var targetRate: Double?
        public var rampSeconds: Double
        public var warmupSeconds: Double
        public var idempotencyKeys: Bool
        public var resendLost: Int
        public var randomSeed: UInt64
        public var workers: Int

        public init(
            scenario: String, urls: [String], pools: [String], connections: Int, users: Int, repeatShare: Double,
            durationSeconds: Double, maxRequests: Int, targetRate: Double?, rampSeconds: Double,
            warmupSeconds: Double, idempotencyKeys: Bool, resendLost: Int, randomSeed: UInt64, workers: Int = 1
        ) {
            self.scenario = scenario
            self.urls = urls
            self.pools = pools
            self.connections = connections
            self.users = users
            self.repeatShare = repeatShare
            self.durationSeconds = durationSeconds
            self.maxRequests = maxRequests
            self.targetRate = targetRate
            self.rampSeconds = rampSeconds
            self.warmupSeconds = warmupSeconds
            self.idempotencyKeys = idempotencyKeys
            self.resendLost = resendLost
            self.randomSeed = randomSeed
            self.workers = workers
        }
    }

    /// A latency distribution's usual points (and any a threshold asked for), from an HDR
    /// histogram of nanoseconds.
    public struct Latency: Codable, Sendable {
        public struct Point: Codable, Sendable {
            public var percentile: Double
            public var ms: Double
        }
        public var count: Int
        public var minMs: Double
        public var meanMs: Double
        public var maxMs: Double
        public var percentiles: [Point]

        public static let usualPercentiles: [Double] = [50, 75, 90, 95, 99, 99.9, 99.99]

        public init(_ h: Histogram<UInt64>, also extra: [Double] = []) {
            count = Int(h.totalCount)
            let empty = h.totalCount == 0
            minMs = empty ? 0 : Double(h.min) / 1e6
            meanMs = empty ? 0 : h.mean / 1e6
            maxMs = empty ? 0 : Double(h.max) / 1e6
            let wanted = Set(Self.usualPercentiles + extra.filter { $0 < 100 }).sorted()
            percentiles = wanted.map { Point(percentile: $0, ms: empty ? 0 : Double(h.valueAtPercentile($0)) / 1e6) }
        }

        /// The value at `percentile` (100: the maximum), from the points kept.
        public func milliseconds(atPercentile p: Double) -> Double {
            if p >= 100 { return maxMs }
            return percentiles.first { $0.percentile == p }?.ms ?? percentiles.first { $0.percentile >= p }?.ms ?? maxMs
        }
    }

    /// One group of answers: a pool's claims, the redemptions.
    public struct Group: Codable, Sendable {
        public var name: String
        public var answered: Int
        public var outcomes: [String: Int]
        public var latency: Latency

        public init(name: String, answered: Int, outcomes: [String: Int], latency: Latency) {
            self.name = name
            self.answered = answered
            self.outcomes = outcomes
            self.latency = latency
        }
    }

    /// A phase of the 10:00 spike (before the first grant, up to the sell-out, after it).
    public struct Phase: Codable, Sendable {
        public var name: String
        public var firstSecond: Int
        public var endSecond: Int
        public var answered: Int
        public var p50Ms: Double
        public var p99Ms: Double
        public var p999Ms: Double
        /// The worst single second's p99 in the phase: a stall hides in the phase's percentile.
        public var worstSecondP99Ms: Double
    }

    /// One second of the run.
    public struct Second: Codable, Sendable {
        public var second: Int
        public var answered: Int
        public var outcomes: [String: Int]
        public var p50Ms: Double
        public var p99Ms: Double
    }

    public struct ThresholdResult: Codable, Sendable {
        public var threshold: String
        /// In the threshold's unit: ms, a fraction, answers/s.
        public var measured: Double
        /// The same for people (`7.31 ms`, `0.02%`).
        public var shown: String
        public var met: Bool
    }

    public var config: Config
    public var sent = 0
    public var answered = 0
    /// Requests sent and never answered (in flight at the end, or lost with their connection).
    public var unanswered = 0
    public var socketErrors = 0
    /// Answers with a 5xx status (503 redis_unavailable, 504 outcome_unknown, 500).
    public var serverErrors = 0
    /// 504 and 500 answers: sent to Redis, fate left open (the verdict resolves them).
    public var unknownOutcomes = 0
    public var resent = 0
    public var abandoned = 0
    public var elapsedSeconds = 0.0
    /// Answers per second over the run.
    public var achievedRate = 0.0
    /// Open loop: requests due by the end that were never sent (every connection was waiting).
    public var droppedSends = 0
    /// What ended the run: `duration`, `requests` (the --requests cap, before --duration), or
    /// `workload` (nothing more to send).
    public var stoppedBy = "duration"
    public var outcomes: [String: Int] = [:]
    public var latency: Latency
    public var pools: [Group] = []
    public var phases: [Phase] = []
    public var sellOutSecond: Int?
    /// The gateway's clock when the run started (ISO-8601), and the second of the run at which
    /// the first window opened (the release instant), if it did within the run.
    public var gatewayClockAtStart: String?
    public var releaseSecond: Double?
    public var seconds: [Second] = []
    public var redemptions: Group?
    public var verdictPassed: Bool?
    public var verdict: String?
    public var thresholds: [ThresholdResult] = []

    public init(config: Config, latency: Latency) {
        self.config = config
        self.latency = latency
    }

    /// Socket errors, 5xx answers and requests given up on, over requests sent.
    public var errorRate: Double {
        sent == 0 ? 0 : Double(socketErrors + serverErrors + abandoned) / Double(sent)
    }

    /// The seconds, and the spike's phases, from a timeline.
    public mutating func setTimeline(_ t: LoadTimeline) {
        seconds = t.seconds.enumerated().map { i, s in
            Second(
                second: i, answered: s.answered, outcomes: s.outcomes, p50Ms: s.percentileMilliseconds(50),
                p99Ms: s.percentileMilliseconds(99))
        }
        let p = t.phases
        phases = [("before", p.before), ("during", p.during), ("after", p.after)].map { name, phase in
            Phase(
                name: name, firstSecond: phase.seconds.lowerBound, endSecond: phase.seconds.upperBound,
                answered: phase.answered, p50Ms: phase.percentileMilliseconds(50),
                p99Ms: phase.percentileMilliseconds(99), p999Ms: phase.percentileMilliseconds(99.9),
                worstSecondP99Ms: t.seconds[phase.seconds].map { $0.percentileMilliseconds(99) }.max() ?? 0)
        }
        sellOutSecond = t.sellOutSecond
    }

    /// Checks `thresholds` against these figures and records each result.
    public mutating func check(_ thresholds: [LoadThreshold]) -> Bool {
        self.thresholds = thresholds.map {
            ThresholdResult(
                threshold: $0.text, measured: $0.measured(in: self), shown: $0.shown($0.measured(in: self)),
                met: $0.isMet(by: self))
        }
        return self.thresholds.allSatisfy(\.met)
    }
}
