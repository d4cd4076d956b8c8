import ClaimCore
import ClaimPOSIX
import ClaimSetup
import Foundation

/// A distributed run: `claimload --workers N` starts N worker processes of itself, each with its
/// share of the connections, the rate, the requests and its own people, all due to start at one
/// wall-clock instant; each writes what it observed (`WorkerOutput`: its `LoadResults`, HDR
/// histograms included, and its `ClaimRecord`) to a file; the coordinator merges them into one
/// result and one verdict. Histograms are added, never percentiles averaged.
struct LoadCoordinator {
    /// Each worker's command line (after the executable), given its index, the start instant
    /// (Unix ms) and its output file.
    let arguments: (_ worker: Int, _ startAt: Int64, _ output: String) -> [String]
    let workers: Int

    /// Runs the workers and returns their outputs in worker order, and the instant (Unix ms) they
    /// started at. A worker that fails is reported with the end of what it printed.
    func run() throws -> (outputs: [WorkerOutput], startAt: Int64) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "claimload-workers-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        // Far enough ahead for every process to be up and connected-ready; all start together.
        let startAt = SystemClock().now().unixMilliseconds + 1000
        var processes: [(Process, String, String)] = []
        for i in 0..<workers {
            let output = "\(dir)/worker-\(i).json"
            let log = "\(dir)/worker-\(i).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments(i, startAt, output)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            processes.append((p, output, log))
        }
        var outputs: [WorkerOutput] = []
        var failures: [String] = []
        for (i, (p, output, log)) in processes.enumerated() {
            p.waitUntilExit()
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) else {
                failures.append(
                    "worker \(i) exited \(p.terminationStatus): "
                        + said.split(separator: "\n").suffix(3).joined(separator: " | "))
                continue
            }
            do { outputs.append(try JSONDecoder().decode(WorkerOutput.self, from: data)) } catch {
                failures.append("worker \(i) wrote an unreadable result: \(error)")
            }
        }
        guard failures.isEmpty else { throw SetupError(failures.joined(separator: "; ")) }
        return (outputs, startAt)
    }

    /// Blocks until wall-clock `startAt` (Unix ms): a worker's start, shared with the others.
    static func wait(until startAt: Int64) {
        let ms = startAt - SystemClock().now().unixMilliseconds
        if ms > 0 { usleep(UInt32(min(ms, 10_000)) * 1000) }
    }

    /// Worker `i` of `n`'s share of `total` (the first ones take the remainder).
    static func share(_ total: Int, worker i: Int, of n: Int) -> Int { total / n + (i < total % n ? 1 : 0) }
}

/// What one worker observed, for the coordinator.
struct WorkerOutput: Codable {
    var results: LoadResults
    /// The claims' record (nil for plain GETs).
    var record: ClaimRecord?

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path))
    }
}
