import ClaimCore

/// A seeded random-mutation fuzz run over every target: the CI-sized run in the tests and
/// `claimfuzz --seconds` for long runs without libFuzzer. Repeatable from its seed; the
/// corpus grows with inputs that reached a new outcome (a cheap stand-in for coverage).
public struct FuzzCampaign {
    /// A broken property, with the input that broke it (hex-dumped into `docs/trust.md`).
    public struct Finding: Sendable, CustomStringConvertible {
        public let target: FuzzTarget
        public let problem: String
        public let input: [UInt8]
        public var description: String {
            "\(target): \(problem); input (\(input.count) bytes): \(String(decoding: input.prefix(200), as: UTF8.self).debugDescription)"
        }
    }

    public private(set) var executions = 0
    public private(set) var findings: [Finding] = []
    public private(set) var corpusSize = 0
    private var mutator: FuzzMutator
    private var corpus: [FuzzTarget: [[UInt8]]] = [:]
    private var seenOutcomes: Set<Int> = []

    public init(seed: UInt64) {
        mutator = FuzzMutator(seed: seed)
        for t in FuzzTarget.allCases { corpus[t] = FuzzCorpus.seeds(for: t) }
        corpusSize = corpus.values.reduce(0) { $0 + $1.count }
    }

    /// Runs until `iterations` inputs were tried or `shouldStop` says so (checked every 256).
    public mutating func run(iterations: Int, shouldStop: () -> Bool = { false }) {
        var rng = SplitMix64(seed: UInt64(executions) &+ 0x5EED)
        for i in 0..<iterations {
            if i & 255 == 0, shouldStop() { return }
            let target = FuzzTarget.allCases[rng.below(FuzzTarget.allCases.count)]
            let pool = corpus[target] ?? []
            guard let base = pool.randomElement(using: &rng), let donor = pool.randomElement(using: &rng) else {
                continue
            }
            let input = mutator.mutate(base, donor: donor)
            executions += 1
            if let problem = input.withUnsafeBytes({ target.check($0) }) {
                findings.append(Finding(target: target, problem: problem, input: input))
                continue
            }
            // Keep inputs that end somewhere new: length class and first/last bytes as a signature.
            var h = Hasher()
            h.combine(target)
            h.combine(input.count.leadingZeroBitCount)
            h.combine(input.first)
            h.combine(input.last)
            if seenOutcomes.insert(h.finalize()).inserted, pool.count < 4096 {
                corpus[target, default: []].append(input)
                corpusSize += 1
            }
        }
    }
}
