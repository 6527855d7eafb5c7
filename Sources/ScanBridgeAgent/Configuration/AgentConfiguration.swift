import ScanBridgeUpstream

/// Everything `scanbridge run` needs, after the YAML file, environment overrides and
/// defaults are combined.
public struct AgentConfiguration: Sendable, Equatable {
    public enum Framing: String, Sendable, Equatable, CaseIterable {
        case lines
    }

    public struct SerialDevice: Sendable, Equatable {
        public var path: String
        public var framing: Framing = .lines
        public var baud: Int = 9600
        public var maxLineBytes: Int = 4096
        /// Stable id for events and counts; defaults to `serial:<path>`.
        public var id: String?
        /// The profile id that decodes this device (default: `serial-lines`).
        public var profile: String?
        /// Firmware revision, for devices without USB identity; a change between runs is a
        /// firmware change.
        public var firmware: String?

        public init(
            path: String, framing: Framing = .lines, baud: Int = 9600, maxLineBytes: Int = 4096, id: String? = nil
        ) {
            self.path = path
            self.framing = framing
            self.baud = baud
            self.maxLineBytes = maxLineBytes
            self.id = id
        }

        public var deviceID: String { id ?? "serial:" + path }
    }

    public struct Upstream: Sendable, Equatable {
        public var url: String
        public var timeoutMilliseconds = 30_000
        public var retryCapMilliseconds = 60_000
        public var batchLimits = BatchLimits.default
        public var security = HTTPUpstream.Security()

        public init(url: String) {
            self.url = url
        }
    }

    public var stateDirectory: String
    public var signingKeyPath: String
    public var agentID: String?
    public var upstream: Upstream?
    public var devices: [SerialDevice] = []
    /// Directories of operator profiles (`*.json`); default `/etc/scanbridge/profiles.d` when present.
    public var profileDirectories: [String] = []
    public var logLevel = "info"
    /// Quota for the state database in MiB (`state_max_mb`); `nil`: the filesystem's space.
    public var stateMaxMegabytes: Int?
    /// How long acknowledged events and batches are kept locally (`retention_hours`).
    public var retentionHours = 168

    public init(stateDirectory: String, signingKeyPath: String? = nil) {
        self.stateDirectory = stateDirectory
        self.signingKeyPath = signingKeyPath ?? stateDirectory + "/signing-key.jwk"
    }

    public var databasePath: String { stateDirectory + "/scanbridge.sqlite" }
}
