import Foundation
import ScanBridgeAgent
import ScanBridgePayloads
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge profiles`: what an operator uses to start a profile of their own from a
/// built-in one, and what the Debian package ships in /usr/share/scanbridge/profiles.
@Suite("profiles command", .serialized, .childProcesses)
struct ProfilesCommandTests {
    @Test(
        "every built-in profile exports with show --json to a file that profiles check accepts and that loads as the same profile"
    )
    func exportBuiltIns() async throws {
        let directory = TestSupport.temporaryDirectory("profiles-export")
        let exported = directory + "/profiles"
        try FileManager.default.createDirectory(atPath: exported, withIntermediateDirectories: true)
        let builtIn = directory + "/builtin.yaml"
        try "profile_dirs: []\n".write(toFile: builtIn, atomically: true, encoding: .utf8)
        let ids = try ProfileCatalog.load(directories: []).profiles.map(\.id)
        #expect(ids.contains("zebra-usb"))

        let failures = await TestSupport.onThreadValue { () -> [String] in
            var failures: [String] = []
            for id in Set(ids) {
                guard
                    let show = try? AuditCommandTests.scanbridge([
                        "profiles", "show", id, "--json", "--config", builtIn,
                    ]),
                    show.status == 0, show.output.hasPrefix("{")
                else {
                    failures.append("\(id): show --json failed")
                    continue
                }
                let file = exported + "/\(id).json"
                try? show.output.write(toFile: file, atomically: true, encoding: .utf8)
                guard let check = try? AuditCommandTests.scanbridge(["profiles", "check", file]), check.status == 0
                else {
                    failures.append("\(id): profiles check refused the export")
                    continue
                }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures)")

        let reloaded = try ProfileCatalog.load(directories: [exported])
        for profile in try ProfileCatalog.load(directories: []).profiles {
            let copy = try #require(reloaded.profiles.first { $0.id == profile.id && $0.version == profile.version })
            #expect(copy.source.hasPrefix(exported), "the exported file replaces the built-in \(profile.id)")
            #expect(copy.document == profile.document)
            #expect(copy.match.vendorID == profile.match.vendorID)
            #expect(copy.framing == profile.framing && copy.decoderName == profile.decoderName)
        }
    }

    @Test("show names a missing profile and exits non-zero")
    func missing() async throws {
        let result = await TestSupport.onThreadValue {
            try? AuditCommandTests.scanbridge(["profiles", "show", "no-such-profile"])
        }
        #expect(result?.status != 0)
        #expect(result?.output.contains("no profile no-such-profile") == true)
    }
}
