import ArgumentParser
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation

/// `claimctl audit`: every invariant of the books, checked in Redis; exit 1 on any finding.
/// `--json` gives the same as one object for scripts.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check every pool and window: granted + left == released, nobody over the limit, every voucher owned, "
            + "every redemption of an existing voucher and within the use limit; a split pool across its segments "
            + "too. Reads in bounded steps, so it can run during a release.")
    @Option(help: ArgumentHelp(RedisCredentials.urlHelp)) var redis = RedisCredentials.defaultURL
    @Flag(help: "One JSON object: clean, windows, vouchers, redeemed, problems.") var json = false
    @Option(
        help:
            "Also write the result as Prometheus text to this file (node_exporter's textfile collector), for the audit alerts in deploy/."
    )
    var metrics: String?

    struct Report: Encodable {
        var clean: Bool
        var windows: Int
        var vouchers: Int
        var redeemed: Int
        var problems: [String]
    }

    func run() throws {
        let findings = try ProgrammeAudit(client: try RedisCredentials.target(redis).connect()).run()
        if json {
            let report = Report(
                clean: findings.problems.isEmpty, windows: findings.windows, vouchers: findings.vouchers,
                redeemed: findings.redeemed, problems: findings.problems)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for line in findings.problems { print("PROBLEM \(line)") }
            if findings.problems.isEmpty {
                print(
                    "audit clean: \(findings.windows) windows, \(findings.vouchers) vouchers, \(findings.redeemed) redeemed"
                )
            } else {
                print("audit FAILED: \(findings.problems.count) problems in \(findings.windows) windows")
            }
        }
        if let metrics { try writeMetrics(findings, to: metrics) }
        if !findings.problems.isEmpty { throw ExitCode.failure }
    }

    /// Written beside and renamed into place, so a collector never reads half a file.
    private func writeMetrics(_ findings: ProgrammeAudit.Findings, to path: String) throws {
        let text = """
            # HELP claimgate_audit_problems Problems the last claimctl audit found in the books.
            # TYPE claimgate_audit_problems gauge
            claimgate_audit_problems \(findings.problems.count)
            # HELP claimgate_audit_windows Windows the last claimctl audit checked.
            # TYPE claimgate_audit_windows gauge
            claimgate_audit_windows \(findings.windows)
            # HELP claimgate_audit_last_run_timestamp_seconds When the last claimctl audit ran.
            # TYPE claimgate_audit_last_run_timestamp_seconds gauge
            claimgate_audit_last_run_timestamp_seconds \(Double(SystemClock().now().unixMilliseconds) / 1000)

            """
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)),
            rename(temporary, path) == 0
        else { throw SetupError("cannot write \(path)") }
    }
}
