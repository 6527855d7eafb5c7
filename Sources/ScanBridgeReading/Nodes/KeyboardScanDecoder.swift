import ScanBridgePayloads

/// evdev `input_event`s through the keymap.
///
/// Event timestamps decide gaps between keys (they are what the kernel saw, however late the
/// agent reads them); the offset to CLOCK_MONOTONIC, learned on each read, turns the
/// decoder's deadline into a timer for the source, whichever clock stamps the events.
public struct KeyboardScanDecoder: NodeScanDecoder {
    public var decoder: KeystrokeDecoder
    private var remainder: [UInt8] = []
    /// Monotonic microseconds minus event microseconds at the last read.
    private var offset: Int64 = 0

    public init(decoder: KeystrokeDecoder) {
        self.decoder = decoder
    }

    public mutating func feed(_ bytes: [UInt8], receivedAt: UInt64) -> [NodeScanOutput] {
        let events = RawInputEvent.events(from: bytes, remainder: &remainder)
        if let last = events.last {
            offset = Int64(bitPattern: receivedAt / 1000) &- Int64(bitPattern: last.microseconds)
        }
        var outputs: [NodeScanOutput] = []
        for event in events {
            let key = KeyEvent(type: event.type, code: event.code, value: event.value, time: event.microseconds)
            outputs += decoder.feed(key).map(Self.convert)
        }
        return outputs
    }

    public var deadline: UInt64? {
        decoder.deadline.map { UInt64(clamping: (Int64(clamping: $0) &+ offset)) &* 1000 }
    }

    public mutating func expire(now: UInt64) -> [NodeScanOutput] {
        let eventTime = UInt64(clamping: Int64(bitPattern: now / 1000) &- offset)
        return decoder.expire(now: eventTime).map(Self.convert)
    }

    public mutating func flush(reason: String) -> [NodeScanOutput] {
        decoder.flush(reason: reason).map(Self.convert)
    }

    private static func convert(_ output: KeystrokeDecoder.Output) -> NodeScanOutput {
        switch output {
        case .scan(let bytes): .scan(bytes)
        case .rejected(let reason, let partial): .rejected(reason: reason, raw: partial)
        }
    }
}
