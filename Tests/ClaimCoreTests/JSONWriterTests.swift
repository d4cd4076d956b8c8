import Testing

@testable import ClaimCore

@Suite struct JSONWriterTests {
    @Test func writesNestedObjectsAndArrays() {
        var w = JSONWriter()
        w.beginObject()
        w.field("a", 1)
        w.beginObject("o")
        w.field("b", true)
        w.nullField("n")
        w.endObject()
        w.beginArray("l")
        w.element("x")
        w.element("y")
        w.endArray()
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":1,"o":{"b":true,"n":null},"l":["x","y"]}"#)
    }

    @Test func escapesEverythingTheScannerReadsBack() throws {
        let nasty = "q\"\\\n\r\t\u{1}\u{1F}é😀</script>"
        var w = JSONWriter()
        w.beginObject()
        w.field("s", nasty)
        w.endObject()
        #expect(try FlatJSONObject(parsing: w.bytes).string("s") == nasty)
    }
}
