import Foundation
import Testing

@testable import ClaimCore

@Suite struct ProgrammeSeedTests {
    static func repoSeed(_ name: String = "shenyang-2022.json") -> [UInt8] {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if let d = FileManager.default.contents(atPath: url.appendingPathComponent("seeds/\(name)").path) {
                return Array(d)
            }
        }
        return []
    }

    @Test func theNationalSeedSplitsItsHotPoolInThree() throws {
        let programme = try ProgrammeSeed.decode(Self.repoSeed("national-2022.json"))
        #expect(programme.pool(id: "national-15")?.segmentCount == 1)
        let split = try #require(programme.pool(id: "national-15-split"))
        #expect(split.segmentCount == 3)
        #expect(
            split.segments.map(\.storageID) == ["national-15-split.s0", "national-15-split.s1", "national-15-split.s2"])
        #expect(decode { $0["pools"] = [["id": "x"]] } != nil)
    }

    @Test func theShenyangSeedHasAllFourKinds() throws {
        let p = try ProgrammeSeed.decode(Self.repoSeed())
        #expect(p.id == "shenyang-2022")
        #expect(Set(p.pools.map(\.kind)) == Set(PoolKind.allCases))
        #expect(p.calendar == .shenyang)
        let a500 = try #require(p.pool(id: "appliance-500"))
        #expect(a500.faceFen == 50000)
        #expect(a500.schedule.windows(in: p.calendar).count == 21)
        #expect(p.pool(id: "comprehensive-10")?.validity == .endOfWeekday(4))
        #expect(p.pool(id: "specialty-15")?.eligibility.individualsOnly == true)
        #expect(a500.requiresStoreQR)
        #expect(a500.useLimitPerProgramme == 1)
        #expect(p.pool(id: "housing-fair")?.bundleFen == [100000, 50000, 50000])
        #expect(p.pool(id: "housing-fair")?.eligibility.requiresBuyerList == true)
        #expect(p.pools.allSatisfy { $0.autoOpen })
        #expect(p.stores.count >= 1)
        #expect(p.storeName("store-suning-taiyuan") == "Suning Appliance, Taiyuan Street")
        // Every category a pool lists has a name for residents' apps.
        for pool in p.pools { for c in pool.merchantCategories { #expect(p.categoryNames[c] != nil, "\(c)") } }
    }

    @Test func theSeedStaysWithinTheArticlesBudgets() throws {
        let p = try ProgrammeSeed.decode(Self.repoSeed())
        func budget(_ kind: PoolKind) -> Int {
            p.pools.filter { $0.kind == kind }.reduce(0) { sum, pool in
                sum + pool.faceFen * pool.stockPerRelease * pool.schedule.windows(in: p.calendar).count
            }
        }
        #expect(budget(.comprehensive) <= 50_000_000 * 100)
        #expect(budget(.appliance) <= 18_000_000 * 100)
        #expect(budget(.specialty) <= 20_000_000 * 100)
        #expect(budget(.housingGrant) <= 12_000_000 * 100)
    }

    func decode(_ mutate: (inout [String: Any]) -> Void) -> SeedError? {
        var doc = (try? JSONSerialization.jsonObject(with: Data(Self.repoSeed()))) as? [String: Any] ?? [:]
        mutate(&doc)
        let bytes = Array((try? JSONSerialization.data(withJSONObject: doc)) ?? Data())
        do {
            _ = try ProgrammeSeed.decode(bytes)
            return nil
        } catch { return error }
    }

    func mutatePool(_ index: Int, _ f: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { doc in
            var pools = doc["pools"] as! [[String: Any]]
            f(&pools[index])
            doc["pools"] = pools
        }
    }

    @Test func aBadFileIsRefusedNamingTheField() {
        #expect(decode(mutatePool(3) { $0["face_fen"] = 0 })?.field == "pools[3].face_fen")
        #expect(decode(mutatePool(1) { $0["face_fen"] = "ten" })?.field == "pools[1].face_fen")
        #expect(decode(mutatePool(0) { $0.removeValue(forKey: "kind") })?.field == "pools[0].kind")
        #expect(decode(mutatePool(0) { $0["kind"] = "lottery" })?.field == "pools[0].kind")
        #expect(decode(mutatePool(2) { $0["id"] = "has space" })?.field == "pools[2].id")
        #expect(decode(mutatePool(2) { $0["id"] = "comprehensive-50" })?.field == "pools[2].id")
        #expect(
            decode(
                mutatePool(4) { p in
                    var s = p["schedule"] as! [String: Any]
                    s["opens_at"] = "25:00"
                    p["schedule"] = s
                })?.field == "pools[4].schedule.opens_at")
        #expect(
            decode(
                mutatePool(4) { p in
                    var s = p["schedule"] as! [String: Any]
                    s["ranges"] = [["first": "2022-06-30", "last": "2022-06-10"]]
                    p["schedule"] = s
                })?.field == "pools[4].schedule.ranges[0].last")
        #expect(
            decode(mutatePool(0) { p in p["validity"] = ["type": "end_of_weekday", "weekday": 9] })?.field
                == "pools[0].validity.weekday")
        #expect(decode(mutatePool(0) { $0["limit_per_window"] = 0 })?.field == "pools[0].limit_per_window")
        #expect(decode(mutatePool(7) { $0["bundle_fen"] = [100000, 50000] })?.field == "pools[7].bundle_fen")
        #expect(
            decode(mutatePool(0) { $0["use_limit_per_programme"] = 0 })?.field == "pools[0].use_limit_per_programme")
        #expect(decode { $0["stores"] = [["id": "a b", "name": "x"]] }?.field == "stores[0].id")
        #expect(decode { $0.removeValue(forKey: "stores") }?.field == "pools[3].store_qr")
        #expect(decode { $0["stores"] = [["id": "s", "name": ""]] }?.field == "stores[0].name")
        #expect(
            decode { $0["merchant_categories"] = [["id": "restaurant", "name": "Restaurants"]] }?.field
                == "pools[0].merchant_categories[0]")
        #expect(
            decode { $0["merchant_categories"] = [["id": "x", "name": "X"], ["id": "x", "name": "Y"]] }?.field
                == "merchant_categories[1].id")
        #expect(decode { $0["pools"] = [] }?.field == "pools")
        #expect(decode { $0.removeValue(forKey: "programme") }?.field == "programme")
    }

    @Test func garbageIsRefusedNotCrashed() {
        for bytes in [[], Array("{".utf8), Array("[]".utf8), Array("null".utf8), [0xFF, 0xFE]] as [[UInt8]] {
            #expect(throws: SeedError.self) { try ProgrammeSeed.decode(bytes) }
        }
    }

    /// Issue "Release day in the operators' hands": a misspelt key switched a rule off in
    /// silence (the seed loaded with exit 0 and the rule gone). Every unknown key is refused by
    /// its path, with the nearest known one offered.
    @Test func anUnknownKeyIsRefusedByItsPathWithTheNearestKnownOne() {
        let typo = decode(
            mutatePool(3) { p in
                p["store_qrr"] = p.removeValue(forKey: "store_qr") ?? true
            })
        #expect(typo?.field == "pools[3].store_qrr")
        #expect(typo?.problem.contains("unknown field") == true)
        #expect(typo?.problem.contains("store_qr") == true)
        let nested = decode(
            mutatePool(0) { p in
                var e = p["eligibility"] as? [String: Any] ?? [:]
                e["card_prefx"] = e.removeValue(forKey: "card_prefix") ?? "62"
                p["eligibility"] = e
            })
        #expect(nested?.field == "pools[0].eligibility.card_prefx")
        #expect(decode { $0["programme_name"] = "x" }?.field == "programme_name")
        #expect(decode(mutatePool(1) { $0["use_limit_per_programe"] = 1 })?.field == "pools[1].use_limit_per_programe")
        // The repository's seeds have none.
        #expect(decode { _ in } == nil)
    }

    @Test func invalidJSONIsReportedWithItsLineAndColumn() {
        let bytes = Array("{\n  \"programme\": {\"id\": \"x\"},\n  \"pools\": [1, 2,,]\n}".utf8)
        #expect {
            try ProgrammeSeed.decode(bytes)
        } throws: { error in
            "\(error)".contains("line 3") && "\(error)".contains("column")
        }
    }
}
