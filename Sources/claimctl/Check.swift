import ArgumentParser
import ClaimCore
import ClaimSetup

/// `claimctl check SEED`: the seed read as strictly as `load` reads it (an unknown key, a bad
/// value or invalid JSON is refused with its path or line and column), then every pool's rules
/// in plain words, so what a typo would switch off shows as a missing line. No Redis.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a seed file strictly and print every pool's rules in plain words; exit 1 on any problem.")
    @Argument(help: "Seed file.") var file: String

    func run() throws {
        let programme = try ProgrammeFile.load(file)
        print(
            "\(file): programme \(programme.id) (\(programme.name)), \(programme.pools.count) pools, "
                + "\(programme.stores.count) stores, UTC\(offset(programme.calendar))")
        for pool in programme.pools {
            print("\n\(pool.id): \(pool.name)")
            for line in PoolRulesText.lines(pool) { print("  - \(line)") }
        }
    }

    private func offset(_ calendar: CityCalendar) -> String {
        let minutes = calendar.utcOffsetSeconds / 60
        return String(format: "%@%02d:%02d", minutes < 0 ? "-" : "+", abs(minutes) / 60, abs(minutes) % 60)
    }
}
