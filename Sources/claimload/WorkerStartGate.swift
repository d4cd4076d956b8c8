import ClaimPOSIX
import ClaimSetup
import Foundation

/// How a distributed run's processes agree on one start instant after each has done its
/// preparation (tokens signed, connections open), through files in the coordinator's folder:
/// a worker says it is ready (`ready-<i>`), the coordinator, once all are, writes the instant
/// (`start`, written aside and renamed so no one reads half of it), and each worker waits for
/// it. A fixed instant chosen before the workers started would cut their preparation short:
/// what a worker has not signed by then it signs inside the timed run, and the load generator
/// measures itself.
struct WorkerStartGate {
    /// The coordinator's folder, shared by every worker of the run.
    let directory: String

    /// Longest a worker waits for the start, and the coordinator for every worker to be ready
    /// (signing 400,000 RS256 tokens on two cores takes about 90 s).
    static let patienceMilliseconds: Int64 = 600_000

    /// Worker `i` is ready to start.
    func markReady(worker i: Int) throws {
        guard FileManager.default.createFile(atPath: "\(directory)/ready-\(i)", contents: nil) else {
            throw SetupError("cannot write \(directory)/ready-\(i)")
        }
    }

    /// How many of workers 0..<`count` are ready.
    func readyCount(of count: Int) -> Int {
        (0..<count).filter { FileManager.default.fileExists(atPath: "\(directory)/ready-\($0)") }.count
    }

    /// The coordinator names the start (Unix ms).
    func announce(startAt: Int64) throws {
        let aside = "\(directory)/start.tmp"
        guard FileManager.default.createFile(atPath: aside, contents: Data(String(startAt).utf8)),
            rename(aside, "\(directory)/start") == 0
        else { throw SetupError("cannot write \(directory)/start") }
    }

    /// The start the coordinator named, once it has (nil while it has not).
    func announcedStart() -> Int64? {
        (try? String(contentsOfFile: "\(directory)/start", encoding: .utf8)).flatMap { Int64($0) }
    }

    /// Blocks until the coordinator names the start (polling every millisecond), then until
    /// that instant.
    func awaitStart() throws {
        let giveUp = SystemClock().now().unixMilliseconds + Self.patienceMilliseconds
        while true {
            if let start = announcedStart() {
                let ms = start - SystemClock().now().unixMilliseconds
                if ms > 0 { usleep(UInt32(min(ms, 10_000)) * 1000) }
                return
            }
            guard SystemClock().now().unixMilliseconds < giveUp else {
                throw SetupError(
                    "no start from the coordinator in \(Self.patienceMilliseconds / 1000) s (\(directory))")
            }
            usleep(1000)
        }
    }
}
