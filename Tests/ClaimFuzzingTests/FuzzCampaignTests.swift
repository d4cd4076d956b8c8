import ClaimAuth
import ClaimCore
import Testing

@testable import ClaimFuzzing

/// The CI-sized fuzz run: every decoder of untrusted bytes, seeded, so a failure repeats.
/// The long runs (libFuzzer and this campaign) are recorded in docs/trust.md.
@Suite struct FuzzCampaignTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func noPropertyBreaksOnMutatedInputs(seed: UInt64) {
        var campaign = FuzzCampaign(seed: seed)
        campaign.run(iterations: 100_000)
        #expect(campaign.executions == 100_000)
        #expect(campaign.findings.isEmpty, "\(campaign.findings.prefix(3))")
        // The corpus grew: mutations reached outcomes the seeds did not.
        #expect(campaign.corpusSize > FuzzTarget.allCases.count * 4)
    }

    @Test func everyTargetHasSeedsThatPassTheirOwnChecks() {
        for target in FuzzTarget.allCases {
            let seeds = FuzzCorpus.seeds(for: target)
            #expect(!seeds.isEmpty)
            for s in seeds { #expect(s.withUnsafeBytes { target.check($0) } == nil, "\(target)") }
        }
    }

    /// Mutated tokens: the verifier refuses every one that is not byte-for-byte the original.
    @Test func mutatedTokensAreRefusedUnlessUnchanged() {
        let token = FuzzCorpus.seeds(for: .token)[0]
        let verifier = TokenVerifierProbe()
        #expect(verifier.accepts(token))
        var m = FuzzMutator(seed: 9)
        var changed = 0
        for _ in 0..<5_000 {
            let t = m.mutate(token, donor: token)
            guard t != token else { continue }
            changed += 1
            #expect(!verifier.accepts(t), "\(String(decoding: t, as: UTF8.self))")
        }
        #expect(changed > 4_000)
    }
}

/// The fuzz target's own verifier setup, to ask "accepted?" directly.
private struct TokenVerifierProbe {
    let verifier = TokenVerifier(secret: FuzzTarget.secret)
    func accepts(_ bytes: [UInt8]) -> Bool {
        if case .success = verifier.payload(bytes) { return true }
        return false
    }
}
