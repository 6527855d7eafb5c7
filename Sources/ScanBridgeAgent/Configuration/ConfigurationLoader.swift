import FoundationEssentials
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeUpstream
import ScanBridgeWire
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Reads `scanbridge.yaml`, applies `SCANBRIDGE_*` overrides and fills in defaults.
///
/// Unknown keys are errors, not warnings: a misspelt `batch_max_evnts` silently ignored
/// is a setting the operator believes in and does not have.
public enum ConfigurationLoader {
    public static let systemConfigPath = "/etc/scanbridge/scanbridge.yaml"

    /// Where the config comes from: `--config`, else `SCANBRIDGE_CONFIG`, else the system
    /// file if present, else none (embedded defaults).
    public static func locate(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let path = environment["SCANBRIDGE_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: systemConfigPath) ? systemConfigPath : nil
    }

    public static func load(path: String?, environment: [String: String]) throws(ConfigurationError)
        -> AgentConfiguration
    {
        var configuration = AgentConfiguration(stateDirectory: defaultStateDirectory(environment: environment))
        configuration.statusListen = AgentConfiguration.defaultStatusListen
        configuration.discovery = true
        var explicitKey = false
        if let path {
            let text: String
            do { text = try FileBytes.readText(path) } catch {
                throw ConfigurationError(key: "(file)", message: "cannot read: \(error)", source: path)
            }
            explicitKey = try apply(yaml: text, source: path, to: &configuration)
        }
        explicitKey = try applyEnvironment(environment, to: &configuration) || explicitKey
        if !explicitKey { configuration.signingKeyPath = configuration.stateDirectory + "/signing-key.jwk" }
        if configuration.profileDirectories.isEmpty,
            FileManager.default.fileExists(atPath: ProfileCatalog.systemDirectory)
        {
            configuration.profileDirectories = [ProfileCatalog.systemDirectory]
        }
        return configuration
    }

    /// `/var/lib/scanbridge` for a root service with `/etc/scanbridge`, else the user's XDG
    /// state directory, so `scanbridge demo` and `run` work anywhere without set-up.
    public static func defaultStateDirectory(environment: [String: String]) -> String {
        if geteuid() == 0, FileManager.default.fileExists(atPath: "/etc/scanbridge") { return "/var/lib/scanbridge" }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/scanbridge" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/state/scanbridge"
    }

    /// Returns whether `signing_key` was given.
    static func apply(yaml: String, source: String, to configuration: inout AgentConfiguration)
        throws(ConfigurationError) -> Bool
    {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch {
            throw ConfigurationError(key: "(syntax)", message: "not valid YAML: \(error)", source: source)
        }
        guard let node else { return false }
        let reader = NodeReader(source: source)
        let root = try reader.mapping(node, key: "(root)")
        var keyGiven = false
        for (key, value) in root {
            switch key {
            case "state_dir": configuration.stateDirectory = try reader.path(value, key: key)
            case "signing_key":
                configuration.signingKeyPath = try reader.path(value, key: key)
                keyGiven = true
            case "agent_id": configuration.agentID = try reader.string(value, key: key)
            case "log_level": configuration.logLevel = try reader.choice(value, key: key, LogLevels.names)
            case "upstream": configuration.upstream = try reader.upstream(value)
            case "devices": (configuration.devices, configuration.rules) = try reader.devices(value)
            case "profile_dirs": configuration.profileDirectories = try reader.paths(value, key: key)
            case "state_max_mb": configuration.stateMaxMegabytes = try reader.integer(value, key: key, 1...1_000_000)
            case "retention_hours": configuration.retentionHours = try reader.integer(value, key: key, 0...87_600)
            case "discovery": configuration.discovery = try reader.boolean(value, key: key)
            case "profiles":
                for (profilesKey, profilesValue) in try reader.mapping(value, key: key) {
                    switch profilesKey {
                    case "profiles.bundle_url":
                        configuration.profileBundles.url = try NodeReader.checkURL(
                            try reader.string(profilesValue, key: profilesKey), key: profilesKey, source: source)
                    case "profiles.bundle_poll_s":
                        configuration.profileBundles.pollSeconds = try reader.integer(
                            profilesValue, key: profilesKey, 1...86_400)
                    case "profiles.trust":
                        configuration.profileBundles.trust =
                            profilesValue.scalar != nil
                            ? [try reader.path(profilesValue, key: profilesKey)]
                            : try reader.paths(profilesValue, key: profilesKey)
                    default: throw reader.unknown(profilesKey, known: ["bundle_url", "bundle_poll_s", "trust"])
                    }
                }
            case "feedback":
                for (feedbackKey, feedbackValue) in try reader.mapping(value, key: key) {
                    guard feedbackKey == "feedback.enabled" else {
                        throw reader.unknown(feedbackKey, known: ["enabled"])
                    }
                    configuration.feedbackEnabled = try reader.boolean(feedbackValue, key: feedbackKey)
                }
            case "status":
                for (statusKey, statusValue) in try reader.mapping(value, key: key) {
                    switch statusKey {
                    case "status.listen":
                        configuration.statusListen = try Self.listen(
                            try reader.string(statusValue, key: statusKey), key: statusKey, source: source)
                    case "status.allow_remote":
                        configuration.statusAllowRemote = try reader.boolean(statusValue, key: statusKey)
                    default: throw reader.unknown(statusKey, known: ["listen", "allow_remote"])
                    }
                }
            default:
                throw reader.unknown(
                    key,
                    known: [
                        "state_dir", "signing_key", "agent_id", "log_level", "upstream", "devices", "discovery",
                        "feedback", "profile_dirs", "profiles",
                        "state_max_mb", "retention_hours", "status",
                    ])
            }
        }
        return keyGiven
    }

    static func applyEnvironment(_ environment: [String: String], to configuration: inout AgentConfiguration)
        throws(ConfigurationError) -> Bool
    {
        var keyGiven = false
        let source = "environment"
        func rank(_ name: String) -> Int { name == "SCANBRIDGE_UPSTREAM_URL" ? 0 : 1 }
        func integer(_ name: String, _ value: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw ConfigurationError(
                    key: name, message: "expected an integer in \(range), got \"\(value)\"", source: source)
            }
            return number
        }
        func flag(_ name: String, _ value: String) throws(ConfigurationError) -> Bool {
            guard let flag = NodeReader.boolean(value) else {
                throw ConfigurationError(
                    key: name, message: "expected true or false, got \"\(value)\"", source: source)
            }
            return flag
        }
        // The URL first: the other upstream settings refine whichever upstream it names.
        let ordered = environment.sorted { (rank($0.key), $0.key) < (rank($1.key), $1.key) }
        for (name, value) in ordered where name.hasPrefix("SCANBRIDGE_") {
            switch name {
            case "SCANBRIDGE_CONFIG": continue
            // The test harness's own variables (Tests/Tools/with-postgres.sh exports
            // SCANBRIDGE_TEST_POSTGRES_URL), never settings: the agents a test starts inherit them.
            case _ where name.hasPrefix("SCANBRIDGE_TEST_"): continue
            case "SCANBRIDGE_STATE_DIR": configuration.stateDirectory = value
            case "SCANBRIDGE_SIGNING_KEY":
                configuration.signingKeyPath = value
                keyGiven = true
            case "SCANBRIDGE_AGENT_ID": configuration.agentID = value
            case "SCANBRIDGE_STATUS_LISTEN": configuration.statusListen = try listen(value, key: name, source: source)
            case "SCANBRIDGE_STATUS_ALLOW_REMOTE": configuration.statusAllowRemote = try flag(name, value)
            case "SCANBRIDGE_DISCOVERY": configuration.discovery = try flag(name, value)
            case "SCANBRIDGE_FEEDBACK_ENABLED": configuration.feedbackEnabled = try flag(name, value)
            case "SCANBRIDGE_PROFILES_BUNDLE_URL":
                configuration.profileBundles.url =
                    value.isEmpty ? nil : try NodeReader.checkURL(value, key: name, source: source)
            case "SCANBRIDGE_PROFILES_BUNDLE_POLL_S":
                configuration.profileBundles.pollSeconds = try integer(name, value, 1...86_400)
            case "SCANBRIDGE_PROFILES_TRUST":
                configuration.profileBundles.trust = value.split(separator: ",").map(String.init)
            case "SCANBRIDGE_LOG_LEVEL":
                guard LogLevels.names.contains(value) else {
                    throw ConfigurationError(
                        key: name, message: "expected one of \(LogLevels.names.joined(separator: ", "))", source: source
                    )
                }
                configuration.logLevel = value
            case "SCANBRIDGE_UPSTREAM_URL":
                if value.isEmpty {
                    configuration.upstream = nil
                } else {
                    let url = try NodeReader.checkURL(value, key: name, source: source)
                    var upstream = configuration.upstream ?? AgentConfiguration.Upstream(url: url)
                    upstream.url = url
                    configuration.upstream = upstream
                }
            case "SCANBRIDGE_UPSTREAM_TIMEOUT_MS", "SCANBRIDGE_UPSTREAM_BATCH_MAX_EVENTS",
                "SCANBRIDGE_UPSTREAM_BATCH_MAX_BYTES",
                "SCANBRIDGE_UPSTREAM_BATCH_MAX_AGE_MS", "SCANBRIDGE_UPSTREAM_BATCH_LINGER_MS",
                "SCANBRIDGE_UPSTREAM_RETRY_CAP_MS", "SCANBRIDGE_UPSTREAM_ACKNOWLEDGEMENT",
                "SCANBRIDGE_UPSTREAM_ALLOW_PLAIN_HTTP", "SCANBRIDGE_UPSTREAM_CONNECT_TIMEOUT_MS",
                "SCANBRIDGE_UPSTREAM_COMPRESSION":
                guard var upstream = configuration.upstream else {
                    throw ConfigurationError(
                        key: name, message: "set upstream.url (or SCANBRIDGE_UPSTREAM_URL) first", source: source)
                }
                switch name {
                case "SCANBRIDGE_UPSTREAM_TIMEOUT_MS":
                    upstream.timeoutMilliseconds = try integer(name, value, 100...600_000)
                case "SCANBRIDGE_UPSTREAM_BATCH_MAX_EVENTS":
                    upstream.batchLimits.maxEvents = try integer(name, value, 1...100_000)
                case "SCANBRIDGE_UPSTREAM_BATCH_MAX_BYTES":
                    upstream.batchLimits.maxBytes = try integer(name, value, 1024...64 << 20)
                case "SCANBRIDGE_UPSTREAM_BATCH_MAX_AGE_MS":
                    upstream.batchLimits.maxAgeMilliseconds = try integer(name, value, 0...3_600_000)
                case "SCANBRIDGE_UPSTREAM_BATCH_LINGER_MS":
                    upstream.batchLimits.lingerMilliseconds = try integer(name, value, 0...3_600_000)
                case "SCANBRIDGE_UPSTREAM_ACKNOWLEDGEMENT":
                    guard let mode = Acknowledgement(rawValue: value) else {
                        throw ConfigurationError(
                            key: name, message: "expected batch_seq or status, got \"\(value)\"", source: source)
                    }
                    upstream.acknowledgement = mode
                case "SCANBRIDGE_UPSTREAM_ALLOW_PLAIN_HTTP": upstream.allowPlainHTTP = try flag(name, value)
                case "SCANBRIDGE_UPSTREAM_CONNECT_TIMEOUT_MS":
                    upstream.connectTimeoutMilliseconds = try integer(name, value, 100...600_000)
                case "SCANBRIDGE_UPSTREAM_COMPRESSION":
                    guard AgentConfiguration.Upstream.compressionNames.contains(value) else {
                        throw ConfigurationError(
                            key: name, message: "expected zstd, gzip or none, got \"\(value)\"", source: source)
                    }
                    upstream.compression = ContentCoding(rawValue: value)
                default: upstream.retryCapMilliseconds = try integer(name, value, 100...86_400_000)
                }
                configuration.upstream = upstream
            default:
                throw ConfigurationError(
                    key: name,
                    message:
                        "unknown setting; known: SCANBRIDGE_CONFIG, SCANBRIDGE_STATE_DIR, SCANBRIDGE_SIGNING_KEY, SCANBRIDGE_AGENT_ID, SCANBRIDGE_LOG_LEVEL, SCANBRIDGE_STATUS_LISTEN, SCANBRIDGE_STATUS_ALLOW_REMOTE, SCANBRIDGE_DISCOVERY, SCANBRIDGE_FEEDBACK_ENABLED, SCANBRIDGE_PROFILES_BUNDLE_URL, SCANBRIDGE_PROFILES_BUNDLE_POLL_S, SCANBRIDGE_PROFILES_TRUST, SCANBRIDGE_UPSTREAM_URL, SCANBRIDGE_UPSTREAM_TIMEOUT_MS, SCANBRIDGE_UPSTREAM_BATCH_MAX_EVENTS, SCANBRIDGE_UPSTREAM_BATCH_MAX_BYTES, SCANBRIDGE_UPSTREAM_BATCH_MAX_AGE_MS, SCANBRIDGE_UPSTREAM_BATCH_LINGER_MS, SCANBRIDGE_UPSTREAM_RETRY_CAP_MS, SCANBRIDGE_UPSTREAM_ACKNOWLEDGEMENT, SCANBRIDGE_UPSTREAM_ALLOW_PLAIN_HTTP, SCANBRIDGE_UPSTREAM_CONNECT_TIMEOUT_MS, SCANBRIDGE_UPSTREAM_COMPRESSION",
                    source: source)
            }
        }
        return keyGiven
    }
}

extension ConfigurationLoader {
    /// `host:port` (`[::1]:9477` for IPv6), or `off` (YAML may also read it as `false`).
    static func listen(_ text: String, key: String, source: String) throws(ConfigurationError) -> ListenAddress? {
        if ["off", "false", "no"].contains(text.lowercased()) { return nil }
        guard let address = ListenAddress(text) else {
            throw ConfigurationError(
                key: key, message: "expected host:port such as 127.0.0.1:9477, or off; got \"\(text)\"",
                source: source)
        }
        return address
    }
}

enum LogLevels {
    static let names = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// Typed access to YAML nodes with errors that name the dotted key.
struct NodeReader {
    let source: String

    func fail(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(key: key, message: message, source: source)
    }

    func unknown(_ key: String, known: [String]) -> ConfigurationError {
        fail(key, "unknown key; known keys here: \(known.joined(separator: ", "))")
    }

    func mapping(_ node: Node, key: String) throws(ConfigurationError) -> [(String, Node)] {
        guard let mapping = node.mapping else { throw fail(key, "expected a mapping") }
        var pairs: [(String, Node)] = []
        for (name, value) in mapping {
            guard let text = name.string else { throw fail(key, "keys must be strings") }
            pairs.append((key == "(root)" ? text : key + "." + text, value))
        }
        return pairs
    }

    func string(_ node: Node, key: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw fail(key, "expected a non-empty string") }
        return scalar.string
    }

    func path(_ node: Node, key: String) throws(ConfigurationError) -> String {
        let text = try string(node, key: key)
        guard text.hasPrefix("/") else { throw fail(key, "expected an absolute path, got \"\(text)\"") }
        return text
    }

    func paths(_ node: Node, key: String) throws(ConfigurationError) -> [String] {
        guard let sequence = node.sequence else { throw fail(key, "expected a list of absolute paths") }
        var paths: [String] = []
        for (index, item) in sequence.enumerated() { paths.append(try path(item, key: "\(key)[\(index)]")) }
        return paths
    }

    func integer(_ node: Node, key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let scalar = node.scalar, let value = Int(scalar.string), range.contains(value) else {
            throw fail(
                key,
                "expected an integer in \(range.lowerBound)…\(range.upperBound), got \(node.scalar?.string ?? "a non-scalar")"
            )
        }
        return value
    }

    func boolean(_ node: Node, key: String) throws(ConfigurationError) -> Bool {
        guard let text = node.scalar?.string, let flag = Self.boolean(text) else {
            throw fail(key, "expected true or false, got \(node.scalar?.string ?? "a non-scalar")")
        }
        return flag
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    func choice(_ node: Node, key: String, _ choices: [String]) throws(ConfigurationError) -> String {
        let text = try string(node, key: key)
        guard choices.contains(text) else {
            throw fail(key, "expected one of \(choices.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    static func checkURL(_ text: String, key: String, source: String) throws(ConfigurationError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw ConfigurationError(
                key: key, message: "expected an http:// or https:// URL, got \"\(text)\"", source: source)
        }
        return text
    }

    func upstream(_ node: Node) throws(ConfigurationError) -> AgentConfiguration.Upstream {
        var url: String?
        var upstream = AgentConfiguration.Upstream(url: "")
        for (key, value) in try mapping(node, key: "upstream") {
            switch key {
            case "upstream.url": url = try Self.checkURL(try string(value, key: key), key: key, source: source)
            case "upstream.timeout_ms": upstream.timeoutMilliseconds = try integer(value, key: key, 100...600_000)
            case "upstream.connect_timeout_ms":
                upstream.connectTimeoutMilliseconds = try integer(value, key: key, 100...600_000)
            case "upstream.compression":
                upstream.compression = ContentCoding(
                    rawValue: try choice(value, key: key, AgentConfiguration.Upstream.compressionNames))
            case "upstream.retry_cap_ms": upstream.retryCapMilliseconds = try integer(value, key: key, 100...86_400_000)
            case "upstream.batch_max_events": upstream.batchLimits.maxEvents = try integer(value, key: key, 1...100_000)
            case "upstream.batch_max_bytes":
                upstream.batchLimits.maxBytes = try integer(value, key: key, 1024...64 << 20)
            case "upstream.batch_max_age_ms":
                upstream.batchLimits.maxAgeMilliseconds = try integer(value, key: key, 0...3_600_000)
            case "upstream.batch_linger_ms":
                upstream.batchLimits.lingerMilliseconds = try integer(value, key: key, 0...3_600_000)
            case "upstream.ca_file": upstream.security.caFile = try path(value, key: key)
            case "upstream.client_cert": upstream.security.clientCertificateFile = try path(value, key: key)
            case "upstream.client_key": upstream.security.clientKeyFile = try path(value, key: key)
            case "upstream.bearer_token_file": upstream.security.bearerTokenFile = try path(value, key: key)
            case "upstream.acknowledgement":
                upstream.acknowledgement = Acknowledgement(
                    rawValue: try choice(value, key: key, Acknowledgement.allCases.map(\.rawValue)))!
            case "upstream.allow_plain_http": upstream.allowPlainHTTP = try boolean(value, key: key)
            default:
                throw unknown(
                    key,
                    known: [
                        "url", "timeout_ms", "connect_timeout_ms", "compression", "retry_cap_ms", "batch_max_events",
                        "batch_max_bytes", "batch_max_age_ms",
                        "batch_linger_ms", "ca_file", "client_cert", "client_key", "bearer_token_file",
                        "acknowledgement", "allow_plain_http",
                    ])
            }
        }
        guard let url else { throw fail("upstream.url", "required when upstream is given") }
        if (upstream.security.clientCertificateFile == nil) != (upstream.security.clientKeyFile == nil) {
            throw fail("upstream.client_cert", "client_cert and client_key go together")
        }
        upstream.url = url
        return upstream
    }

    /// Static devices (`path:`) and discovery rules (`match:`).
    func devices(_ node: Node) throws(ConfigurationError) -> (
        [AgentConfiguration.SerialDevice], [AgentConfiguration.DeviceRule]
    ) {
        guard let sequence = node.sequence else { throw fail("devices", "expected a list") }
        var devices: [AgentConfiguration.SerialDevice] = []
        var rules: [AgentConfiguration.DeviceRule] = []
        for (index, item) in sequence.enumerated() {
            let prefix = "devices[\(index)]"
            var device = AgentConfiguration.SerialDevice(path: "")
            var path: String?
            var match: AgentConfiguration.DeviceRule.Match?
            var keyboard = AgentConfiguration.DeviceRule.Keyboard()
            var transport: DeviceTransport?
            var detachKernelDriver: Bool?
            for (key, value) in try mapping(item, key: prefix) {
                switch key.dropFirst(prefix.count + 1) {
                case "path": path = try self.path(value, key: key)
                case "match": match = try self.match(value, key: key)
                case "keymap":
                    keyboard.keymap = try choice(value, key: key, Keymap.all.map(\.name))
                case "suffix":
                    keyboard.suffix = .init(rawValue: try choice(value, key: key, ScanSuffix.allCases.map(\.rawValue)))!
                case "inter_key_gap_ms": keyboard.interKeyGapMilliseconds = try integer(value, key: key, 1...10_000)
                case "transport":
                    _ = try choice(value, key: key, [DeviceTransport.usbVendor.rawValue])
                    transport = .usbVendor
                case "detach_kernel_driver": detachKernelDriver = try boolean(value, key: key)
                case "framing":
                    device.framing = .init(
                        rawValue: try choice(value, key: key, AgentConfiguration.Framing.allCases.map(\.rawValue)))!
                case "baud":
                    let baud = try integer(value, key: key, 50...4_000_000)
                    guard [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600].contains(baud)
                    else {
                        throw fail(
                            key,
                            "unsupported baud \(baud); use 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600"
                        )
                    }
                    device.baud = baud
                case "parity":
                    device.parity = .init(
                        rawValue: try choice(value, key: key, SerialLineSettings.Parity.allCases.map(\.rawValue)))!
                case "stop_bits": device.stopBits = try integer(value, key: key, 1...2)
                case "dedup_window_ms": device.dedupWindowMilliseconds = try integer(value, key: key, 0...3_600_000)
                case "inter_byte_timeout_ms":
                    device.interByteTimeoutMilliseconds = try integer(value, key: key, 1...60_000)
                case "max_line_bytes": device.maxLineBytes = try integer(value, key: key, 16...1_048_576)
                case "id": device.id = try string(value, key: key)
                case "profile": device.profile = try string(value, key: key)
                case "firmware": device.firmware = try string(value, key: key)
                case "feedback": device.feedback = try boolean(value, key: key)
                default:
                    throw unknown(
                        key,
                        known: [
                            "path", "match", "framing", "baud", "parity", "stop_bits", "max_line_bytes",
                            "dedup_window_ms", "inter_byte_timeout_ms", "keymap", "suffix", "inter_key_gap_ms",
                            "transport",
                            "detach_kernel_driver", "id", "profile", "firmware", "feedback",
                        ])
                }
            }
            if let match {
                guard path == nil else {
                    throw fail(prefix, "give either path (a fixed serial port) or match (USB), not both")
                }
                guard device.firmware == nil else {
                    throw fail(prefix + ".firmware", "USB devices report their firmware (bcdDevice); drop this key")
                }
                if transport == .usbVendor, match.interface == nil {
                    throw fail(
                        prefix + ".match.interface", "required with transport usb-vendor: the interface to claim")
                }
                if detachKernelDriver != nil, transport != .usbVendor {
                    throw fail(prefix + ".detach_kernel_driver", "applies only with transport: usb-vendor")
                }
                var rule = AgentConfiguration.DeviceRule(match: match, keyboard: keyboard, settings: device)
                rule.transport = transport
                rule.detachKernelDriver = detachKernelDriver ?? false
                rules.append(rule)
                continue
            }
            if transport != nil || detachKernelDriver != nil {
                throw fail(
                    prefix,
                    "transport and detach_kernel_driver apply to USB devices found by match, not to path devices")
            }
            if keyboard != AgentConfiguration.DeviceRule.Keyboard() {
                throw fail(
                    prefix,
                    "keymap, suffix and inter_key_gap_ms apply to USB scanners found by match, not to path devices")
            }
            guard let path else { throw fail(prefix + ".path", "required (or match: {vendor_id: …} for a USB device)") }
            device.path = path
            if devices.contains(where: { $0.deviceID == device.deviceID }) {
                throw fail(prefix, "device \(device.deviceID) is listed twice")
            }
            devices.append(device)
        }
        return (devices, rules)
    }

    func match(_ node: Node, key prefix: String) throws(ConfigurationError) -> AgentConfiguration.DeviceRule.Match {
        var vendor: String?
        var match = AgentConfiguration.DeviceRule.Match(vendorID: "")
        for (key, value) in try mapping(node, key: prefix) {
            switch key.dropFirst(prefix.count + 1) {
            case "vendor_id": vendor = try usbID(value, key: key)
            case "product_id": match.productID = try usbID(value, key: key)
            case "serial": match.serial = try string(value, key: key)
            case "interface": match.interface = try integer(value, key: key, 0...255)
            default: throw unknown(key, known: ["vendor_id", "product_id", "serial", "interface"])
            }
        }
        guard let vendor else { throw fail(prefix + ".vendor_id", "required") }
        match.vendorID = vendor
        return match
    }

    /// Four hex digits, as lsusb prints them (quote them in YAML: "0c2e").
    func usbID(_ node: Node, key: String) throws(ConfigurationError) -> String {
        let text = try string(node, key: key).lowercased()
        guard text.count == 4, text.allSatisfy(\.isHexDigit) else {
            throw fail(key, "expected four hex digits as lsusb prints them, e.g. \"0c2e\"; got \"\(text)\"")
        }
        return text
    }
}
