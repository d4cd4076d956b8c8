import CClaimSys

/// SCHED_IDLE for a thread whose work can wait: it runs only on a CPU no other thread wants,
/// and any thread that wakes there takes the CPU from it at once. Tokens verified before a
/// release opens use it: on a machine shared with Redis (and in a bench, the load generator),
/// verifying at normal priority took CPU the answers needed (RESULTS.md, sixth session).
/// Unprivileged: any thread may lower itself to SCHED_IDLE.
public enum IdleScheduling {
    /// Puts the calling thread (only it) under SCHED_IDLE; false if the kernel refused.
    public static func applyToCurrentThread() -> Bool { cg_use_idle_scheduling() == 0 }

    /// Whether the calling thread runs under SCHED_IDLE.
    public static var isCurrentThreadIdle: Bool { cg_is_idle_scheduled() == 1 }
}
