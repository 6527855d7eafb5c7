import Testing

@testable import ScanBridgePayloads

/// The AI table is generated as compact text and parsed at first use; these entries were
/// checked against the struct literals the generator wrote before (release 2026-01-27).
@Suite("Application Identifier table")
struct ApplicationIdentifierTableTests {
    @Test("all 541 AIs of the syntax dictionary parse, each once")
    func count() {
        let all = ApplicationIdentifierDefinition.all
        #expect(all.count == 541)
        #expect(Set(all.map(\.ai)).count == 541)
    }

    @Test("fields survive the compact form: components, optional parts, linters, requires, excludes, Digital Link keys")
    func entries() throws {
        let gtin = try #require(ApplicationIdentifierDefinition.named("01"))
        #expect(gtin.title == "GTIN")
        #expect(gtin.predefinedLength && gtin.digitalLinkAttribute && gtin.digitalLinkPrimaryKey)
        #expect(
            gtin.components == [
                AIComponentSpec(.numeric, 14, 14, optional: false, linters: [.checkDigit, .companyPrefixAfterFirst])
            ])
        #expect(gtin.excludes == ["255", "37"])
        #expect(gtin.digitalLinkQualifiers == [["22", "10", "21"], ["235"]])

        let harvest = try #require(ApplicationIdentifierDefinition.named("7007"))
        #expect(!harvest.predefinedLength && harvest.digitalLinkAttribute && !harvest.digitalLinkPrimaryKey)
        #expect(
            harvest.components == [
                AIComponentSpec(.numeric, 6, 6, optional: false, linters: [.dateYYMMDD]),
                AIComponentSpec(.numeric, 6, 6, optional: true, linters: [.dateYYMMDD]),
            ])
        #expect(harvest.requires == [[["01"], ["02"]]])

        let grai = try #require(ApplicationIdentifierDefinition.named("8003"))
        #expect(
            grai.components == [
                AIComponentSpec(.numeric, 1, 1, optional: false, linters: [.zero]),
                AIComponentSpec(.numeric, 13, 13, optional: false, linters: [.checkDigit, .companyPrefixAtStart]),
                AIComponentSpec(.cset82, 1, 16, optional: true, linters: []),
            ])
        #expect(grai.requires.isEmpty && grai.excludes.isEmpty)
        #expect(ApplicationIdentifierDefinition.named("4321")?.requires == [[["00"]]])
    }
}
