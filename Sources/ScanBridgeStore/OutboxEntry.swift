import ScanBridgeCore

/// Something a reader hands to the outbox: an event, and for a rejected payload the
/// quarantine record that keeps its raw bytes locally, committed in the same transaction.
public struct OutboxEntry: Sendable {
    public var event: PendingEvent
    public var quarantine: QuarantineRecord?

    public init(event: PendingEvent, quarantine: QuarantineRecord? = nil) {
        self.event = event
        self.quarantine = quarantine
    }
}

/// A payload held back from upstream, with the bytes as received.
public struct QuarantineRecord: Sendable {
    public var reasonCode: String
    public var reason: String
    public var raw: [UInt8]
    public var profile: String?

    public init(reasonCode: String, reason: String, raw: [UInt8], profile: String?) {
        self.reasonCode = reasonCode
        self.reason = reason
        self.raw = raw
        self.profile = profile
    }
}
