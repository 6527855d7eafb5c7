import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeDevices
import ScanBridgeUpstream
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> AgentConfiguration {
        let path = TestSupport.temporaryDirectory("config") + "/scanbridge.yaml"
        try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigurationLoader.load(path: path, environment: ["HOME": "/home/op"].merging(environment) { $1 })
    }

    @Test("the contract's example config loads")
    func contractExample() throws {
        let configuration = try load(
            """
            state_dir: /var/lib/scanbridge
            signing_key: /var/lib/scanbridge/signing-key.jwk
            upstream:
              url: https://finance.example/v1/scan-batches
            devices:
              - path: /dev/ttyS0
                framing: lines
                baud: 9600
            """)
        #expect(configuration.stateDirectory == "/var/lib/scanbridge")
        #expect(configuration.signingKeyPath == "/var/lib/scanbridge/signing-key.jwk")
        #expect(configuration.upstream?.url == "https://finance.example/v1/scan-batches")
        #expect(configuration.upstream?.batchLimits.maxEvents == 500)
        #expect(configuration.upstream?.batchLimits.maxBytes == 262_144)
        #expect(configuration.upstream?.batchLimits.maxAgeMilliseconds == 1000)
        #expect(configuration.upstream?.timeoutMilliseconds == 30_000)
        #expect(configuration.devices == [.init(path: "/dev/ttyS0", framing: .lines, baud: 9600)])
    }

    @Test("no config at all: defaults under the XDG state directory, key beside the database")
    func defaults() throws {
        let configuration = try ConfigurationLoader.load(path: nil, environment: ["XDG_STATE_HOME": "/tmp/xdg"])
        if geteuid() != 0 || !FileManager.default.fileExists(atPath: "/etc/scanbridge") {
            #expect(configuration.stateDirectory == "/tmp/xdg/scanbridge")
            #expect(configuration.signingKeyPath == "/tmp/xdg/scanbridge/signing-key.jwk")
        }
        #expect(configuration.upstream == nil && configuration.devices.isEmpty)
    }

    @Test("unknown keys and bad values are errors naming the key")
    func errorsNameTheKey() {
        #expect(throws: ConfigurationError.self) { try load("upstream:\n  url: http://x/\n  batch_max_evnts: 5\n") }
        do {
            _ = try load("upstream:\n  url: http://x/\n  batch_max_evnts: 5\n")
        } catch {
            #expect(error.key == "upstream.batch_max_evnts")
            #expect(error.message.contains("batch_max_events"))
        }
        do {
            _ = try load("devices:\n  - path: /dev/ttyS0\n    baud: 9601\n")
        } catch {
            #expect(error.key == "devices[0].baud")
        }
        do {
            _ = try load("upstream:\n  url: ftp://x/\n")
        } catch {
            #expect(error.key == "upstream.url")
        }
        do {
            _ = try load("state_dir: relative/path\n")
        } catch {
            #expect(error.key == "state_dir")
        }
    }

    @Test("SCANBRIDGE_* environment overrides the file; an unknown one is an error")
    func environment() throws {
        let configuration = try load(
            "upstream:\n  url: http://a/\n",
            environment: [
                "SCANBRIDGE_UPSTREAM_URL": "http://b/v1/scan-batches", "SCANBRIDGE_UPSTREAM_BATCH_MAX_EVENTS": "7",
            ])
        #expect(configuration.upstream?.url == "http://b/v1/scan-batches")
        #expect(configuration.upstream?.batchLimits.maxEvents == 7)
        #expect(throws: ConfigurationError.self) { try load("", environment: ["SCANBRIDGE_UPSTREAM_ULR": "x"]) }
    }

    @Test("reader devices: framing, line format and deduplication window; the framing picks the built-in profile")
    func readerDevices() throws {
        let configuration = try load(
            """
            devices:
              - path: /dev/ttyUSB0
                framing: mercury
              - path: /dev/ttyUSB1
                framing: chafon
                baud: 57600
                parity: even
                stop_bits: 2
                dedup_window_ms: 500
              - path: /dev/ttyS1
                framing: stx-hex-xor
            """)
        #expect(configuration.devices.map(\.framing) == [.mercury, .chafon, .stxHexXor])
        #expect(configuration.devices.map(\.profileID) == ["thingmagic-mercury", "chafon-uhfreader18", "em4100-ascii"])
        #expect(configuration.devices[0].dedupWindowMilliseconds == 2000)
        #expect(configuration.devices[1].dedupWindowMilliseconds == 500)
        #expect(configuration.devices[1].parity == .even)
        #expect(configuration.devices[1].stopBits == 2)
        do {
            _ = try load("devices:\n  - path: /dev/ttyS0\n    parity: mark\n")
            Issue.record("parity mark accepted")
        } catch {
            #expect(error.key == "devices[0].parity")
            #expect(error.message.contains("even"))
        }
    }

    @Test("a framing that contradicts the profile, or a broken line pattern, stops the start and names the device")
    func readerProfileMismatch() throws {
        let directory = TestSupport.temporaryDirectory("profiles")
        try
            #"{"id": "bad-pattern", "version": 1, "framing": "lines", "decoder": "epc", "reader": {"pattern": "(?<epc>[0-9A-F"}}"#
            .write(toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
        let state = TestSupport.temporaryDirectory("state")
        var configuration = AgentConfiguration(stateDirectory: state)
        var device = AgentConfiguration.SerialDevice(path: "/dev/ttyS0", framing: .chafon)
        device.profile = "thingmagic-mercury"
        configuration.devices = [device]
        #expect {
            _ = try Agent(configuration: configuration, logger: .init(label: "test"))
        } throws: { error in
            (error as? ConfigurationError)?.key == "devices[0].framing"
        }
        device.framing = nil
        device.profile = "bad-pattern"
        configuration.devices = [device]
        configuration.profileDirectories = [directory]
        #expect {
            _ = try Agent(configuration: configuration, logger: .init(label: "test"))
        } throws: { error in
            (error as? ConfigurationError)?.key == "devices[0].profile"
                && "\(error)".contains("bad-pattern@1")
        }
    }
}
