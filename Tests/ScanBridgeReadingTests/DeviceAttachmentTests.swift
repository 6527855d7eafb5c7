import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Attaching a device")
struct DeviceAttachmentTests {
    let device = DeviceIdentity(
        id: "usb:0c2e:0b61:S1", vendorID: "0c2e", productID: "0b61", firmware: "2.0", transport: .serial)
    let at = ReadingInstant(monotonic: 5, wall: Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000))

    func record(firmware: String?) -> DeviceRecord {
        DeviceRecord(id: device.id, path: "/dev/ttyACM0", firmware: firmware, transport: "serial", profile: nil)
    }

    func announcement() -> OutboxEntry {
        OutboxEntry(
            event: PendingEvent(
                type: .deviceAttached, occurredAt: at.wall, device: device, data: Array("{}".utf8), raw: nil,
                clockSynchronized: true))
    }

    @Test("a firmware change is an event with an alert, committed before the announcement and any payload")
    func firmwareChanged() throws {
        let attachment = DeviceAttachment(
            device: device, path: "/dev/ttyACM0", profileID: "serial-lines",
            profile: try ReadingFixtures.profile("serial-lines"),
            history: .init(previous: record(firmware: "1.0"), fingerprints: []), announcement: announcement(), at: at)
        #expect(attachment.entries.map(\.event.type) == [.deviceFirmwareChanged, .deviceAttached])
        let changed = try #require(attachment.entries.first)
        #expect(ReadingFixtures.text(changed) == #"{"old":"1.0","new":"2.0","profile":"serial-lines@1"}"#)
        #expect(changed.effects.contains { if case .alert(kind: "firmware_changed", _) = $0 { true } else { false } })
        #expect(changed.effects.contains { if case .device(let r) = $0 { r.firmware == "2.0" } else { false } })
        #expect(attachment.record == nil, "the event records the device in its own transaction")
        #expect(attachment.notes.map(\.level) == [.warning])
    }

    @Test("a configured port seen before with the same firmware is recorded directly, without events")
    func unchanged() throws {
        let attachment = DeviceAttachment(
            device: device, path: "/dev/ttyACM0", profileID: "serial-lines",
            profile: try ReadingFixtures.profile("serial-lines"),
            history: .init(previous: record(firmware: "2.0"), fingerprints: ["abc"]), announcement: nil, at: at)
        #expect(attachment.entries.isEmpty)
        #expect(attachment.record?.firmware == "2.0")
        #expect(attachment.builder.knownFingerprints == ["abc"])
    }

    @Test("without a profile version for the firmware, every payload is held with no_profile, and the operator is told")
    func noMatchingProfile() throws {
        let attachment = DeviceAttachment(
            device: device, path: "/dev/ttyACM0", profileID: "acme-scanner", profile: nil,
            history: .init(previous: nil, fingerprints: []), announcement: nil, at: at)
        #expect(attachment.notes.first?.level == .error)
        #expect(
            attachment.notes.first?.message.contains("no version of profile acme-scanner matches firmware 2.0") == true)
        var builder = attachment.builder
        let entries = builder.entries(for: .line(Array("ABC".utf8)), limit: 4096)
        #expect(entries.map(\.event.type) == [.payloadQuarantined])
        #expect(entries.first?.quarantine?.reasonCode == "no_profile")
    }

    @Test("a history that cannot be read records nothing and raises no firmware change")
    func unreadableHistory() throws {
        let attachment = DeviceAttachment(
            device: device, path: nil, profileID: "serial-lines", profile: try ReadingFixtures.profile("serial-lines"),
            history: nil, announcement: nil, at: at)
        #expect(attachment.entries.isEmpty && attachment.record == nil)
    }
}
