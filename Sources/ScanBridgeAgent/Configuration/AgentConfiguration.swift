import FoundationEssentials
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeUpstream
import ScanBridgeWire

/// Everything `scanbridge run` needs, after the YAML file, environment overrides and
/// defaults are combined.
public struct AgentConfiguration: Sendable, Equatable {
    /// How a serial device's bytes are cut into payloads: text lines, or a reader protocol.
    public typealias Framing = ScanBridgeReading.Framing

    public struct SerialDevice: Sendable, Equatable {
        public var path: String
        /// `nil`: the profile's framing (plain lines without a profile).
        public var framing: Framing?
        /// `nil`: the profile's line settings, else 9600.
        public var baud: Int?
        public var parity: SerialLineSettings.Parity?
        public var stopBits: Int?
        public var maxLineBytes: Int = 4096
        /// Reads of one tag on one antenna within this window make one `rfid.observed`
        /// (`dedup_window_ms`; 0 reports every read).
        public var dedupWindowMilliseconds = 2000
        /// Overrides the profile's inter-byte timeout for this installation (a slow adapter,
        /// a long RS-232 run); `nil`: the profile's or the protocol's default.
        public var interByteTimeoutMilliseconds: Int?
        /// Stable id for events and counts; defaults to `serial:<path>`.
        public var id: String?
        /// The profile id that decodes this device (default: `serial-lines`).
        public var profile: String?
        /// Firmware revision, for devices without USB identity; a change between runs is a
        /// firmware change.
        public var firmware: String?
        /// Set by discovery for a USB serial port: its events name the USB device.
        public var usb: USBIdentity?
        /// The flood alert's window (``RateWatch``); shortened by tests.
        public var floodWindowMilliseconds = 10_000
        /// `feedback: false`: never beep this device nor show its holds on the status page.
        public var feedback = true

        public init(
            path: String, framing: Framing? = nil, baud: Int? = nil, maxLineBytes: Int = 4096, id: String? = nil
        ) {
            self.path = path
            self.framing = framing
            self.baud = baud
            self.maxLineBytes = maxLineBytes
            self.id = id
        }

        public var deviceID: String { id ?? "serial:" + path }

        /// The profile id that applies: the configured one, else the framing's built-in one.
        public var profileID: String { profile ?? (framing ?? .lines).defaultProfile }
    }

    /// A USB device the operator allows beyond the built-in scanner profiles (`devices:`
    /// entries with `match:`), and how to read it.
    public struct DeviceRule: Sendable, Equatable {
        public struct Match: Sendable, Equatable {
            public var vendorID: String
            public var productID: String?
            public var serial: String?
            public var interface: Int?

            public init(vendorID: String, productID: String? = nil, serial: String? = nil, interface: Int? = nil) {
                self.vendorID = vendorID.lowercased()
                self.productID = productID?.lowercased()
                self.serial = serial
                self.interface = interface
            }

            public func matches(_ usb: USBIdentity, interface number: Int?) -> Bool {
                usb.vendorID == vendorID && (productID.map { $0 == usb.productID } ?? true)
                    && (serial.map { $0 == usb.serial } ?? true) && (interface.map { $0 == number } ?? true)
            }
        }

        /// How a keyboard-wedge scanner types: the keyboard layout it was set up for, the key
        /// that ends a scan, and the pause that ends one when it sends no suffix.
        public struct Keyboard: Sendable, Equatable {
            public var keymap: String?
            public var suffix: ScanSuffix?
            public var interKeyGapMilliseconds: Int?

            public init(keymap: String? = nil, suffix: ScanSuffix? = nil, interKeyGapMilliseconds: Int? = nil) {
                self.keymap = keymap
                self.suffix = suffix
                self.interKeyGapMilliseconds = interKeyGapMilliseconds
            }
        }

        public var match: Match
        public var keyboard: Keyboard
        /// Profile, id and line settings (for a serial port the rule matches); `path` unused.
        public var settings: SerialDevice
        /// `usb-vendor`: read interface `match.interface` of the USB device through libusb
        /// (a scanner mode with no hidraw, input or tty node); nil: whatever nodes it has.
        public var transport: DeviceTransport?
        /// With `usb-vendor`: detach a kernel driver bound to the interface while reading it.
        public var detachKernelDriver = false

        public init(match: Match, keyboard: Keyboard = Keyboard(), settings: SerialDevice = SerialDevice(path: "")) {
            self.match = match
            self.keyboard = keyboard
            self.settings = settings
        }
    }

    public struct Upstream: Sendable, Equatable {
        public var url: String
        public var timeoutMilliseconds = 30_000
        /// One connection attempt's bound (`upstream.connect_timeout_ms`), apart from the request's.
        public var connectTimeoutMilliseconds = 2_000
        /// The batch body's `Content-Encoding` (`upstream.compression`); `nil` is `none`.
        public var compression: ContentCoding? = .gzip
        public var retryCapMilliseconds = 60_000
        public var batchLimits = BatchLimits.default
        public var security = HTTPUpstream.Security()
        /// What makes a 2xx an acknowledgement (`upstream.acknowledgement`).
        public var acknowledgement = Acknowledgement.batchSeq
        /// `http://` off loopback (`upstream.allow_plain_http`); never with a bearer token.
        public var allowPlainHTTP = false

        public init(url: String) {
            self.url = url
        }

        /// The values of `upstream.compression`.
        public static let compressionNames = ["zstd", "gzip", "none"]
    }

    public var stateDirectory: String
    public var signingKeyPath: String
    public var agentID: String?
    public var upstream: Upstream?
    public var devices: [SerialDevice] = []
    /// `feedback.enabled`: tell the person at the device when a scan is held (a beep, the
    /// status page); devices opt out one by one with `feedback: false`.
    public var feedbackEnabled = true
    /// USB devices allowed beyond the built-in scanner profiles, first match wins.
    public var rules: [DeviceRule] = []
    /// Whether USB devices are discovered through udev (`discovery`; env `SCANBRIDGE_DISCOVERY`).
    /// On by default in a config file; a configuration built in code starts without it, so an
    /// embedded agent (or a test) never opens the host's scanners unasked.
    public var discovery = false
    /// Directories of operator profiles (`*.json`); default `/etc/scanbridge/profiles.d` when present.
    public var profileDirectories: [String] = []

    /// Signed profile bundles from upstream (`profiles:`): where to poll, how often, and the
    /// authority keys a bundle must be signed by. Without `trust`, bundles are ignored.
    public struct ProfileBundles: Sendable, Equatable {
        /// `profiles.bundle_url`; nil: `/v1/profile-bundle` on the upstream's host.
        public var url: String?
        public var pollSeconds = 300
        /// `profiles.trust`: public JWK or JWKS files of the profile authorities.
        public var trust: [String] = []

        public init() {}
    }

    public var profileBundles = ProfileBundles()

    /// Where bundles are fetched: `profiles.bundle_url`, else the upstream's scheme, host and
    /// port with `/v1/profile-bundle`; nil without either.
    public var profileBundleURL: String? {
        if let url = profileBundles.url { return url }
        guard let text = upstream?.url, let upstream = URL(string: text) else { return nil }
        return URL(string: "/v1/profile-bundle", relativeTo: upstream)?.absoluteString
    }
    public var logLevel = "info"
    /// Quota for the state database in MiB (`state_max_mb`); `nil`: the filesystem's space.
    public var stateMaxMegabytes: Int?
    /// How long acknowledged events and batches are kept locally (`retention_hours`).
    public var retentionHours = 168
    /// The status page and metrics endpoint (`status.listen`); `nil`: off. The config file's
    /// default is ``defaultStatusListen``; a configuration built in code starts without one.
    public var statusListen: ListenAddress?
    /// Lets `status.listen` bind an address other machines reach (`status.allow_remote`): the
    /// page has no authentication, so this is an explicit choice.
    public var statusAllowRemote = false

    public static let defaultStatusListen = ListenAddress(host: "127.0.0.1", port: 9477)

    public init(stateDirectory: String, signingKeyPath: String? = nil) {
        self.stateDirectory = stateDirectory
        self.signingKeyPath = signingKeyPath ?? stateDirectory + "/signing-key.jwk"
    }

    public var databasePath: String { stateDirectory + "/scanbridge.sqlite" }
}

/// Where the status endpoint listens.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:9477`, `[::1]:9477`, `0.0.0.0:0` (0: any free port).
    public init?(_ text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
        self.host = String(host)
        self.port = number
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
