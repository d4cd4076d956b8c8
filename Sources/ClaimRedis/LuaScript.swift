import Crypto

/// A Lua script shipped as a resource (`Scripts/*.lua`), with the SHA1 Redis will know it by,
/// computed here so EVALSHA needs no SCRIPT LOAD round trip first.
public struct LuaScript: Sendable, Hashable {
    public let name: String
    public let source: [UInt8]
    public let sha1: String

    public init(name: String, source: [UInt8]) {
        self.name = name
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: source).map { b in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
        }.joined()
    }

    /// One claim, all or nothing: see the header of `claim.lua`.
    public static let claim = LuaScript(name: "claim", source: PackageResources.claim_lua)
    /// Release a window's stock exactly once: see `open.lua`.
    public static let open = LuaScript(name: "open", source: PackageResources.open_lua)
    /// Put a released window back to its quota: see `reset.lua`.
    public static let reset = LuaScript(name: "reset", source: PackageResources.reset_lua)

    /// A person's vouchers in one pool: see `wallet.lua`.
    public static let wallet = LuaScript(name: "wallet", source: PackageResources.wallet_lua)

    /// A merchant redeems a voucher against an order: see `redeem.lua`.
    public static let redeem = LuaScript(name: "redeem", source: PackageResources.redeem_lua)
    /// A resident's single-use payment code for one voucher: see `paycode.lua`.
    public static let paycode = LuaScript(name: "paycode", source: PackageResources.paycode_lua)
    /// A refunded order gives its voucher back: see `reverse.lua`.
    public static let reverse = LuaScript(name: "reverse", source: PackageResources.reverse_lua)

    /// Takes leftover stock from, or gives it to, one segment of a split pool.
    public static let move = LuaScript(name: "move", source: PackageResources.move_lua)
    /// Adds people to a grant pool's buyer list.
    public static let buyers = LuaScript(name: "buyers", source: PackageResources.buyers_lua)
    /// Records a programme version (`claimctl load`): see `programme.lua`.
    public static let programme = LuaScript(name: "programme", source: PackageResources.programme_lua)
    public static let all: [LuaScript] = [
        .claim, .open, .reset, .wallet, .redeem, .paycode, .reverse, .move, .buyers, .programme,
    ]

    /// `EVALSHA sha numkeys keys... args...`, or `EVAL source ...` to (re)load it.
    public func command(keys: [String], arguments: [String], sendSource: Bool = false) -> [[UInt8]] {
        var out: [[UInt8]] = sendSource ? [Array("EVAL".utf8), source] : [Array("EVALSHA".utf8), Array(sha1.utf8)]
        out.reserveCapacity(3 + keys.count + arguments.count)
        out.append(Array(String(keys.count).utf8))
        for k in keys { out.append(Array(k.utf8)) }
        for a in arguments { out.append(Array(a.utf8)) }
        return out
    }
}
