import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore

/// Re-runs held payloads through the current profiles and releases what now passes.
///
/// Each payload is judged with the firmware its device had when it arrived. A release is
/// one transaction: the payload's event (its original `occurred_at`, `data.replay_of` = the
/// quarantine id), a `payload.released` notice and the quarantine entry's new state, so a
/// payload is released exactly once however often replay runs.
public struct QuarantineReplay: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var released = 0
        public var stillHeld = 0
    }

    /// Truncated payloads can never become valid; they can only be discarded.
    static let unreplayable: Set<String> = ["oversize", "incomplete"]

    let configuration: AgentConfiguration
    let catalog: ProfileCatalog
    let database: StateDatabase

    public init(configuration: AgentConfiguration, catalog: ProfileCatalog, database: StateDatabase) {
        self.configuration = configuration
        self.catalog = catalog
        self.database = database
    }

    public func run(deviceID: String? = nil, since: Timestamp? = nil) async throws -> Outcome {
        let quarantine = QuarantineStore(database: database)
        let outbox = OutboxWriter(database: database)
        var outcome = Outcome()
        for entry in try quarantine.entries(state: "held", deviceID: deviceID, since: since) {
            guard !Self.unreplayable.contains(entry.reasonCode), let entries = release(entry) else {
                outcome.stillHeld += 1
                continue
            }
            do {
                try await outbox.append(entries)
                outcome.released += 1
            } catch StoreError.inconsistent {
                // Released meanwhile by another replay: nothing to do.
            }
        }
        try quarantine.closeResolvedAlerts(reason: "quarantine replayed under the current profiles")
        return outcome
    }

    /// The entries that release `entry`, or `nil` when the current profiles still reject it.
    func release(_ entry: QuarantineStore.Entry) -> [OutboxEntry]? {
        let profileID =
            configuration.devices.first { $0.deviceID == entry.deviceID }?.profileID
            ?? entry.profile.map { String($0.prefix { $0 != "@" }) } ?? AgentConfiguration.Framing.lines.defaultProfile
        // The device as recorded (a USB scanner's vendor and product select vendor-bound profiles).
        let record = try? DeviceRegistry(database: database).device(entry.deviceID)
        guard
            let profile = catalog.resolve(
                id: profileID, vendorID: record?.vendorID, productID: record?.productID, serial: record?.serial,
                firmware: entry.firmware)
        else { return nil }
        let transport = record.flatMap { DeviceTransport(rawValue: $0.transport) } ?? .serial
        guard
            case .accepted(let data, let fingerprint) = PayloadInterpreter(
                profile: profile, referenceYear: entry.receivedAt.year,
                delimiting: PayloadDelimiting(transport: transport)
            ).interpret(entry.raw),
            case .object(var object) = data
        else { return nil }
        _ = object.append(key: "replay_of", value: .string(entry.id))
        let device = DeviceIdentity(
            id: entry.deviceID, vendorID: record?.vendorID, productID: record?.productID, serial: record?.serial,
            firmware: entry.firmware, transport: transport,
            profile: profile.name)
        let released = PendingEvent(
            type: ScanEventBuilder.eventType(for: profile), occurredAt: entry.receivedAt, device: device,
            data: JSONValue.object(object).serializedBytes(), raw: entry.raw)
        var notice = JSONWriter()
        notice.beginObject()
        notice.field("quarantine_id", entry.id)
        notice.field("released_as", released.id.description)
        notice.field("profile", profile.name)
        notice.endObject()
        return [
            OutboxEntry(
                event: released,
                effects: [
                    .release(quarantineID: entry.id),
                    .fingerprint(id: fingerprint.identifier, paths: fingerprint.paths),
                ]),
            OutboxEntry(
                event: PendingEvent(
                    type: .payloadReleased, occurredAt: .now(), device: device, data: notice.bytes, raw: nil)),
        ]
    }
}
