import ClaimCore
import ClaimTestSupport
import Testing

@testable import ClaimRedis

@Suite struct WalletScriptTests {
    @Test func listsAPersonsVouchersAndNothingElse() throws {
        let client = try TestRedis.get().client()
        let pool = TestProgramme.dailyPool(stock: 5, limit: 2)
        let now = TestProgramme.releaseInstant
        _ = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        for person in ["a", "a", "b"] {
            guard
                case .run(let r) = ClaimPlanner(programme: TestProgramme.programme([pool])).plan(
                    pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: nil, now: now)
            else { return }
            _ = try ClaimScript.run(r, on: client)
        }
        let mine = try WalletScript.vouchers(
            client.command(WalletScript.command(pool: pool.id, person: "a", sendSource: true)), pool: pool.id)
        #expect(mine.map(\.id) == ["\(pool.id):2022-06-10:1", "\(pool.id):2022-06-10:2"])
        #expect(mine.allSatisfy { $0.owner == "a" })
        #expect(
            try WalletScript.vouchers(
                client.command(WalletScript.command(pool: pool.id, person: "z", sendSource: true)), pool: pool.id
            ).isEmpty)
    }
}
