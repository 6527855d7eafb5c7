import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeStore

/// Turns framed payloads into outbox entries: a scan event for good text, a quarantine
/// record plus a `payload.quarantined` notice (without the payload's bytes or values) for
/// anything rejected.
public struct ScanEventBuilder: Sendable {
    public var device: DeviceIdentity

    public init(device: DeviceIdentity) {
        self.device = device
    }

    public func entry(
        for frame: LineFramer.Frame, limit: Int, at time: Timestamp = .now(), clockSynchronized: Bool = true
    ) -> OutboxEntry {
        switch frame {
        case .line(let bytes):
            switch ScanText.validate(bytes) {
            case .success(let text):
                return OutboxEntry(
                    event: PendingEvent(
                        type: .barcodeScanned, occurredAt: time, device: device, data: BarcodeData.json(text: text),
                        raw: bytes, clockSynchronized: clockSynchronized))
            case .failure(let rejection):
                return quarantined(bytes, rejection, length: bytes.count, at: time, clockSynchronized: clockSynchronized)
            }
        case .oversize(let prefix, let totalLength):
            return quarantined(
                prefix, .oversize(length: totalLength, limit: limit), length: totalLength, at: time,
                clockSynchronized: clockSynchronized)
        }
    }

    public func incomplete(_ bytes: [UInt8], at time: Timestamp = .now()) -> OutboxEntry {
        quarantined(bytes, .incompleteAtDisconnect(length: bytes.count), length: bytes.count, at: time)
    }

    private func quarantined(
        _ raw: [UInt8], _ rejection: PayloadRejection, length: Int, at time: Timestamp, clockSynchronized: Bool = true
    ) -> OutboxEntry {
        let id = UUIDv7(timestamp: time)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("quarantine_id", id.description)
        writer.field("reason", rejection.code)
        writer.field("detail", rejection.description)
        writer.field("length", Int64(length))
        writer.endObject()
        return OutboxEntry(
            event: PendingEvent(
                id: id, type: .payloadQuarantined, occurredAt: time, device: device, data: writer.bytes, raw: nil,
                clockSynchronized: clockSynchronized),
            quarantine: QuarantineRecord(
                reasonCode: rejection.code, reason: rejection.description, raw: raw, profile: device.profile))
    }
}

/// The `data` of a `barcode.scanned` event.
enum BarcodeData {
    static func json(text: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", text)
        writer.endObject()
        return writer.bytes
    }
}
