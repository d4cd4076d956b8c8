import Testing

@testable import ClaimPOSIX

/// SCHED_BATCH is per thread: the thread that asks for it runs under it, the others do not.
@Suite struct BatchSchedulingTests {
    @Test func onlyTheThreadThatAsksRunsUnderSCHEDBATCH() {
        let (before, applied, after) = onThread {
            (
                BatchScheduling.isCurrentThreadBatch, BatchScheduling.applyToCurrentThread(),
                BatchScheduling.isCurrentThreadBatch
            )
        }
        #expect(!before)
        #expect(applied)
        #expect(after)
        #expect(!BatchScheduling.isCurrentThreadBatch)
    }
}
