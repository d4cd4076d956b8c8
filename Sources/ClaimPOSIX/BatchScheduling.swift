import CClaimSys

/// SCHED_BATCH for an event loop's thread. A batch thread woken by a readable socket does not
/// preempt the thread running on its CPU (Redis, or a client on the same host); it runs when that
/// thread blocks or its slice ends, and then finds more replies and requests ready at once. On
/// the 2-vCPU bench machine, where the gateway, Redis and wrk share both CPUs, that means fewer
/// context switches per claim and 7-9% more claims/s (loadtest/RESULTS.md). Unprivileged: any
/// thread may lower itself to SCHED_BATCH.
public enum BatchScheduling {
    /// Puts the calling thread (only it: Linux policy is per thread) under SCHED_BATCH. False if
    /// the kernel refused; the thread then keeps its policy.
    public static func applyToCurrentThread() -> Bool { cg_use_batch_scheduling() == 0 }

    /// Whether the calling thread runs under SCHED_BATCH.
    public static var isCurrentThreadBatch: Bool { cg_is_batch_scheduled() == 1 }
}
