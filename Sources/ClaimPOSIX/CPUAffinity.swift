import CClaimSys

/// Thread-per-core placement: an event loop pinned to a CPU of its own keeps its connections'
/// caches warm and is never queued behind a sibling loop while another CPU idles (on the
/// 2-vCPU bench machine the scheduler packs runnable threads; loadtest/RESULTS.md).
public enum CPUAffinity {
    /// The CPUs this thread may run on now (taskset, cgroups), or nil if the kernel would not say.
    public static var allowedCount: Int? {
        let n = cg_allowed_cpu_count()
        return n > 0 ? Int(n) : nil
    }

    /// Pins the calling thread to the `nth` of the CPUs it may run on (modulo their count), so
    /// loop i of N lands on its own CPU when N fits. Returns the CPU, or nil if it stays unpinned.
    public static func pinCurrentThread(toAllowed nth: Int) -> Int? {
        guard nth >= 0, nth <= Int(Int32.max) else { return nil }
        let cpu = cg_pin_current_thread(Int32(nth))
        return cpu >= 0 ? Int(cpu) : nil
    }
}
