/// Where the values of the header fields an application asked the parser for are, in the
/// bytes parsed (`HTTPRequestParser(fields:)`), by the index of the name in that list. Inline
/// storage for a few fields, so reading a request allocates nothing.
public struct HeaderFieldRanges: Hashable, Sendable {
    /// The most fields an application may ask for.
    public static let capacity = 4
    private var a: Range<Int>?
    private var b: Range<Int>?
    private var c: Range<Int>?
    private var d: Range<Int>?

    public init() {}

    /// The value of field `i` (trimmed of surrounding blanks), nil if the request had none.
    public subscript(i: Int) -> Range<Int>? {
        get {
            switch i {
            case 0: a
            case 1: b
            case 2: c
            case 3: d
            default: nil
            }
        }
        set {
            switch i {
            case 0: a = newValue
            case 1: b = newValue
            case 2: c = newValue
            case 3: d = newValue
            default: break
            }
        }
    }
}
