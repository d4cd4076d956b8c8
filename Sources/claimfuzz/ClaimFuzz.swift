import ClaimFuzzing

#if LIBFUZZER
    /// libFuzzer's entry point (`scripts/fuzz.sh` builds with `-sanitize=fuzzer -D LIBFUZZER`):
    /// a broken property traps, so libFuzzer keeps the input as a crash.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data else { return 0 }
        if let problem = FuzzTarget.dispatch(UnsafeRawBufferPointer(start: data, count: size)) {
            fatalError("property broken: \(problem)")
        }
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links executables with `main` aliased to `<module>_main`, so libFuzzer's own
    /// `main` is never pulled in: start its driver from here.
    @_cdecl("claimfuzz_main")
    public func claimfuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        var argc = argc
        var argv = argv
        return runDriver(&argc, &argv) { fuzzOneInput($0, $1) }
    }
#else
    import ArgumentParser
    import ClaimCore
    import Foundation

    /// `claimfuzz`: the seeded mutation campaign for as long as asked, or a seed corpus for
    /// libFuzzer. Prints one JSON line of totals; exits 1 if any property broke.
    @main
    struct ClaimFuzz: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fuzz the decoders of untrusted bytes (seeded mutation; see scripts/fuzz.sh for libFuzzer).",
            version: BuildInfo.version)
        @Option(help: "Stop after this many seconds.") var seconds = 60.0
        @Option(help: "Stop after this many inputs.") var iterations = Int.max
        @Option(help: "Seed (the same seed repeats the same run).") var seed: UInt64 = 1
        @Option(help: "Write the seed corpus for libFuzzer into this directory and exit.") var writeCorpus: String?

        func run() throws {
            if let dir = writeCorpus {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for target in FuzzTarget.allCases {
                    for (i, seed) in FuzzCorpus.seeds(for: target).enumerated() {
                        let bytes = [target.rawValue] + seed
                        try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(target)-\(i)"))
                    }
                }
                return
            }
            let deadline = Date().addingTimeInterval(seconds)
            var campaign = FuzzCampaign(seed: seed)
            let started = Date()
            campaign.run(iterations: iterations) { Date() >= deadline }
            let elapsed = Date().timeIntervalSince(started)
            print(
                #"{"seed":\#(seed),"seconds":\#(Int(elapsed)),"executions":\#(campaign.executions),"corpus":\#(campaign.corpusSize),"findings":\#(campaign.findings.count)}"#
            )
            for f in campaign.findings.prefix(20) { FileHandle.standardError.write(Data("\(f)\n".utf8)) }
            if !campaign.findings.isEmpty { throw ExitCode.failure }
        }
    }
#endif
