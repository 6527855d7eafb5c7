/// An event as a reader produced it, before the outbox gives it its sequence number.
///
/// `data` is already one JSON object, written by the decoder that understood the payload;
/// the outbox stores the final event bytes once, and every batch reuses them unchanged.
public struct PendingEvent: Sendable {
    public var id: UUIDv7
    public var type: EventType
    public var occurredAt: Timestamp
    public var device: DeviceIdentity
    public var data: [UInt8]
    /// The bytes the device sent for this payload, without the line terminator; `nil` for
    /// events that carry none (device lifecycle, quarantine notices).
    public var raw: [UInt8]?
    /// `false` when the system clock was not synchronised as the event occurred: the event
    /// then says `"clock": "unsynced"`, so nobody mistakes its time for a verified one.
    public var clockSynchronized: Bool

    public init(
        id: UUIDv7? = nil, type: EventType, occurredAt: Timestamp, device: DeviceIdentity,
        data: [UInt8], raw: [UInt8]?, clockSynchronized: Bool = true
    ) {
        self.id = id ?? UUIDv7(timestamp: occurredAt)
        self.type = type
        self.occurredAt = occurredAt
        self.device = device
        self.data = data
        self.raw = raw
        self.clockSynchronized = clockSynchronized
    }

    /// The event's wire bytes once `seq` is known.
    public func serialized(seq: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + data.count + (raw?.count ?? 0) * 4 / 3)
        writer.beginObject()
        writer.field("id", id.description)
        writer.field("seq", seq)
        writer.field("type", type.rawValue)
        writer.field("occurred_at", occurredAt.iso8601)
        if !clockSynchronized { writer.field("clock", "unsynced") }
        writer.key("device")
        device.write(to: &writer)
        writer.key("data")
        writer.raw(data)
        if let raw {
            writer.field("raw", Base64.encode(raw))
        }
        writer.endObject()
        return writer.bytes
    }
}
