import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeUpstream
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

@Suite("Configuration", .temporaryDirectory)
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
        #expect(configuration.upstream?.batchLimits.lingerMilliseconds == 0)
        #expect(configuration.upstream?.batchLimits.sendAfterMilliseconds == 0, "a lone scan goes at once")
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

    @Test("upstream.compression (gzip unless told) and connect_timeout_ms, from the file and the environment")
    func compressionAndConnectTimeout() throws {
        let defaults = try load("upstream:\n  url: http://a/\n").upstream
        #expect(defaults?.compression == .gzip)
        #expect(defaults?.connectTimeoutMilliseconds == 2000)
        let file = try load("upstream:\n  url: http://a/\n  compression: zstd\n  connect_timeout_ms: 500\n").upstream
        #expect(file?.compression == .zstd)
        #expect(file?.connectTimeoutMilliseconds == 500)
        #expect(try load("upstream:\n  url: http://a/\n  compression: none\n").upstream?.compression == nil)
        let environment = try load(
            "upstream:\n  url: http://a/\n  compression: zstd\n",
            environment: ["SCANBRIDGE_UPSTREAM_COMPRESSION": "none", "SCANBRIDGE_UPSTREAM_CONNECT_TIMEOUT_MS": "750"]
        ).upstream
        #expect(environment?.compression == nil)
        #expect(environment?.connectTimeoutMilliseconds == 750)
        #expect(throws: ConfigurationError.self) { try load("upstream:\n  url: http://a/\n  compression: brotli\n") }
        #expect(throws: ConfigurationError.self) {
            try load("upstream:\n  url: http://a/\n", environment: ["SCANBRIDGE_UPSTREAM_COMPRESSION": "br"])
        }
    }

    @Test("SCANBRIDGE_* environment overrides the file; an unknown one is an error")
    func environment() throws {
        let configuration = try load(
            "upstream:\n  url: http://a/\n  batch_linger_ms: 2000\n  batch_max_age_ms: 300\n",
            environment: [
                "SCANBRIDGE_UPSTREAM_URL": "http://b/v1/scan-batches", "SCANBRIDGE_UPSTREAM_BATCH_MAX_EVENTS": "7",
            ])
        #expect(configuration.upstream?.url == "http://b/v1/scan-batches")
        #expect(configuration.upstream?.batchLimits.maxEvents == 7)
        #expect(configuration.upstream?.batchLimits.sendAfterMilliseconds == 300, "max age bounds the linger")
        #expect(
            try load(
                "upstream:\n  url: http://a/\n", environment: ["SCANBRIDGE_UPSTREAM_BATCH_LINGER_MS": "5"]
            ).upstream?.batchLimits.lingerMilliseconds == 5)
        #expect(throws: ConfigurationError.self) { try load("", environment: ["SCANBRIDGE_UPSTREAM_ULR": "x"]) }
        // The test harness's variables are inherited by the agents tests start, never settings.
        #expect(
            try load("", environment: ["SCANBRIDGE_TEST_POSTGRES_URL": "postgres://scanbridge@127.0.0.1/t"]).upstream
                == nil)
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

    @Test("USB rules: the issue's example loads; keymap, suffix and ids are checked; path and match exclude each other")
    func usbRules() throws {
        let configuration = try load(
            """
            devices:
              - match: {vendor_id: "0c2e", product_id: "0b61"}
                keymap: fr
                suffix: enter
              - match: {vendor_id: "0403", serial: "A10KX3ZB", interface: 0}
                framing: mercury
              - path: /dev/ttyS0
                framing: lines
                baud: 9600
            """)
        #expect(configuration.discovery)
        #expect(configuration.devices == [.init(path: "/dev/ttyS0", framing: .lines, baud: 9600)])
        #expect(configuration.rules.count == 2)
        #expect(configuration.rules[0].match == .init(vendorID: "0c2e", productID: "0b61"))
        #expect(configuration.rules[0].keyboard == .init(keymap: "fr", suffix: .enter))
        #expect(configuration.rules[1].match == .init(vendorID: "0403", serial: "A10KX3ZB", interface: 0))
        #expect(configuration.rules[1].settings.framing == .mercury)

        for (yaml, key) in [
            ("devices:\n  - match: {vendor_id: \"c2e\"}", "devices[0].match.vendor_id"),
            ("devices:\n  - match: {product_id: \"0b61\"}", "devices[0].match.vendor_id"),
            ("devices:\n  - match: {vendor_id: \"0c2e\", model: 1}", "devices[0].match.model"),
            ("devices:\n  - match: {vendor_id: \"0c2e\"}\n    keymap: dvorak", "devices[0].keymap"),
            ("devices:\n  - match: {vendor_id: \"0c2e\"}\n    path: /dev/ttyS0", "devices[0]"),
            ("devices:\n  - path: /dev/ttyS0\n    keymap: fr", "devices[0]"),
            ("discovery: maybe", "discovery"),
            ("devices:\n  - match: {vendor_id: \"1eab\"}\n    transport: usb-vendor", "devices[0].match.interface"),
            (
                "devices:\n  - match: {vendor_id: \"1eab\", interface: 0}\n    transport: hid-pos",
                "devices[0].transport"
            ),
            (
                "devices:\n  - match: {vendor_id: \"1eab\"}\n    detach_kernel_driver: true",
                "devices[0].detach_kernel_driver"
            ),
        ] {
            #expect(throws: ConfigurationError.self, "\(yaml)") { try load(yaml) }
            do { _ = try load(yaml) } catch { #expect(error.key == key, "\(yaml)") }
        }
        let vendor = try load(
            "devices:\n  - match: {vendor_id: \"1eab\", interface: 1}\n    transport: usb-vendor\n    detach_kernel_driver: true"
        )
        #expect(vendor.rules.first?.transport == .usbVendor)
        #expect(vendor.rules.first?.detachKernelDriver == true)
        #expect(try load("discovery: false").discovery == false)
        #expect(try load("", environment: ["SCANBRIDGE_DISCOVERY": "off"]).discovery == false)
    }
}
