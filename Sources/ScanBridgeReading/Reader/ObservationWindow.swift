import ScanBridgeCore
import ScanBridgePayloads

/// One tag seen on one antenna of one reader, however many times the reader reported it.
public struct TagObservation: Sendable, Equatable {
    public var epc: [UInt8]
    public var antenna: Int?
    /// The strongest RSSI reported, in dBm where the protocol defines dBm.
    public var rssiDBm: Int?
    /// The strongest raw RSSI, where the protocol gives no unit.
    public var rssiRaw: Int?
    /// The reader's own read counts summed (reports counted where it gives none).
    public var reads: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// The bytes of the first report, kept as the event's `raw`.
    public var frame: [UInt8]
}

/// Turns a reader's stream of reports into observations: reads of the same (antenna, EPC)
/// within `window` of the first one are merged.
///
/// The window is fixed from the first read (not extended by later ones), so a tag that
/// stays in the field is reported every window rather than never; windows close in the order
/// they opened, which keeps the outbox in the order tags were first seen. Times are
/// CLOCK_MONOTONIC nanoseconds (wall-clock steps must not stretch or cut a window).
public struct ObservationWindow: Sendable {
    private struct Key: Hashable {
        var antenna: Int?
        var epc: [UInt8]
    }

    private struct Open {
        var observation: TagObservation
        var closesAt: UInt64
    }

    public let windowNanoseconds: UInt64
    private var open: [Key: Open] = [:]
    /// Keys in the order their windows opened (and so will close).
    private var order: [Key] = []
    private var orderStart = 0

    public init(windowMilliseconds: Int) {
        windowNanoseconds = UInt64(max(0, windowMilliseconds)) * 1_000_000
    }

    public var openCount: Int { open.count }

    /// When the oldest open window closes.
    public var deadline: UInt64? {
        guard orderStart < order.count else { return nil }
        return open[order[orderStart]]?.closesAt
    }

    /// Adds one report; returns the observations whose windows closed by `now` (with a zero
    /// window, this read's own).
    public mutating func add(_ read: TagRead, now: UInt64, at time: Timestamp) -> [TagObservation] {
        var closed = expire(now: now)
        let key = Key(antenna: read.antenna, epc: read.epc)
        let count = max(1, read.readCount)
        if var existing = open[key] {
            existing.observation.reads += count
            existing.observation.lastSeen = time
            if let rssi = read.rssiDBm {
                existing.observation.rssiDBm = max(existing.observation.rssiDBm ?? rssi, rssi)
            }
            if let rssi = read.rssiRaw {
                existing.observation.rssiRaw = max(existing.observation.rssiRaw ?? rssi, rssi)
            }
            open[key] = existing
            return closed
        }
        let observation = TagObservation(
            epc: read.epc, antenna: read.antenna, rssiDBm: read.rssiDBm, rssiRaw: read.rssiRaw, reads: count,
            firstSeen: time, lastSeen: time, frame: read.frame)
        if windowNanoseconds == 0 {
            closed.append(observation)
            return closed
        }
        open[key] = Open(observation: observation, closesAt: now &+ windowNanoseconds)
        order.append(key)
        return closed
    }

    /// Closes every window that has run its length by `now`.
    public mutating func expire(now: UInt64) -> [TagObservation] {
        var closed: [TagObservation] = []
        while orderStart < order.count, let entry = open[order[orderStart]], entry.closesAt <= now {
            closed.append(entry.observation)
            open[order[orderStart]] = nil
            orderStart += 1
        }
        compact()
        return closed
    }

    /// Closes every window (device gone, shutdown): no read is lost in an open window.
    public mutating func closeAll() -> [TagObservation] {
        let closed = order[orderStart...].compactMap { open[$0]?.observation }
        open.removeAll()
        order.removeAll()
        orderStart = 0
        return closed
    }

    private mutating func compact() {
        if orderStart > 1024, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
