import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore

extension DeviceRunner {
    /// A serial port: configured under `devices:`, or found by discovery (`discovered`). Its
    /// profile decides the framing and line settings unless the configuration names them.
    public static func serial(
        _ configuration: AgentConfiguration.SerialDevice, catalog: ProfileCatalog, sink: EventSink,
        registry: DeviceRegistry, states: DeviceStates?, logger: Logger, discovered: DiscoveredDevice? = nil,
        feedbackEnabled: Bool = true, book: ProfileBook? = nil
    ) -> DeviceRunner {
        let usb = configuration.usb
        let profile = catalog.resolve(
            id: configuration.profileID, vendorID: usb?.vendorID, productID: usb?.productID, serial: usb?.serial,
            firmware: configuration.firmware)
        let framing = configuration.framing ?? profile.flatMap { Framing(rawValue: $0.framing) } ?? .lines
        let settings = profile?.reader
        let line = SerialLineSettings(
            baud: configuration.baud ?? settings?.baud ?? 9600,
            parity: configuration.parity ?? settings?.parity.flatMap(SerialLineSettings.Parity.init(rawValue:))
                ?? .none,
            stopBits: configuration.stopBits ?? settings?.stopBits ?? 1)
        // A port discovery found is reopened only for the device found there (its USB identity).
        let path = configuration.path
        var verify: (@Sendable () -> DeviceError?)?
        if let usb {
            verify = { SerialPortOwner.check(devnode: path, expected: usb) }
        }
        let plan: ReadingPlan =
            ReaderCodec.make(
                framing: framing, profile: profile, maxLineBytes: configuration.maxLineBytes,
                interByteTimeoutMilliseconds: configuration.interByteTimeoutMilliseconds
            ).map { .reader($0, dedupWindowMilliseconds: configuration.dedupWindowMilliseconds) }
            ?? .lines(
                maxLineBytes: configuration.maxLineBytes,
                floodWindowMilliseconds: configuration.floodWindowMilliseconds)
        let identity = DeviceIdentity(
            id: configuration.deviceID, vendorID: usb?.vendorID, productID: usb?.productID, serial: usb?.serial,
            firmware: configuration.firmware, transport: .serial)
        return DeviceRunner(
            target: Target(
                identity: identity, path: path, profileID: configuration.profileID, profile: profile,
                discovered: discovered),
            plan: plan, source: SerialInputSource(path: path, settings: line, verify: verify), sink: sink,
            registry: registry, states: states, logger: logger,
            feedback: feedbackEnabled && configuration.feedback
                ? profile?.feedback.map { FeedbackPlan(channel: .serial, error: $0.error, ok: $0.ok) } ?? .pageOnly
                : nil, book: book)
    }
}
