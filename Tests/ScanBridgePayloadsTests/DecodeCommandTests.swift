import ScanBridgePayloadCommands
import ScanBridgePayloads
import Testing

@Suite("decode command output")
struct DecodeCommandTests {
    @Test("Barcode JSON has the issue's keys, in its order")
    func barcodeJSON() {
        let decoding = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "17260101")
        let json = DecodeOutput.json(decoding)
        #expect(
            json.hasPrefix(
                #"{"aim": "]C1", "symbology": "gs1-128", "gs1": true, "elements": [{"ai": "01", "title": "GTIN", "value": "09501101530003"}, {"ai": "3103", "title": "NET WEIGHT (kg)", "value": "001234", "decimal": "1.234", "unit": "KGM"}, {"ai": "17", "title": "USE BY or EXPIRY", "value": "260101", "date": "2026-01-01"}], "gtin": "09501101530003", "errors": []"#
            ))
    }

    @Test("EPC JSON has the issue's keys, in its order")
    func epcJSON() {
        let json = DecodeOutput.json(EPCDecoder.decode(hex: "3074257BF7194E4000001A85"))
        #expect(
            json.hasPrefix(
                #"{"scheme": "sgtin-96", "filter": 3, "uri": "urn:epc:id:sgtin:0614141.812345.6789", "tag_uri": "urn:epc:tag:sgtin-96:3.0614141.812345.6789", "gtin": "80614141123458", "serial": "6789""#
            ))
    }

    @Test("Invalid input still says why in JSON; GS is escaped")
    func invalidJSON() {
        let json = DecodeOutput.json(BarcodeDecoder.decode("]C10109501101530003" + "10A\u{1D}17260132"))
        #expect(json.contains(#""errors": ["AI (17): day 32 is not a date"]"#))
        #expect(json.contains(#"A\u001d17260132"#))
    }

    @Test("Textual stand-ins for GS on the command line")
    func standIns() {
        for standIn in ["\\x1D", "\\x1d", "<GS>", "^]", "{GS}", "\\u001D", "\u{241D}"] {
            #expect(DecodeCommand.replacingSeparatorStandIns("10A\(standIn)21B") == "10A\u{1D}21B")
        }
    }

    @Test("Human-readable text: the parenthesised form plus one line per element")
    func text() {
        let text = DecodeOutput.text(BarcodeDecoder.decode("]C10109501101530003" + "3103001234"))
        #expect(
            text == """
                ]C1 gs1-128 GS1 element-string
                (01)09501101530003(3103)001234
                (01) GTIN: 09501101530003
                (3103) NET WEIGHT (kg): 001234 = 1.234 KGM
                GTIN 09501101530003
                """)
    }
}
