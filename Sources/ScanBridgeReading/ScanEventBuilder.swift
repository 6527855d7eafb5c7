import ScanBridgeCore
import ScanBridgePayloads

/// Turns framed payloads into outbox entries under the device's profile.
///
/// A payload the profile accepts becomes a scan event; anything else becomes a quarantine
/// record (raw bytes kept locally) plus a `payload.quarantined` notice that carries the
/// validator's findings but none of the payload's values. A payload shape never seen from
/// the device before raises `schema.drift_detected` once, ahead of the payload's own event.
public struct ScanEventBuilder: Sendable {
    public var device: DeviceIdentity
    public let interpreter: PayloadInterpreter
    public private(set) var knownFingerprints: Set<String>
    /// Set when the device names a profile but no version of it matches the device's
    /// firmware: every payload is then held until a matching version exists.
    public let unmatchedProfile: String?

    public init(
        device: DeviceIdentity, profile: DeviceProfile?, knownFingerprints: Set<String> = [],
        unmatchedProfile: String? = nil
    ) {
        self.device = device
        // The device's transport decides what ends a payload, so which control bytes are data.
        self.interpreter = PayloadInterpreter(
            profile: profile, referenceYear: Timestamp.now().year,
            delimiting: PayloadDelimiting(transport: device.transport))
        self.knownFingerprints = knownFingerprints
        self.unmatchedProfile = unmatchedProfile
        if let profile { self.device.profile = profile.name }
    }

    /// The same device read under another profile from the next payload on (a profile bundle
    /// was applied): the shapes it has sent stay known, so a fix raises no drift of its own.
    public func switching(to profile: DeviceProfile?, profileID: String) -> ScanEventBuilder {
        var device = self.device
        device.profile = nil
        return ScanEventBuilder(
            device: device, profile: profile, knownFingerprints: knownFingerprints,
            unmatchedProfile: profile == nil ? profileID : nil)
    }

    public static func eventType(for profile: DeviceProfile?) -> EventType {
        profile?.decoder == .epc ? .rfidObserved : .barcodeScanned
    }

    public mutating func entries(
        for frame: LineFramer.Frame, limit: Int, at time: Timestamp = .now(), clockSynchronized: Bool = true
    ) -> [OutboxEntry] {
        switch frame {
        case .line(let bytes):
            if let unmatchedProfile {
                let message =
                    "no version of profile \(unmatchedProfile) matches firmware \(device.firmware ?? "(none)")"
                return [
                    quarantined(
                        bytes, code: "no_profile", problems: [.init(message: message)], at: time,
                        clockSynchronized: clockSynchronized)
                ]
            }
            switch interpreter.interpret(bytes) {
            case .accepted(let data, let fingerprint):
                var entries = drift(fingerprint, raw: bytes, at: time, clockSynchronized: clockSynchronized)
                var entry = OutboxEntry(
                    event: PendingEvent(
                        type: Self.eventType(for: interpreter.profile), occurredAt: time, device: device,
                        data: data.serializedBytes(), raw: bytes, clockSynchronized: clockSynchronized))
                if entries.isEmpty, let baseline = baselineEffect(fingerprint) { entry.effects.append(baseline) }
                entries.append(entry)
                return entries
            case .rejected(let code, let problems, let fingerprint):
                var entries =
                    fingerprint.map { drift($0, raw: bytes, at: time, clockSynchronized: clockSynchronized) } ?? []
                var notice = quarantined(
                    bytes, code: code, problems: problems, at: time, clockSynchronized: clockSynchronized)
                if entries.isEmpty, let fingerprint, let baseline = baselineEffect(fingerprint) {
                    notice.effects.append(baseline)
                }
                entries.append(notice)
                return entries
            }
        case .oversize(let prefix, let totalLength):
            let rejection = PayloadRejection.oversize(length: totalLength, limit: limit)
            return [
                quarantined(
                    prefix, code: rejection.code, problems: [.init(message: rejection.description)], at: time,
                    clockSynchronized: clockSynchronized, length: totalLength)
            ]
        }
    }

    public func incomplete(_ bytes: [UInt8], at time: Timestamp = .now(), clockSynchronized: Bool = true)
        -> OutboxEntry
    {
        let rejection = PayloadRejection.incompleteAtDisconnect(length: bytes.count)
        return quarantined(
            bytes, code: rejection.code, problems: [.init(message: rejection.description)], at: time,
            clockSynchronized: clockSynchronized)
    }

    /// Bytes a reader codec could not frame, kept for diagnosis (bounded by the caller).
    public func rejected(
        _ raw: [UInt8], code: String, message: String, length: Int, at time: Timestamp, clockSynchronized: Bool = true
    ) -> OutboxEntry {
        quarantined(
            raw, code: code, problems: [.init(message: message)], at: time, clockSynchronized: clockSynchronized,
            length: length)
    }

    /// Shapes are tracked for structured payloads; free text from a plain scanner varies with
    /// every product and would only raise noise.
    private var tracksShapes: Bool {
        switch interpreter.profile?.decoder {
        case .json?: true
        // Label formats legitimately vary from product to product; they are a contract (and
        // their change a drift) only where the profile pins them with a schema.
        case .gs1?, .epc?: interpreter.profile?.schema != nil
        default: false
        }
    }

    /// The first shape a device ever sends is its baseline, recorded without an alert.
    private mutating func baselineEffect(_ fingerprint: StructuralFingerprint) -> OutboxEffect? {
        guard tracksShapes, knownFingerprints.isEmpty else { return nil }
        knownFingerprints.insert(fingerprint.identifier)
        return .fingerprint(id: fingerprint.identifier, paths: fingerprint.paths)
    }

    private mutating func drift(
        _ fingerprint: StructuralFingerprint, raw: [UInt8], at time: Timestamp, clockSynchronized: Bool
    ) -> [OutboxEntry] {
        guard tracksShapes, !knownFingerprints.isEmpty, !knownFingerprints.contains(fingerprint.identifier) else {
            return []
        }
        let previous = knownFingerprints.sorted()
        knownFingerprints.insert(fingerprint.identifier)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("fingerprint", fingerprint.identifier)
        writer.key("paths")
        writer.beginArray()
        for path in fingerprint.paths { writer.string(path) }
        writer.endArray()
        writer.key("previous")
        writer.beginArray()
        for id in previous { writer.string(id) }
        writer.endArray()
        writer.field("profile", device.profile)
        writer.field("example_raw", Base64.encode(raw))
        writer.endObject()
        let detail =
            "device \(device.id) sent a payload shape never seen before (\(fingerprint.paths.joined(separator: ", ")))"
        return [
            OutboxEntry(
                event: PendingEvent(
                    type: .schemaDriftDetected, occurredAt: time, device: device, data: writer.bytes, raw: nil,
                    clockSynchronized: clockSynchronized),
                effects: [
                    .fingerprint(id: fingerprint.identifier, paths: fingerprint.paths),
                    .alert(kind: "schema_drift", detail: detail),
                ])
        ]
    }

    private func quarantined(
        _ raw: [UInt8], code: String, problems: [PayloadInterpreter.Problem], at time: Timestamp,
        clockSynchronized: Bool = true, length: Int? = nil
    ) -> OutboxEntry {
        let id = UUIDv7(timestamp: time)
        let errors = Self.errorsJSON(problems)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("quarantine_id", id.description)
        writer.field("profile", device.profile)
        writer.field("reason", code)
        writer.key("errors")
        writer.raw(errors)
        writer.field("length", Int64(length ?? raw.count))
        writer.endObject()
        return OutboxEntry(
            event: PendingEvent(
                id: id, type: .payloadQuarantined, occurredAt: time, device: device, data: writer.bytes, raw: nil,
                clockSynchronized: clockSynchronized),
            effects: [
                .quarantine(
                    QuarantineRecord(
                        reasonCode: code, reason: problems.first?.message ?? code, raw: raw, profile: device.profile,
                        errorsJSON: String(decoding: errors, as: UTF8.self), firmware: device.firmware))
            ])
    }

    static func errorsJSON(_ problems: [PayloadInterpreter.Problem]) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginArray()
        for problem in problems.prefix(50) {
            writer.beginObject()
            writer.field("instance", problem.instance)
            writer.field("schema", problem.schema)
            writer.field("message", problem.message)
            writer.endObject()
        }
        writer.endArray()
        return writer.bytes
    }
}
