/// The event types of the wire format; integrators switch on these strings.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case barcodeScanned = "barcode.scanned"
    case rfidObserved = "rfid.observed"
    case payloadQuarantined = "payload.quarantined"
    case payloadReleased = "payload.released"
    case deviceAttached = "device.attached"
    case deviceDetached = "device.detached"
    case deviceFirmwareChanged = "device.firmware_changed"
    case schemaDriftDetected = "schema.drift_detected"
    /// The agent moved to a new signing key; the event carries the hand-over signed by both keys.
    case agentKeyRotated = "agent.key_rotated"
    /// A signed profile bundle is now in force: its name, version, the SHA-256 of its JWS and
    /// the profiles it changed. It precedes the payloads the bundle releases from quarantine.
    case profilesUpdated = "profiles.updated"
}
