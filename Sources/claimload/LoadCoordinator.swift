import ClaimCore
import ClaimPOSIX
import ClaimSetup
import Foundation

/// A distributed run: `claimload --workers N` starts N worker processes of itself, each with its
/// share of the connections, the rate, the requests and its own people, all due to start at one
/// wall-clock instant named once every worker is ready (`WorkerStartGate`); each writes what it
/// observed (`WorkerOutput`: its `LoadResults`, HDR histograms included, and its `ClaimRecord`)
/// to a file; the coordinator merges them into one result and one verdict. Histograms are
/// added, never percentiles averaged.
struct LoadCoordinator {
    /// Each worker's command line (after the executable), given its index, the start gate's
    /// folder and its output file.
    let arguments: (_ worker: Int, _ startGate: String, _ output: String) -> [String]
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
        let gate = WorkerStartGate(directory: dir)
        var processes: [(Process, String, String)] = []
        for i in 0..<workers {
            let output = "\(dir)/worker-\(i).json"
            let log = "\(dir)/worker-\(i).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments(i, dir, output)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            processes.append((p, output, log))
        }
        var failures: [String] = []
        // Every worker signs its people's tokens and opens its connections first; then all start
        // together, a little ahead so each has read the instant before it is due.
        let giveUp = SystemClock().now().unixMilliseconds + WorkerStartGate.patienceMilliseconds
        var startAt: Int64?
        var stopped = Set<Int>()
        while startAt == nil {
            if gate.readyCount(of: workers) == workers {
                let at = SystemClock().now().unixMilliseconds + 200
                try gate.announce(startAt: at)
                startAt = at
                continue
            }
            let oneEnded = processes.contains { !$0.0.isRunning }
            if oneEnded || SystemClock().now().unixMilliseconds > giveUp {
                // One failed before the start (or all are too slow): the others would wait for good.
                if !oneEnded {
                    failures.append("workers not ready in \(WorkerStartGate.patienceMilliseconds / 1000) s")
                }
                for (i, (p, _, _)) in processes.enumerated() where p.isRunning {
                    p.terminate()
                    stopped.insert(i)
                }
                break
            }
            usleep(1000)
        }
        var outputs: [WorkerOutput] = []
        for (i, (p, output, log)) in processes.enumerated() {
            p.waitUntilExit()
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) else {
                let last = said.split(separator: "\n").suffix(3).joined(separator: " | ")
                failures.append(
                    stopped.contains(i)
                        ? "worker \(i) stopped before the start"
                        : "worker \(i) "
                            + (p.terminationReason == .uncaughtSignal ? "killed by signal " : "exited ")
                            + "\(p.terminationStatus)" + (last.isEmpty ? "" : ": \(last)"))
                continue
            }
            do { outputs.append(try JSONDecoder().decode(WorkerOutput.self, from: data)) } catch {
                failures.append("worker \(i) wrote an unreadable result: \(error)")
            }
        }
        guard failures.isEmpty, let startAt else { throw SetupError(failures.joined(separator: "; ")) }
        return (outputs, startAt)
    }

    /// Worker `i` of `n`'s share of `total` (the first ones take the remainder).
    static func share(_ total: Int, worker i: Int, of n: Int) -> Int { total / n + (i < total % n ? 1 : 0) }
}

/// What one worker observed, for the coordinator.
struct WorkerOutput: Codable {
    var results: LoadResults
    /// The claims' record (nil for plain GETs).
    var record: ClaimRecord?
    /// Tokens the worker signed before its clock started, and while it ran (claims only).
    var signedBeforeClock = 0
    var signedWhileTimed = 0

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path))
    }
}
