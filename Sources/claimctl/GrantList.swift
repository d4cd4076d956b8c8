import ArgumentParser
import ClaimCore
import ClaimRedis
import ClaimSetup
import Foundation

/// `claimctl grant-list load FILE`: the housing-fair buyers entitled to the grant.
struct GrantList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-list", abstract: "Manage a grant pool's list of entitled people.", subcommands: [Load.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the person ids of a CSV file (first column; a 'person' header is skipped) to the list.")
        @OptionGroup var connection: Connection
        @Argument(help: "CSV file of person ids.") var file: String
        @Option(help: "The grant pool.") var pool = "housing-fair"
        @OptionGroup var operation: OperationOption

        func run() throws {
            guard FileManager.default.fileExists(atPath: file) else {
                throw SetupError("\(file): no such file (a CSV of person ids, one per line)")
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SetupError("\(file): cannot be read (permissions?)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw SetupError("\(file): not UTF-8 text (a CSV of person ids, one per line)")
            }
            let programme = try connection.programme()
            guard let p = programme.pool(id: pool), p.eligibility.requiresBuyerList else {
                throw SetupError("\(pool) is not a pool with a buyer list")
            }
            // Validate the whole file before writing anything: a bad line loads nothing.
            var people: [String] = []
            for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
                let id =
                    raw.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if id.isEmpty || (n == 0 && id.lowercased() == "person") { continue }
                guard Identifier.isValid(id) else { throw SetupError("\(file):\(n + 1): '\(id)' is not a person id") }
                people.append(id)
            }
            let action = operation.resolve()
            let added = try OperationOption.reportingUnknown(action, "grant-list load") {
                try ProgrammeStore(client: connection.client()).addBuyers(pool: pool, people: people, operation: action)
            }
            operatorLog.info(
                "operator action",
                metadata: [
                    "action": "grant-list load", "pool": "\(pool)", "read": "\(people.count)", "added": "\(added)",
                    "operation": "\(action)",
                ])
            print(
                "\(pool): \(people.count) buyers read, \(added) new; \(p.stockPerRelease) bundles of "
                    + "\(p.bundleFen.map { String($0 / 100) }.joined(separator: " + ")) yuan")
        }
    }
}
