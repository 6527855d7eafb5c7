import Foundation
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire

/// A small fleet for the console tests, stored straight through the store's acceptance:
/// - `agent-current`: a scan that occurred just now;
/// - `agent-lagging`: a scan that occurred two hours ago, sent just now (an agent catching up);
/// - `agent-drifting`: current, with device `scale-1` attached, a firmware change, a payload
///   shape drift and a held payload — an open drift alert.
enum ConsoleFleetFixture {
    static let agents = ["agent-current", "agent-lagging", "agent-drifting"]

    static func populate(_ store: any ReceiverStorage) async throws {
        let now = Timestamp.now()
        try await send(store, agentID: "agent-current", events: [scan(at: now)])
        try await send(store, agentID: "agent-lagging", events: [scan(at: now.adding(microseconds: -7_200_000_000))])
        let scale = DeviceIdentity(id: "scale-1", firmware: "2.1", transport: .serial, profile: "acme-scale@2")
        try await send(
            store, agentID: "agent-drifting",
            events: [
                notice(
                    .deviceAttached, device: scale, at: now, data: #"{"devnode":"/dev/ttyUSB0","matched_by":"path"}"#),
                notice(
                    .deviceFirmwareChanged, device: scale, at: now,
                    data: #"{"old":"2.0","new":"2.1","profile":"acme-scale@2"}"#),
                notice(
                    .schemaDriftDetected, device: scale, at: now,
                    data:
                        #"{"fingerprint":"f2","paths":["/qty"],"previous":"f1","profile":"acme-scale@2","example_raw":"e30="}"#
                ),
                notice(
                    .payloadQuarantined, device: scale, at: now,
                    data:
                        #"{"quarantine_id":7,"profile":"acme-scale@2","reason":"schema: /qty must be a string","errors":[],"length":12}"#
                ),
                scan(at: now),
            ])
    }

    static func scan(at time: Timestamp) -> PendingEvent {
        PendingEvent(
            type: .barcodeScanned, occurredAt: time, device: DeviceIdentity(id: "wedge-1", transport: .hidKeyboard),
            data: Array(#"{"text":"]C10109501101530003"}"#.utf8), raw: Array("]C10109501101530003".utf8))
    }

    static func notice(_ type: EventType, device: DeviceIdentity, at time: Timestamp, data: String) -> PendingEvent {
        PendingEvent(type: type, occurredAt: time, device: device, data: Array(data.utf8), raw: nil)
    }

    /// Enrols a new key for `agentID` and stores one batch of `events` (seq 1…) signed by it.
    static func send(_ store: any ReceiverStorage, agentID: String, events: [PendingEvent]) async throws {
        let key = SigningKey()
        _ = try await store.enrol([key.publicJWK], agentID: agentID)
        var factory = BatchFactory(key: key, agentID: agentID)
        let (body, jws) = try factory.next(
            events.enumerated().map { $1.serialized(seq: Int64($0) + 1) }, signedBy: key)
        let acceptance = try await store.accept(try WireBatch.parse(body), body: body, signature: jws, kid: key.kid)
        guard acceptance == .accepted else { throw FixtureError("\(agentID): \(acceptance)") }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
