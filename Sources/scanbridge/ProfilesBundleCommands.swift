import ArgumentParser
import FoundationEssentials
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeUpstream
import ScanBridgeWire

/// `scanbridge profiles bundle`: a profile authority signs a set of profile files as one
/// versioned bundle, so a fix reaches a whole fleet with proof of where it came from.
struct ProfilesBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Sign profile files as one versioned profile bundle (a compact JWS).",
        discussion: """
            Each FILE is linted as `profiles check` does; any failure names the file and the member and \
            nothing is written. The key is a profile authority's private JWK (`scanbridge keygen --out FILE`), \
            never an agent's. Publish the result with `scanbridge receive bundle publish --store … BUNDLE.jws`.
            """)

    @Option(name: .long, help: "The profile authority's private JWK (mode 0600).")
    var key: String

    /// Unconditional: a name may begin with a dash.
    @Option(name: .long, parsing: .unconditional, help: "Bundle name: letters, digits, '.', '_' or '-'.")
    var name: String

    @Option(name: .long, help: "Bundle version: an integer ≥ 1, greater than the one published now.")
    var version: Int

    @Option(name: .long, help: "Where to write the bundle (one line; public, mode 0644 is fine).")
    var out: String

    @Argument(help: "Profile files, as profiles.d holds them.")
    var files: [String]

    func validate() throws {
        guard version >= 1 else { throw ValidationError("--version must be an integer ≥ 1") }
        guard !files.isEmpty else { throw ValidationError("give at least one profile FILE") }
    }

    func run() throws {
        var documents: [JSONValue] = []
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                StandardError.write("scanbridge: error: \(file): cannot read the profile file\n")
                failed = true
                continue
            }
            do { documents.append(try ProfileParser.parse(Array(data), source: file).document) } catch {
                StandardError.write("scanbridge: error: \(error.description)\n")
                failed = true
            }
        }
        if failed {
            Failure("no bundle written: fix the profile files above (`scanbridge profiles check FILE`)").exit()
        }
        let payload = ProfileBundle.document(
            name: name, version: version, createdAt: .now(), profiles: documents)
        do { _ = try ProfileBundle.parse(payload) } catch { Failure(Self.explain(error, files: files)).exit() }
        let signingKey: SigningKey
        do { signingKey = try SigningKey.load(path: key) } catch { Failure(error.description).exit() }
        let jws: String
        do { jws = try CompactJWS.sign(payload, with: signingKey, type: ProfileBundle.jwsType) } catch {
            Failure("cannot sign with \(key): \(error)").exit()
        }
        do { try Data((jws + "\n").utf8).write(to: URL(fileURLWithPath: out)) } catch {
            Failure("\(out): cannot write the bundle (\(error))").exit()
        }
        print("wrote \(out): bundle \(name)@\(version), \(Self.count(documents.count)), signed by \(signingKey.kid)")
    }

    /// A problem of the bundle as a whole, named by the option or file it comes from.
    static func explain(_ error: ProfileLoadError, files: [String]) -> String {
        let parts = error.pointer.split(separator: "/")
        if parts.first == "profiles", parts.count > 1, let index = Int(parts[1]), files.indices.contains(index) {
            return "\(files[index]): \(error.message)"
        }
        switch parts.first {
        case "bundle": return "--name: \(error.message)"
        case "version": return "--version: \(error.message)"
        default: return error.description
        }
    }

    static func count(_ profiles: Int) -> String { profiles == 1 ? "1 profile" : "\(profiles) profiles" }
}

/// `scanbridge profiles verify`: what an agent checks before it uses a bundle, for the
/// authority (before publishing) or an operator (after fetching one).
struct ProfilesVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a profile bundle's signature against the authority's key, and every profile in it.")

    @Option(name: .long, help: "The profile authority's public key: a JWK or a JWKS file.")
    var trust: String

    @Argument(help: "The bundle (a compact JWS, as `profiles bundle` writes it).")
    var bundle: String

    func run() throws {
        let trusted: TrustedKeys
        do { trusted = try TrustedKeys.load(path: trust) } catch { Failure(error.description).exit() }
        guard let data = FileManager.default.contents(atPath: bundle) else {
            Failure("\(bundle): cannot read the bundle file").exit()
        }
        let verified: (payload: [UInt8], kid: String)
        do {
            verified = try CompactJWS.verify(
                String(decoding: data, as: UTF8.self), type: ProfileBundle.jwsType, trusted: trusted)
        } catch {
            Failure("\(bundle): \(error) — \(Self.advice(error, trust: trust))").exit()
        }
        let parsed: ProfileBundle
        do { parsed = try ProfileBundle.parse(verified.payload) } catch {
            Failure("\(bundle): signed by \(verified.kid), but \(error.description)").exit()
        }
        let members = parsed.profiles.map(\.name).joined(separator: ", ")
        print(
            "ok \(bundle) \(parsed.name)@\(parsed.version), \(ProfilesBundleCommand.count(parsed.profiles.count)) (\(members)), signed by \(verified.kid)"
        )
    }

    static func advice(_ error: DetachedJWS.Failure, trust: String) -> String {
        switch error {
        case .unknownKey: "\(trust) does not hold the key that signed it; is it the profile authority's public key?"
        case .badSignature: "the bundle was changed after it was signed; get it again from its authority"
        case .malformed: "not a profile bundle as `scanbridge profiles bundle` writes it"
        }
    }
}
