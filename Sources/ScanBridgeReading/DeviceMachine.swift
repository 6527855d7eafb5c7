import ScanBridgePayloads

/// One device's reading logic, whatever its kind: a value driven by inputs that answers
/// with what to do. It reads no clock, opens nothing and writes nowhere, so every kind is
/// tested with scripted inputs; one runner in the agent drives any of them.
public protocol DeviceMachine: Sendable, ProfileSwitching {
    mutating func handle(_ input: ReadingInput) -> Reaction
}

/// A machine whose payloads are judged under a profile that can change while it reads.
public protocol ProfileSwitching {
    /// Judges every payload from the next input on under `profile` (nil: none matches
    /// `profileID` any more); what the machine holds half-read is kept.
    mutating func switchProfile(to profile: DeviceProfile?, profileID: String)
}
