import ArgumentParser
import ScanBridgeUpstream

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 signing key: private JWK written mode 0600; public JWK and kid printed.")

    @Option(name: .long, help: "Where to write the private JWK (must not exist).")
    var out: String

    func run() throws {
        let key = SigningKey()
        do { try key.write(to: out) } catch { Failure(error.description).exit() }
        print(key.publicJWK.json)
        print("kid: \(key.kid)")
    }
}
