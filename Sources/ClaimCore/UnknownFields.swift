/// The keys of a JSON document that the type it was decoded into has no field for: `Decodable`
/// skips them in silence, so a misspelt `store_qrr` would load and leave the in-store rule
/// off. The known fields are read from the decoded value itself (`Mirror`: every stored
/// property, `nil` optionals included), so the list of fields is written once, in the type.
enum UnknownFields {
    /// One unknown key: where it is, and the known field it most likely meant.
    struct Finding: Hashable, Sendable {
        let path: String
        let nearest: String?
    }

    /// Every key of `json` (as `JSONSerialization` reads it) with no field in `decoded`, in
    /// document order of paths (keys sorted within an object).
    static func find(json: Any, decoded: Any, path: String = "") -> [Finding] {
        let mirror = Mirror(reflecting: decoded)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return [] }
            return find(json: json, decoded: wrapped, path: path)
        }
        if let object = json as? [String: Any], mirror.displayStyle == .struct {
            var fields: [String: Any] = [:]
            for child in mirror.children { if let label = child.label { fields[label] = child.value } }
            var out: [Finding] = []
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let at = path.isEmpty ? key : "\(path).\(key)"
                if let field = fields[key] {
                    out += find(json: value, decoded: field, path: at)
                } else {
                    out.append(Finding(path: at, nearest: nearest(to: key, in: Array(fields.keys))))
                }
            }
            return out
        }
        if let array = json as? [Any], mirror.displayStyle == .collection {
            var out: [Finding] = []
            for (i, (item, element)) in zip(array, mirror.children.map(\.value)).enumerated() {
                out += find(json: item, decoded: element, path: "\(path)[\(i)]")
            }
            return out
        }
        return []
    }

    /// The known name within two edits of `key` (a typo), nil if none is that close.
    static func nearest(to key: String, in names: [String]) -> String? {
        let best = names.map { ($0, distance(Array(key.utf8), Array($0.utf8))) }.min {
            $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0)
        }
        guard let (name, d) = best, d <= 2 else { return nil }
        return name
    }

    /// Levenshtein distance, for short field names.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
