import Glibc

/// This process as the kernel accounts it (`/proc/self`), for the standard `process_*`
/// metrics Prometheus's client libraries export: resident and virtual memory, CPU seconds,
/// open and maximum descriptors, start time. Read when `/metrics` is scraped, never per request.
public struct ProcessStats: Sendable, Hashable {
    public var residentBytes: Int
    public var virtualBytes: Int
    public var cpuSeconds: Double
    public var openDescriptors: Int
    public var maxDescriptors: Int
    /// Seconds since the Unix epoch.
    public var startTimeSeconds: Double

    /// Nil when `/proc` cannot be read (not Linux, or hidden).
    public static func current() -> ProcessStats? {
        guard let stat = text(of: "/proc/self/stat"), let close = stat.lastIndex(of: ")"),
            let boot = text(of: "/proc/stat")
        else { return nil }
        // Fields after the command's closing parenthesis, from field 3 (state) on.
        let f = stat[stat.index(after: close)...].split(separator: " ")
        guard f.count > 22, let utime = Double(f[11]), let stime = Double(f[12]), let start = Double(f[19]),
            let vsize = Int(f[20]), let rss = Int(f[21]),
            let btimeLine = boot.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let btime = Double(btimeLine.dropFirst(6))
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        let maxFDs = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(limit.rlim_cur) : 0
        let open = entries(of: "/proc/self/fd")
        return ProcessStats(
            residentBytes: rss * page, virtualBytes: vsize, cpuSeconds: (utime + stime) / ticks,
            openDescriptors: open, maxDescriptors: maxFDs, startTimeSeconds: btime + start / ticks)
    }

    /// A small /proc file's text (they report a size of 0, so read until the end).
    private static func text(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += chunk[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Entries of a directory, `.` and `..` left out (and the descriptor counting them).
    private static func entries(of path: String) -> Int {
        guard let dir = opendir(path) else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { n += 1 }
        }
        return max(0, n - 1)
    }

    /// The exposition lines, HELP and TYPE included.
    public var exposition: String {
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        return metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", "\(residentBytes)")
            + metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", "\(virtualBytes)")
            + metric("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.", "\(cpuSeconds)")
            + metric("process_open_fds", "gauge", "Open file descriptors.", "\(openDescriptors)")
            + metric("process_max_fds", "gauge", "Maximum open file descriptors (RLIMIT_NOFILE).", "\(maxDescriptors)")
            + metric(
                "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.",
                "\(startTimeSeconds)")
    }
}
