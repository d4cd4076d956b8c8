import ClaimAuth
import Testing

@testable import ClaimSetup

@Suite struct TokenSecretTests {
    @Test func aKeyringFileNamesItsSigningAndUnkeyedKeys() throws {
        let json = #"{"signing":"b","unkeyed":"a","keys":{"a":"aaaaaaaaaaaaaaaaaaaa","b":"bbbbbbbbbbbbbbbbbbbb"}}"#
        let keyring = try TokenSecret.keyring(json: Array(json.utf8))
        #expect(keyring.signing == TokenKeyring.Key(id: "b", secret: Array("bbbbbbbbbbbbbbbbbbbb".utf8)))
        #expect(keyring.keys.map(\.id) == ["a", "b", nil])
        #expect(keyring.keys.last?.secret == Array("aaaaaaaaaaaaaaaaaaaa".utf8))
    }

    @Test func aBadKeyringSaysWhatIsWrong() {
        for (json, words) in [
            (#"{"keys":{"a":"aaaaaaaaaaaaaaaaaaaa"}}"#, "signing"),
            (#"{"signing":"a","keys":{"a":"short"}}"#, "at least 16 bytes"),
            (#"{"signing":"z","keys":{"a":"aaaaaaaaaaaaaaaaaaaa"}}"#, "\"z\""),
            (#"{"signing":"a","keys":{"a":7}}"#, "keys"),
            ("{not json", "keyring"),
        ] {
            #expect {
                try TokenSecret.keyring(json: Array(json.utf8))
            } throws: { "\($0)".contains(words) }
        }
    }
}
