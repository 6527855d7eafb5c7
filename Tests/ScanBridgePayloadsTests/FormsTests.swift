import Testing

@testable import ScanBridgePayloads

@Suite("Human-readable form, Digital Link, AIM identifiers, plain GTINs")
struct FormsTests {
    @Test("The parenthesised form is accepted and produced")
    func humanReadable() {
        let decoding = BarcodeDecoder.decode("(01)09501101530003(17)260101(10)AB-123")
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.form == .humanReadable)
        #expect(decoding.elements.map(\.ai) == ["01", "17", "10"])
        #expect(decoding.humanReadable == "(01)09501101530003(17)260101(10)AB-123")
    }

    @Test("A parenthesis inside a value is escaped in the human-readable form and read back")
    func humanReadableEscapes() {
        let scanned = BarcodeDecoder.decode("]C10109501101530003" + "10A(B)C")
        #expect(scanned.humanReadable == "(01)09501101530003(10)A\\(B)C")
        let again = BarcodeDecoder.decode(scanned.humanReadable)
        #expect(again.elements == scanned.elements)
    }

    @Test("Human-readable errors")
    func humanReadableErrors() {
        #expect(
            BarcodeDecoder.decode("(01)09501101530003(19)1").problems.map(\.description) == [
                "position 18: (19) is not an Application Identifier"
            ])
    }

    @Test(
        "Digital Link URIs give the same element list",
        arguments: [
            ("https://id.gs1.org/01/09506000134352/10/ABC", "(01)09506000134352(10)ABC"),
            ("https://example.com/some/prefix/01/09506000134352/21/12345", "(01)09506000134352(21)12345"),
            ("HTTP://example.com/01/09506000134352/10/AB%2FC?17=260101", "(01)09506000134352(10)AB/C(17)260101"),
            ("https://id.gs1.org/01/09506000134352?3103=000195&linkType=gs1:pip", "(01)09506000134352(3103)000195"),
            ("https://id.gs1.org/00/106141411234567897", "(00)106141411234567897"),
            ("https://id.gs1.org/414/9506000134352/254/A1#section", "(414)9506000134352(254)A1"),
            ("https://id.gs1.org/01/09506000134352/22/A/10/B/21/C", "(01)09506000134352(22)A(10)B(21)C"),
            // The rightmost key AI is the key; what is left of it is the host's path.
            ("https://id.gs1.org/01/09506000134352/00/106141411234567897", "(00)106141411234567897"),
        ])
    func digitalLink(uri: String, hri: String) {
        let decoding = BarcodeDecoder.decode(uri)
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.form == .digitalLink)
        #expect(decoding.humanReadable == hri)
        #expect(decoding.elements == BarcodeDecoder.decode(hri).elements)
    }

    @Test("Digital Link errors")
    func digitalLinkErrors() {
        #expect(
            BarcodeDecoder.decode("https://example.com/products/123").problems.map(\.description) == [
                "position 19: Digital Link: no GS1 primary key such as /01/ in the path"
            ])
        #expect(
            BarcodeDecoder.decode("https://id.gs1.org/01/09506000134352/10/A%2").problems.map(\.description) == [
                "position 40: Digital Link: bad percent-encoding in the value of AI (10)"
            ])
        #expect(
            BarcodeDecoder.decode("https://id.gs1.org/01/09506000134353").problems.map(\.description) == [
                "AI (01): GTIN check digit is 3, expected 2"
            ])
        #expect(
            BarcodeDecoder.decode("https://id.gs1.org/01/09506000134352/21/1/10/A").problems.map(\.description) == [
                "position 19: Digital Link: qualifiers (21), (10) do not follow key (01) in the order (22), (10), (21) or (235)"
            ])
        #expect(
            BarcodeDecoder.decode("https://id.gs1.org/01/09506000134352/10/A?10=A").problems.map(\.description) == [
                "position 42: Digital Link: AI (10) is a qualifier: it belongs in the path, not the query",
                "position 42: Digital Link: AI (10) appears more than once",
            ])
        let short = BarcodeDecoder.decode("https://id.gs1.org/01/9506000134352")
        #expect(
            short.problems.map(\.description) == [
                "position 19: Digital Link: the GTIN must be written with 14 digits, not 13"
            ])
        #expect(short.gtin == "09506000134352")
        // A URL in a QR code that is not a Digital Link is just data.
        let plain = BarcodeDecoder.decode("]Q1https://example.com/")
        #expect(plain.isValid && !plain.isGS1)
    }

    @Test(
        "AIM symbology identifiers are recognised and stripped",
        arguments: [
            ("]C1", "gs1-128", true), ("]e0", "gs1-databar", true), ("]d2", "gs1-datamatrix", true),
            ("]Q3", "gs1-qr-code", true), ("]J1", "gs1-dotcode", true),
        ])
    func gs1Symbologies(aim: String, name: String, gs1: Bool) {
        let decoding = BarcodeDecoder.decode(aim + "0109501101530003")
        #expect(decoding.symbologyIdentifier?.description == aim)
        #expect(decoding.symbology == name)
        #expect(decoding.isGS1 == gs1)
        #expect(decoding.gtin == "09501101530003")
    }

    @Test("Non-GS1 symbologies carry plain data")
    func otherSymbologies() {
        for (aim, name) in [("]A0", "code-39"), ("]C0", "code-128"), ("]I0", "itf"), ("]d1", "data-matrix")] {
            let decoding = BarcodeDecoder.decode(aim + "ABC-123")
            #expect(decoding.symbology == name)
            #expect(!decoding.isGS1 && decoding.isValid && decoding.elements.isEmpty)
            #expect(decoding.data == "ABC-123")
        }
    }

    @Test(
        "EAN-13, UPC-A, EAN-8 and ITF-14 become GTIN-14",
        arguments: [
            ("]E04006381333931", "04006381333931", "ean-13"), ("]E0036000291452", "00036000291452", "ean-13"),
            ("]E496385074", "00000096385074", "ean-8"), ("4006381333931", "04006381333931", nil),
            ("036000291452", "00036000291452", nil), ("96385074", "00000096385074", nil),
            ("]I110614141123459", "10614141123459", "itf"),
            ("]E3400638133393112", "04006381333931", "ean-upc-with-add-on"),
        ] as [(String, String, String?)])
    func plainGTIN(data: String, gtin: String, symbology: String?) {
        let decoding = BarcodeDecoder.decode(data)
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.gtin == gtin)
        #expect(decoding.symbology == symbology)
        #expect(decoding.elements == [GS1Element(ai: "01", title: "GTIN", value: gtin)])
    }

    @Test("Plain GTIN errors")
    func plainGTINErrors() {
        #expect(
            BarcodeDecoder.decode("]E04006381333932").problems.map(\.description) == [
                "position 15: GTIN check digit is 2, expected 1"
            ])
        #expect(
            BarcodeDecoder.decode("]E4123").problems.map(\.description) == ["GTIN has 3 digits, expected 8"])
        #expect(
            BarcodeDecoder.decode("]E0400638133393X").problems.map(\.description) == [
                "position 15: 'X' is not a digit of a GTIN"
            ])
    }
}
