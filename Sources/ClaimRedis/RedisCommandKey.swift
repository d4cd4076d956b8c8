/// The key a command is routed by in a cluster: the first key of a script call
/// (`EVALSHA sha numkeys key ...`), else the first argument. Nil for commands without a key.
/// Every command ClaimGate sends touches one slot (one pool's tag), so the first key decides.
public enum RedisCommandKey {
    public static func of(_ args: [[UInt8]]) -> [UInt8]? {
        guard let name = args.first else { return nil }
        // The gateway routes every claim through here: script calls are recognised by bytes.
        if isScriptCall(name) {
            guard args.count > 3, let n = Int(String(decoding: args[2], as: UTF8.self)), n > 0 else { return nil }
            return args[3]
        }
        switch String(decoding: name, as: UTF8.self).uppercased() {
        case "PING", "INFO", "CLUSTER", "SCRIPT", "ASKING", "AUTH", "SELECT", "ACL", "FLUSHALL", "FLUSHDB", "DBSIZE",
            "WAIT", "READONLY", "CONFIG", "FUNCTION":
            return nil
        default:
            return args.count > 1 ? args[1] : nil
        }
    }

    /// EVAL, EVALSHA, their _RO forms, FCALL and FCALL_RO, in any case.
    private static func isScriptCall(_ name: [UInt8]) -> Bool {
        func lower(_ i: Int) -> UInt8 { name[i] | 0x20 }
        if name.count >= 4, lower(0) == UInt8(ascii: "e"), lower(1) == UInt8(ascii: "v"), lower(2) == UInt8(ascii: "a"),
            lower(3) == UInt8(ascii: "l")
        {
            return true
        }
        return name.count >= 5 && lower(0) == UInt8(ascii: "f") && lower(1) == UInt8(ascii: "c")
            && lower(2) == UInt8(ascii: "a") && lower(3) == UInt8(ascii: "l") && lower(4) == UInt8(ascii: "l")
    }
}
