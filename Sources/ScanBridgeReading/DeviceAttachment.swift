import ScanBridgeCore
import ScanBridgePayloads

/// What attaching a device means, whatever its kind: its profile (or the quarantine of every
/// payload when no version of the profile matches its firmware), a firmware change against
/// what the agent saw last (event and alert, committed before any payload is checked under
/// the new profile), the announcement of a discovered device, and the device on record.
public struct DeviceAttachment: Sendable {
    /// What the agent remembers of the device from earlier runs.
    public struct History: Sendable {
        public var previous: DeviceRecord?
        public var fingerprints: Set<String>

        public init(previous: DeviceRecord?, fingerprints: Set<String>) {
            self.previous = previous
            self.fingerprints = fingerprints
        }
    }

    /// For the device's payloads.
    public var builder: ScanEventBuilder
    /// Committed before the device is read.
    public var entries: [OutboxEntry]
    public var notes: [Note]
    /// The device record to write when no entry carries it (a configured port, unchanged).
    public var record: DeviceRecord?

    /// - Parameters:
    ///   - device: the device as found, its `firmware` the revision read now.
    ///   - profileID: the profile it names (for messages when no version matches).
    ///   - history: nil when it cannot be read (the device is then treated as new, unrecorded).
    ///   - announcement: `device.attached` for a discovered device; it records the device.
    public init(
        device: DeviceIdentity, path: String?, profileID: String, profile: DeviceProfile?, history: History?,
        announcement: OutboxEntry?, at instant: ReadingInstant
    ) {
        var device = device
        device.profile = profile?.name
        let firmware = device.firmware
        notes = []
        entries = []
        if profile == nil {
            notes.append(
                Note(
                    .error,
                    "no version of profile \(profileID) matches firmware \(firmware ?? "(none)"); every payload is held in quarantine until one does"
                ))
        }
        let record = DeviceRecord(
            id: device.id, path: path, vendorID: device.vendorID, productID: device.productID, serial: device.serial,
            firmware: firmware, transport: device.transport.rawValue, profile: device.profile)
        self.record = announcement == nil && history != nil ? record : nil
        if let previous = history?.previous, previous.firmware != firmware {
            notes.append(
                Note(
                    .warning,
                    "firmware changed from \(previous.firmware ?? "(none)") to \(firmware ?? "(none)"); payloads are checked against profile \(device.profile ?? profileID)"
                ))
            var writer = JSONWriter()
            writer.beginObject()
            writer.field("old", previous.firmware)
            writer.field("new", firmware)
            writer.field("profile", device.profile)
            writer.endObject()
            entries.append(
                OutboxEntry(
                    event: PendingEvent(
                        type: .deviceFirmwareChanged, occurredAt: instant.wall, device: device, data: writer.bytes,
                        raw: nil, clockSynchronized: instant.clockSynchronized),
                    effects: [
                        .device(record),
                        .alert(
                            kind: "firmware_changed",
                            detail: "\(device.id): firmware \(previous.firmware ?? "(none)") → \(firmware ?? "(none)")"),
                    ]))
            self.record = nil
        }
        if let announcement { entries.append(announcement) }
        builder = ScanEventBuilder(
            device: device, profile: profile, knownFingerprints: history?.fingerprints ?? [],
            unmatchedProfile: profile == nil ? profileID : nil)
    }
}
