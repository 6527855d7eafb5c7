/// One device's reading logic, whatever its kind: a value driven by inputs that answers
/// with what to do. It reads no clock, opens nothing and writes nowhere, so every kind is
/// tested with scripted inputs; one runner in the agent drives any of them.
public protocol DeviceMachine: Sendable {
    mutating func handle(_ input: ReadingInput) -> Reaction
}
