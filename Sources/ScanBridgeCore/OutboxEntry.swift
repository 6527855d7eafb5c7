/// Something a reader hands to the outbox: an event, plus the local records that must be
/// committed in the same transaction (a quarantine record with the raw bytes, a new payload
/// fingerprint, an alert, the device's new firmware, a quarantine entry being released).
/// Either all of it is stored or none, so an alert or a release happens exactly once.
public struct OutboxEntry: Sendable {
    public var event: PendingEvent
    public var effects: [OutboxEffect]

    public init(event: PendingEvent, effects: [OutboxEffect] = []) {
        self.event = event
        self.effects = effects
    }

    public init(event: PendingEvent, quarantine: QuarantineRecord?) {
        self.init(event: event, effects: quarantine.map { [.quarantine($0)] } ?? [])
    }

    public var quarantine: QuarantineRecord? {
        for effect in effects { if case .quarantine(let record) = effect { return record } }
        return nil
    }
}

public enum OutboxEffect: Sendable {
    /// Keep the payload locally; its id is the event's id.
    case quarantine(QuarantineRecord)
    /// Remember a payload shape for the event's device.
    case fingerprint(id: String, paths: [String])
    /// Raise an operator alert for the event's device.
    case alert(kind: String, detail: String)
    /// Record the device (and its firmware) as now seen.
    case device(DeviceRecord)
    /// Mark a held quarantine entry released by this event; fails the whole transaction if it
    /// is no longer held, so a payload is released at most once.
    case release(quarantineID: String)
}

/// A payload held back from upstream, with the bytes as received.
public struct QuarantineRecord: Sendable {
    public var reasonCode: String
    public var reason: String
    public var raw: [UInt8]
    public var profile: String?
    /// The validator's findings as a JSON array of `{instance, schema, message}`.
    public var errorsJSON: String
    public var firmware: String?

    public init(
        reasonCode: String, reason: String, raw: [UInt8], profile: String?, errorsJSON: String = "[]",
        firmware: String? = nil
    ) {
        self.reasonCode = reasonCode
        self.reason = reason
        self.raw = raw
        self.profile = profile
        self.errorsJSON = errorsJSON
        self.firmware = firmware
    }
}

/// What the agent remembers of a device between runs.
public struct DeviceRecord: Sendable, Equatable {
    public var id: String
    public var path: String?
    public var vendorID: String?
    public var productID: String?
    public var serial: String?
    public var firmware: String?
    public var transport: String
    public var profile: String?

    public init(
        id: String, path: String?, vendorID: String? = nil, productID: String? = nil, serial: String? = nil,
        firmware: String?, transport: String, profile: String?
    ) {
        self.id = id
        self.path = path
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.firmware = firmware
        self.transport = transport
        self.profile = profile
    }
}
