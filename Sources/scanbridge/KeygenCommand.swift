import ArgumentParser
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeUpstream
import ScanBridgeWire

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 signing key: private JWK written mode 0600; public JWK and kid printed.",
        discussion: """
            --rotate prepares a new key for the configured agent: it is written beside the current \
            one as <signing_key>.next, and at its next start the agent commits an agent.key_rotated \
            event (the hand-over, signed by both keys) in the last batch signed with the old key, \
            then signs with the new one. Receivers that follow hand-overs need no new enrolment.
            """)

    @Option(name: .long, help: "Where to write the private JWK (must not exist).")
    var out: String?

    @Flag(help: "Start a new key for the agent of --config, with a signed hand-over.")
    var rotate = false

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard (out != nil) != rotate else { throw ValidationError("give either --out FILE or --rotate") }
    }

    func run() throws {
        if let out {
            let key = SigningKey()
            do { try key.write(to: out) } catch { Failure(error.description).exit() }
            print(key.publicJWK.json)
            print("kid: \(key.kid)")
            return
        }
        let path = options.load().signingKeyPath
        let current: SigningKey
        do { current = try SigningKey.load(path: path) } catch {
            Failure("\(error) — --rotate replaces an existing key; start the agent once to create one").exit()
        }
        let next = SigningKey()
        do { try next.write(to: path + ".next") } catch KeyError.alreadyExists {
            Failure("\(path).next exists: a rotation is already prepared; restart the agent to carry it out").exit()
        } catch { Failure(error.description).exit() }
        print(next.publicJWK.json)
        print("kid: \(next.kid)")
        print(
            "prepared: \(path).next replaces \(current.kid) at the agent's next start (sudo systemctl restart scanbridge)"
        )
    }
}
