import ClaimCore
import Foundation

/// Loads a programme from a seed file on disk.
public enum ProgrammeFile {
    public static func load(_ path: String) throws -> Programme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SetupError("cannot read seed file \(path)")
        }
        do { return try ProgrammeSeed.decode(Array(data)) } catch {
            throw SetupError("seed file \(path): \(error)")
        }
    }
}

/// A start-up problem, said in one line for the operator.
public struct SetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
