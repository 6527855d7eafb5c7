import Foundation
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading

/// Drives a device machine with scripted inputs on an injected clock: no device, no sleep.
struct ReadingScript<Machine: DeviceMachine> {
    static var epoch: Int64 { 1_800_000_000_000_000 }

    var machine: Machine
    /// Milliseconds since the script began.
    var milliseconds: UInt64 = 0
    var clockSynchronized = true
    /// Everything the machine answered, in order.
    private(set) var reactions: [Reaction] = []

    init(_ machine: Machine) {
        self.machine = machine
    }

    var instant: ReadingInstant {
        ReadingInstant(
            monotonic: milliseconds * 1_000_000,
            wall: Timestamp(microsecondsSinceEpoch: Self.epoch + Int64(milliseconds) * 1000),
            clockSynchronized: clockSynchronized)
    }

    @discardableResult
    mutating func send(_ input: (ReadingInstant) -> ReadingInput) -> Reaction {
        let reaction = machine.handle(input(instant))
        reactions.append(reaction)
        return reaction
    }

    @discardableResult
    mutating func open() -> Reaction { send { .opened($0) } }

    @discardableResult
    mutating func feed(_ bytes: [UInt8]) -> Reaction { send { .bytes(bytes, $0) } }

    @discardableResult
    mutating func feed(_ text: String) -> Reaction { feed(Array(text.utf8)) }

    /// Moves the clock on; fires the timer if the last reaction's deadline has passed.
    @discardableResult
    mutating func advance(milliseconds step: UInt64) -> Reaction? {
        milliseconds += step
        guard let deadline = reactions.last?.deadline, deadline <= instant.monotonic else { return nil }
        return send { .timer($0) }
    }

    @discardableResult
    mutating func close(_ reason: String = "hang-up") -> Reaction { send { .closed(reason: reason, $0) } }

    @discardableResult
    mutating func end(removed: Bool) -> Reaction { send { .ended(removed: removed, $0) } }

    var entries: [OutboxEntry] { reactions.flatMap(\.entries) }
    var types: [EventType] { entries.map(\.event.type) }
    var notes: [Note] { reactions.flatMap(\.notes) }
}

enum ReadingFixtures {
    /// `Tests/Fixtures` of this repository.
    static var directory: String {
        let file = #filePath
        return file[..<file.range(of: "/ScanBridgeReadingTests/")!.lowerBound] + "/Fixtures"
    }

    /// The highest built-in version of profile `id` matching the device.
    static func profile(
        _ id: String, vendorID: String? = nil, productID: String? = nil, firmware: String? = nil
    ) throws -> DeviceProfile? {
        try BuiltInProfiles.all().filter {
            $0.id == id && $0.matches(vendorID: vendorID, productID: productID, serial: nil, firmware: firmware)
        }.max { $0.version < $1.version }
    }

    static func builder(
        profile id: String = "serial-lines", transport: DeviceTransport = .serial, firmware: String? = nil
    ) throws -> ScanEventBuilder {
        ScanEventBuilder(
            device: DeviceIdentity(id: "dev", firmware: firmware, transport: transport),
            profile: try profile(id, firmware: firmware))
    }

    static func text(_ entry: OutboxEntry) -> String { String(decoding: entry.event.data, as: UTF8.self) }
}
