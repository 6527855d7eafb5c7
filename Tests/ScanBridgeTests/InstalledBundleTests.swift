import Foundation
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// What the agent does with a bundle it fetched: verify, refuse going back, keep it across a
/// restart, and let the operator's own files win.
@Suite("Installed profile bundle", .temporaryDirectory)
struct InstalledBundleTests {
    let authority = SigningKey()

    func bundle(version: Int, profileVersion: Int = 2) throws -> String {
        let profile = JSONValue.object([
            "id": .string("acme-scale"), "version": .number(JSONNumber(profileVersion)), "decoder": .string("json"),
        ])
        return try CompactJWS.sign(
            ProfileBundle.document(name: "scales", version: version, createdAt: .now(), profiles: [profile]),
            with: authority, type: ProfileBundle.jwsType)
    }

    @Test("only a greater version replaces the bundle in force; the same document again is no change")
    func versions() throws {
        let trusted = TrustedKeys([authority.publicJWK])
        let two = try InstalledBundle.verify(try bundle(version: 2), trusted: trusted)
        #expect(try two.admits(InstalledBundle.verify(try bundle(version: 3), trusted: trusted)))
        #expect(try !two.admits(two))
        #expect(throws: InstalledBundle.Refusal.rollback(installed: "scales@2", offered: "scales@1")) {
            try two.admits(InstalledBundle.verify(try bundle(version: 1), trusted: trusted))
        }
    }

    @Test("stored in the state directory and verified again when read; an untrusted authority sets it aside")
    func storage() throws {
        let directory = TestSupport.temporaryDirectory("bundle")
        let trusted = TrustedKeys([authority.publicJWK])
        try InstalledBundle.verify(try bundle(version: 4), trusted: trusted).save(stateDirectory: directory)
        #expect(try InstalledBundle.load(stateDirectory: directory, trusted: trusted)?.bundle.version == 4)
        #expect(throws: InstalledBundle.Refusal.self) {
            try InstalledBundle.load(stateDirectory: directory, trusted: TrustedKeys([SigningKey().publicJWK]))
        }
        #expect(try InstalledBundle.load(stateDirectory: directory + "/none", trusted: trusted) == nil)
    }

    @Test("the bundle's profiles join the catalog; an operator's file for the same id sets the bundle's aside")
    func operatorWins() throws {
        let directory = TestSupport.temporaryDirectory("profiles")
        let installed = try InstalledBundle.verify(try bundle(version: 1), trusted: TrustedKeys([authority.publicJWK]))
        let withBundle = try ProfileCatalog.load(directories: [], bundle: installed.bundle)
        #expect(withBundle.resolve(id: "acme-scale", firmware: nil)?.source == "bundle scales@1")
        try #"{"id": "acme-scale", "version": 1, "decoder": "json"}"#.write(
            toFile: directory + "/acme.json", atomically: true, encoding: .utf8)
        let withFile = try ProfileCatalog.load(directories: [directory], bundle: installed.bundle)
        #expect(withFile.resolve(id: "acme-scale", firmware: nil)?.source == directory + "/acme.json")
        #expect(!withFile.profiles.contains { $0.source == "bundle scales@1" })
    }
}
