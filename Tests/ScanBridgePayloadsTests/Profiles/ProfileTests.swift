import ScanBridgePayloads
import Testing

@Suite("Profiles")
struct ProfileTests {
    @Test(
        "exact decimals keep the device's digits and convert only by exact powers of ten",
        arguments: [
            ("12.500", 0, "12.500"), ("12.5", 0, "12.5"), ("0", 0, "0"), ("250", -3, "0.250"), ("1.5e2", 0, "150"),
            ("1.50E-1", 0, "0.150"), ("-3.25", 2, "-325"), ("007.10", 0, "7.10"), ("5", 2, "500"),
            ("0.001", -3, "0.000001"),
        ])
    func plainDecimal(input: String, shift: Int, expected: String) {
        #expect(PayloadNormalisation.plainDecimal(input, shift: shift) == expected)
    }

    @Test("non-numbers and huge exponents are refused, never approximated")
    func plainDecimalRefusals() {
        for bad in ["", "abc", "1.2.3", "1e99999", ".5", "1,5", "0x10"] {
            #expect(PayloadNormalisation.plainDecimal(bad) == nil, "\(bad)")
        }
    }

    @Test("firmware ranges compare versions component by component")
    func firmware() throws {
        let range = try #require(FirmwareRequirement(">=2.0 <3.0"))
        #expect(range.isSatisfied(by: "2.0") && range.isSatisfied(by: "2.10") && range.isSatisfied(by: "2.9.1"))
        #expect(!range.isSatisfied(by: "1.9") && !range.isSatisfied(by: "3.0") && !range.isSatisfied(by: nil))
        #expect(try #require(FirmwareRequirement("1.4")).isSatisfied(by: "1.4.0"))
        #expect(try #require(FirmwareRequirement("!=1.4")).isSatisfied(by: "1.5"))
        #expect(FirmwareRequirement(">=") == nil && FirmwareRequirement("") == nil)
    }

    @Test("a profile with an unknown member, a bad unit or an unsupported schema keyword is refused with its pointer")
    func parserErrors() {
        func error(_ json: String) -> String? {
            do {
                _ = try ProfileParser.parse(Array(json.utf8), source: "p.json")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"id":"a","version":1,"colour":"red"}"#)?.contains("/colour") == true)
        #expect(error(#"{"id":"a","version":0}"#)?.contains("/version") == true)
        #expect(error(#"{"id":"a","version":1,"match":{"firmware":">="}}"#)?.contains("/match/firmware") == true)
        #expect(
            error(#"{"id":"a","version":1,"normalise":{"fields":{"q":{"value":"/q","unit":"kilograms"}}}}"#)?
                .contains("/normalise/fields/q/unit") == true)
        #expect(
            error(#"{"id":"a","version":1,"schema":{"properties":{"x":{"unevaluatedProperties":false}}}}"#)?
                .contains("/schema") == true)
        #expect(error(#"{"id":"a","version":2,"decoder":"json","match":{"vendor_id":"1a86"}}"#) == nil)
    }

    @Test("feedback bytes: hex per signal, refused when empty, not hex or of an unknown signal")
    func feedback() throws {
        let profile = try ProfileParser.parse(
            Array(#"{"id":"a","version":1,"feedback":{"error":"1B07","ok":"07"}}"#.utf8), source: "p.json")
        #expect(profile.feedback == DeviceProfile.Feedback(error: [0x1B, 0x07], ok: [0x07]))
        for bad in [#"{"error":""}"#, #"{"error":"zz"}"#, #"{"beep":"07"}"#, #""07""#] {
            #expect(throws: ProfileLoadError.self) {
                try ProfileParser.parse(Array(#"{"id":"a","version":1,"feedback":\#(bad)}"#.utf8), source: "p.json")
            }
        }
    }

    @Test("the built-in Chafon answer-mode profile beeps three times on a held payload: a valid 0x33 frame")
    func chafonFeedbackFrame() throws {
        let chafon = try #require(try BuiltInProfiles.all().first { $0.id == "chafon-uhfreader18" })
        let frame = ChafonFrame.command(address: 0xFF, command: 0x33, data: [0x02, 0x02, 0x03])
        #expect(chafon.feedback?.error == frame)
        #expect(chafon.feedback?.ok == nil)
    }

    @Test("normalisation builds data from pointers; a missing pointer or unmapped unit is a failure, not half data")
    func normalisation() throws {
        let profile = try ProfileParser.parse(
            Array(
                #"{"id":"s","version":1,"decoder":"json","normalise":{"fields":{"len":{"value":"/l","unit":"/u","units":{"cm":{"to":"MTR","shift":-2}}},"w":{"value":"/w","unit":"KGM"},"sku":{"value":"/sku"}}}}"#
                    .utf8), source: "s")
        let interpreter = PayloadInterpreter(profile: profile)
        guard
            case .accepted(let data, _) = interpreter.interpret(Array(#"{"l":"150","u":"cm","w":2.50,"sku":"A"}"#.utf8))
        else {
            Issue.record("rejected")
            return
        }
        #expect(
            data.serialized() == #"{"len":{"value":"1.50","unit":"MTR"},"w":{"value":"2.50","unit":"KGM"},"sku":"A"}"#)
        guard case .rejected(let code, _, _) = interpreter.interpret(Array(#"{"l":"1","u":"in","w":1,"sku":"A"}"#.utf8))
        else {
            Issue.record("an unmapped unit was accepted")
            return
        }
        #expect(code == "normalise")
        guard case .rejected(let missing, _, _) = interpreter.interpret(Array(#"{"l":"1","u":"cm","sku":"A"}"#.utf8))
        else {
            Issue.record("a missing pointer was accepted")
            return
        }
        #expect(missing == "normalise")
    }
}
