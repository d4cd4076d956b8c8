import ArgumentParser
import ClaimCore
import ClaimRedis
import ClaimSetup

/// `--operation-id`: the id an operator action records in Redis with each change it makes
/// (`OperationID`, one step per pool segment). A fresh one by default; given again, it names the
/// same action, so an action that ended in "outcome unknown" can be rerun to finish without
/// applying any of its changes twice.
struct OperationOption: ParsableArguments {
    @Option(
        name: .customLong("operation-id"),
        help: "The action's id (default: a fresh one). Rerun with the id an interrupted action printed.")
    var id: String?

    func validate() throws {
        if let id, !Identifier.isValid(id) { throw ValidationError("--operation-id must be 1-64 of [A-Za-z0-9_.-]") }
    }

    /// This run's id (read once per run: a fresh one each time it is asked for).
    func resolve() -> OperationID { id.map(OperationID.init) ?? OperationID() }

    /// Runs `body`; an outcome Redis may or may not have reached is reported with the rerun
    /// that finishes it safely.
    static func reportingUnknown<T>(_ operation: OperationID, _ command: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RedisError {
            guard case .outcomeUnknown = error else { throw error }
            throw SetupError(
                "\(error)\nThe action may be half done. Rerun it with --operation-id \(operation) to finish it: "
                    + "what is done already is not done twice.")
        }
    }
}
