import Foundation
import Testing
@testable import MeteringCore

@Suite struct EventDecoderTests {
    @Test func acceptsTheContractExampleAndReadsEveryValue() {
        let reason = DecoderFixture.decode(DecoderFixture.event()) { decoder in
            #expect(decoder.string(decoder.id) == "evt-1")
            #expect(decoder.string(decoder.source) == "api-gateway")
            #expect(decoder.string(decoder.subject) == "acct-42")
            #expect(decoder.catalog.meterIndices(ofType: decoder.eventTypeIndex) == [0, 1])
            #expect(decoder.quantity(meterPosition: 0) == ExactDecimal(1234))
            #expect(decoder.string(decoder.dimension(meterPosition: 0, dimension: 0)) == "gpt-x")
        }
        #expect(reason == nil)
    }

    @Test func readsNumericStringsAndExponentsExactly() {
        let cases: [(String, String)] = [
            (#""1.5e3""#, "1500"), (#"1.50000000000000"#, "1.5"), (#""0.000000000001""#, "0.000000000001"),
            (#"-2"#, "-2"), (#""\u0031\u0032""#, "12"), (#"999999999999999999.999999999999"#, "999999999999999999.999999999999"),
            (#"1E2"#, "100"), (#"0e999999999999999999999"#, "0"),
        ]
        for (json, expected) in cases {
            let reason = DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":\#(json)}"#)) { decoder in
                #expect(decoder.quantity(meterPosition: 0).description == expected, "\(json)")
            }
            #expect(reason == nil, "\(json)")
        }
    }

    @Test func rejectsEachBadQuantityWithItsReason() {
        let cases: [(String, RejectionReason)] = [
            (#""+1""#, .badValue(path: "$.tokens")), (#"" 1""#, .badValue(path: "$.tokens")),
            (#"".5""#, .badValue(path: "$.tokens")), (#"true"#, .badValue(path: "$.tokens")),
            (#"null"#, .badValue(path: "$.tokens")), (#"{"a":1}"#, .badValue(path: "$.tokens")),
            (#""12abc""#, .badValue(path: "$.tokens")), (#""""#, .badValue(path: "$.tokens")),
            (#"1e18"#, .valueOutOfRange), (#"0.0000000000001"#, .valueOutOfRange),
            (#""1234567890123456789""#, .valueOutOfRange), (#"1e-13"#, .valueOutOfRange),
        ]
        for (json, expected) in cases {
            #expect(DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":\#(json)}"#)) == expected, "\(json)")
        }
        #expect(DecoderFixture.decode(DecoderFixture.event(data: #"{"model":"x"}"#)) == .badValue(path: "$.tokens"))
    }

    @Test func rejectsMissingOrEmptyAttributesByName() {
        let full: [(String, String)] = [("specversion", #""1.0""#), ("id", #""e""#), ("source", #""s""#),
                                        ("type", #""ping""#), ("subject", #""a""#), ("time", #""2026-11-05T10:00:00Z""#)]
        for (name, _) in full {
            let without = full.filter { $0.0 != name }.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",")
            #expect(DecoderFixture.decode("{\(without)}") == .missingAttribute(name), "\(name) missing")
            let empty = full.map { $0.0 == name ? #""\#($0.0)":"""# : #""\#($0.0)":\#($0.1)"# }.joined(separator: ",")
            #expect(DecoderFixture.decode("{\(empty)}") == .missingAttribute(name), "\(name) empty")
        }
        let numberVersion = DecoderFixture.event().replacingFirst(#""specversion":"1.0""#, with: #""specversion":1.0"#)
        #expect(DecoderFixture.decode(numberVersion) == .missingAttribute("specversion"))
        let oldVersion = DecoderFixture.event().replacingFirst(#""specversion":"1.0""#, with: #""specversion":"0.3""#)
        #expect(DecoderFixture.decode(oldVersion) == .missingAttribute("specversion"))
    }

    @Test func rejectsInvalidJSON() {
        let cases = ["", "[]", "\"x\"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{} x", "{\"a\":tru}",
                     "{\"a\":\"\u{1}\"}", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":[1,]}",
                     "{\"a\":[1 2]}", "{\"a\":{\"b\":1]}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}"]
        for json in cases { #expect(DecoderFixture.decode(json) == .invalidJSON, "\(json)") }
        // Not UTF-8: a lone continuation byte, an overlong encoding, a surrogate encoded in UTF-8.
        for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            var bytes = Array(#"{"specversion":"1.0","x":""#.utf8)
            bytes += bad
            bytes += Array(#""}"#.utf8)
            let decoder = EventDecoder(catalog: DecoderFixture.catalog)
            #expect(bytes.withUnsafeBytes { decoder.decode($0) } == .invalidJSON)
        }
    }

    @Test func rejectsUnknownTypeAndBadTime() {
        #expect(DecoderFixture.decode(DecoderFixture.event(type: "api_requets")) == .unknownType)
        #expect(DecoderFixture.decode(DecoderFixture.event(time: #""2026-11-05 10:00:00Z""#)) == .badTime)
        #expect(DecoderFixture.decode(DecoderFixture.event(time: #""2026-06-30T23:59:60Z""#)) == .badTime)
        #expect(DecoderFixture.decode(DecoderFixture.event(time: "1793000000")) == .missingAttribute("time"))
    }

    @Test func decodesEscapedSubjectsAndDimensionValues() {
        let event = DecoderFixture.event(subject: #""caf\u00e9 \"x\"""#, data: #"{"tokens":1,"model":"gpt\/\u00e9"}"#)
        let reason = DecoderFixture.decode(event) { decoder in
            #expect(decoder.string(decoder.subject) == "café \"x\"")
            #expect(decoder.string(decoder.dimension(meterPosition: 0, dimension: 0)) == "gpt/é")
        }
        #expect(reason == nil)
    }

    @Test func readsNestedPathsWhateverTheOrderOfMembers() {
        let data = #"{"other":[1,{"tokens":9}],"usage":{"where":{"region":"eu"},"tokens":"42.5"}}"#
        for event in [DecoderFixture.event(type: "nested_usage", data: data),
                      #"{"data":\#(data),"specversion":"1.0","id":"e","source":"s","subject":"a","time":"2026-11-05T10:00:00Z","type":"nested_usage"}"#] {
            let reason = DecoderFixture.decode(event) { decoder in
                #expect(decoder.quantity(meterPosition: 0).description == "42.5")
                #expect(decoder.string(decoder.dimension(meterPosition: 0, dimension: 0)) == "eu")
            }
            #expect(reason == nil)
        }
    }

    @Test func aMissingGroupByPropertyLeavesTheDimensionOut() {
        let reason = DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":5,"model":null}"#)) { decoder in
            #expect(decoder.dimension(meterPosition: 0, dimension: 0).kind == .null)
            #expect(!decoder.dimension(meterPosition: 0, dimension: 0).kind.isPresentScalar)
        }
        #expect(reason == nil)
    }

    @Test func dataMayBeAbsentOnlyWhenNoMeterReadsAValue() {
        let ping = #"{"specversion":"1.0","id":"e","source":"s","type":"ping","subject":"a","time":"2026-11-05T10:00:00Z"}"#
        #expect(DecoderFixture.decode(ping) == nil)
        let request = ping.replacingFirst(#""type":"ping""#, with: #""type":"api_request""#)
        #expect(DecoderFixture.decode(request) == .badValue(path: "$.tokens"))
    }

    @Test func uniqueCountValuesMayBeAnyScalar() {
        for value in [#""u1""#, "17", "true"] {
            #expect(DecoderFixture.decode(DecoderFixture.event(type: "login", data: #"{"user":\#(value)}"#)) == nil)
        }
        for value in ["null", "[1]", "{}"] {
            #expect(DecoderFixture.decode(DecoderFixture.event(type: "login", data: #"{"user":\#(value)}"#))
                    == .badValue(path: "$.user"))
        }
    }

    @Test func theLastOfARepeatedMemberWins() {
        let reason = DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":1,"tokens":"7"}"#)) { decoder in
            #expect(decoder.quantity(meterPosition: 0) == ExactDecimal(7))
        }
        #expect(reason == nil)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

/// Values that Postgres could not store as keys are rejected at decode, so they never stall a flush.
@Suite struct StorableKeyTests {
    @Test func aSubjectWithNULOrTooLongIsRejected() {
        #expect(DecoderFixture.decode(DecoderFixture.event(subject: #""a\u0000b""#)) == .missingAttribute("subject"))
        let long = String(repeating: "x", count: EventDecoder.maximumSubjectBytes + 1)
        #expect(DecoderFixture.decode(DecoderFixture.event(subject: "\"\(long)\"")) == .missingAttribute("subject"))
        let fits = String(repeating: "x", count: EventDecoder.maximumSubjectBytes)
        #expect(DecoderFixture.decode(DecoderFixture.event(subject: "\"\(fits)\"")) == nil)
    }

    @Test func overlongDimensionsOrUniqueValuesAreBadValues() {
        let long = String(repeating: "m", count: EventDecoder.maximumValueBytes + 1)
        #expect(DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":1,"model":"\#(long)"}"#))
                == .badValue(path: "$.model"))
        #expect(DecoderFixture.decode(DecoderFixture.event(type: "login", data: #"{"user":"\#(long)"}"#))
                == .badValue(path: "$.user"))
        #expect(DecoderFixture.decode(DecoderFixture.event(type: "login", data: #"{"user":"a\u0000"}"#))
                == .badValue(path: "$.user"))
    }
}
