/// Why a seed file was refused; `field` is a path such as `pools[2].schedule.opens_at`.
public struct SeedError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}
