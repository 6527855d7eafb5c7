import Foundation
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeUpstream
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge profiles bundle | verify` and `receive bundle publish | list`, run as a profile
/// authority and a receiver's operator would.
@Suite("profile bundle commands", .serialized, .childProcesses)
struct ProfilesBundleCommandTests {
    typealias Run = (status: Int32, stdout: String, stderr: String)

    static func scanbridge(_ arguments: String...) async throws -> Run {
        try await ConsumerTestSupport.run(arguments)
    }

    /// An authority key (private, and its public JWK as keygen prints it) and two profile files.
    struct Authority {
        var directory: String
        var key: String
        var publicKey: String
        var kid: String
        var files: [String]
        var names: [String]

        static func make(_ label: String) async throws -> Authority {
            let directory = TestSupport.temporaryDirectory(label)
            let key = directory + "/authority.jwk"
            let keygen = try await scanbridge("keygen", "--out", key)
            #expect(keygen.status == 0, "\(keygen.stderr)")
            let lines = keygen.stdout.split(separator: "\n")
            let publicKey = directory + "/authority.pub.jwk"
            try String(lines[0]).write(toFile: publicKey, atomically: true, encoding: .utf8)
            var files: [String] = []
            var names: [String] = []
            var seen: Set<String> = []
            for profile in try ProfileCatalog.load(directories: []).profiles where seen.insert(profile.id).inserted {
                let file = directory + "/\(profile.id).json"
                try profile.document.serialized(sortingKeys: true).write(
                    toFile: file, atomically: true, encoding: .utf8)
                files.append(file)
                names.append(profile.name)
                if files.count == 2 { break }
            }
            return Authority(
                directory: directory, key: key, publicKey: publicKey,
                kid: String(lines[1].dropFirst("kid: ".count)), files: files, names: names)
        }

        func bundle(version: Int, out: String? = nil) async throws -> (run: Run, path: String) {
            let path = out ?? directory + "/fleet-\(version).jws"
            let run = try await ConsumerTestSupport.run(
                ["profiles", "bundle", "--key", key, "--name", "fleet", "--version", "\(version)"] + files + [
                    "--out", path,
                ])
            return (run, path)
        }
    }

    @Test("a bundle of linted profiles is written as one signed line, and verify names its profiles and signer")
    func bundleAndVerify() async throws {
        let authority = try await Authority.make("bundle-verify")
        let (built, path) = try await authority.bundle(version: 1)
        #expect(built.status == 0, "\(built.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n") && text.dropLast().split(separator: "\n").count == 1)
        #expect(text.split(separator: ".").count == 3)

        let verified = try await Self.scanbridge("profiles", "verify", "--trust", authority.publicKey, path)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(
            verified.stdout
                == "ok \(path) fleet@1, 2 profiles (\(authority.names.joined(separator: ", "))), signed by \(authority.kid)\n"
        )
        let payload = try CompactJWS.verify(
            text, type: ProfileBundle.jwsType, trusted: try TrustedKeys.load(path: authority.publicKey)
        ).payload
        let parsed = try ProfileBundle.parse(payload)
        #expect(parsed.name == "fleet" && parsed.version == 1 && parsed.profiles.map(\.name) == authority.names)
    }

    @Test("a profile that does not lint is named with its member, exits 1 and writes nothing")
    func lintFailure() async throws {
        let authority = try await Authority.make("bundle-lint")
        let bad = authority.directory + "/bad.json"
        var document = try String(contentsOfFile: authority.files[0], encoding: .utf8)
        document = "{\"colour\": \"red\", " + document.dropFirst()
        try document.write(toFile: bad, atomically: true, encoding: .utf8)
        let out = authority.directory + "/never.jws"
        let run = try await Self.scanbridge(
            "profiles", "bundle", "--key", authority.key, "--name", "fleet", "--version", "1", authority.files[1], bad,
            "--out", out)
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(bad): /colour: unknown member"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        let badName = try await Self.scanbridge(
            "profiles", "bundle", "--key", authority.key, "--name", "fleet one", "--version", "1", authority.files[0],
            "--out", out)
        #expect(badName.status == 1 && badName.stderr.contains("--name:"), "\(badName.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("verify refuses an unknown key, a tampered byte, another typ and an invalid profile, each on one line")
    func verifyRefuses() async throws {
        let authority = try await Authority.make("bundle-refuse")
        let (built, path) = try await authority.bundle(version: 1)
        #expect(built.status == 0, "\(built.stderr)")
        let jws = try String(contentsOfFile: path, encoding: .utf8).trimmingWhitespace()

        func verify(_ text: String, trust: String = authority.publicKey) async throws -> Run {
            let file = authority.directory + "/candidate.jws"
            try (text + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            return try await Self.scanbridge("profiles", "verify", "--trust", trust, file)
        }
        func expectRefused(_ run: Run, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(run.status == 1 && run.stdout.isEmpty, "\(run)", sourceLocation: sourceLocation)
            #expect(run.stderr.contains(reason), "\(run.stderr)", sourceLocation: sourceLocation)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        }

        let other = try await Authority.make("bundle-other")
        expectRefused(try await verify(jws, trust: other.publicKey), "unknown key")

        var parts = jws.split(separator: ".").map(String.init)
        var payload = Array(parts[1])
        let middle = payload.count / 2
        payload[middle] = payload[middle] == "A" ? "B" : "A"
        parts[1] = String(payload)
        expectRefused(try await verify(parts.joined(separator: ".")), "does not match")

        let key = try SigningKey.load(path: authority.key)
        let bytes = try CompactJWS.unverifiedPayload(of: jws, type: ProfileBundle.jwsType)
        expectRefused(try await verify(try CompactJWS.sign(bytes, with: key, type: "JWT")), "typ must be")

        let invalid = ProfileBundle.document(
            name: "fleet", version: 2, createdAt: .now(), profiles: [.object(JSONObject([("id", .string("x"))]))])
        expectRefused(
            try await verify(try CompactJWS.sign(invalid, with: key, type: ProfileBundle.jwsType)),
            "profile bundle: /profiles/0")
        expectRefused(try await verify("not a bundle"), "malformed")
    }

    @Test("SQLite: receive bundle publish keeps every version, refuses one not greater, and list shows them")
    func publishSQLite() async throws {
        let authority = try await Authority.make("bundle-publish")
        try await Self.publish(authority, store: authority.directory + "/receiver.sqlite")
    }

    @Test(
        "PostgreSQL: receive bundle publish keeps every version, refuses one not greater, and list shows them",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func publishPostgres() async throws {
        let authority = try await Authority.make("bundle-publish-pg")
        try await Self.publish(authority, store: try await PostgresTestSupport.freshDatabase("bundles"))
    }

    static func publish(_ authority: Authority, store: String) async throws {
        let empty = try await scanbridge("receive", "bundle", "list", "--store", store)
        #expect(empty.status == 0 && empty.stdout.contains("no bundle published"), "\(empty)")
        let (_, v1) = try await authority.bundle(version: 1)
        let (_, v2) = try await authority.bundle(version: 2)
        let sha1 = BatchBody.sha256Hex(Array(try String(contentsOfFile: v1, encoding: .utf8).trimmingWhitespace().utf8))

        let first = try await scanbridge("receive", "bundle", "publish", "--store", store, v1)
        #expect(first.status == 0 && first.stdout == "published fleet@1 (sha256 \(sha1))\n", "\(first)")
        let second = try await scanbridge("receive", "bundle", "publish", "--store", store, v2)
        #expect(second.status == 0 && second.stdout.hasPrefix("published fleet@2 (sha256 "), "\(second)")
        for stale in [v2, v1] {
            let refused = try await scanbridge("receive", "bundle", "publish", "--store", store, stale)
            #expect(refused.status == 1 && refused.stdout.isEmpty, "\(refused)")
            #expect(refused.stderr.contains("not greater than the current bundle fleet@2"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--version 3"), "\(refused.stderr)")
        }
        let junk = authority.directory + "/junk.jws"
        try "a.b.c\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let malformed = try await scanbridge("receive", "bundle", "publish", "--store", store, junk)
        #expect(malformed.status == 1 && malformed.stderr.contains("not a well-formed profile bundle"), "\(malformed)")

        let listed = try await scanbridge("receive", "bundle", "list", "--store", store, "--json")
        #expect(listed.status == 0, "\(listed.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let bundles = try #require(json["bundles"] as? [[String: Any]])
        #expect(bundles.compactMap { $0["version"] as? Int } == [2, 1])
        #expect(bundles.compactMap { $0["current"] as? Bool } == [true, false])
        #expect(bundles.last?["sha256"] as? String == sha1)
    }
}
