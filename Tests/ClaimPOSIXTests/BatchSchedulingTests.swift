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

/// SCHED_IDLE, the same: per thread.
@Suite struct IdleSchedulingTests {
    @Test func onlyTheThreadThatAsksRunsUnderSCHEDIDLE() {
        let (before, applied, after) = onThread {
            (
                IdleScheduling.isCurrentThreadIdle, IdleScheduling.applyToCurrentThread(),
                IdleScheduling.isCurrentThreadIdle
            )
        }
        #expect(!before)
        #expect(applied)
        #expect(after)
        #expect(!IdleScheduling.isCurrentThreadIdle)
    }
}
