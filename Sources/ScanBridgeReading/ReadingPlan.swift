import ScanBridgePayloads

/// Which machine reads a device, with its settings: what the agent knows before it attaches
/// the device; the machine itself is made once the device's history is loaded.
public enum ReadingPlan: Sendable {
    /// Text lines: a serial scanner, a USB vendor-class stream.
    case lines(maxLineBytes: Int, floodWindowMilliseconds: Int = 10_000)
    /// A reader protocol (or RFID lines): observations, commands, deduplication.
    case reader(ReaderCodec, dedupWindowMilliseconds: Int)
    /// A keyboard-wedge scanner's evdev node.
    case keyboard(KeystrokeDecoder, maxLineBytes: Int)
    /// A HID POS scanner's hidraw node.
    case hidPOS(HIDPOSScanDecoder, maxLineBytes: Int)

    public func makeMachine(builder: ScanEventBuilder) -> any DeviceMachine {
        switch self {
        case .lines(let maxLineBytes, let window):
            LineScannerMachine(builder: builder, maxLineBytes: maxLineBytes, floodWindowMilliseconds: window)
        case .reader(let codec, let window):
            ReaderMachine(codec: codec, builder: builder, dedupWindowMilliseconds: window)
        case .keyboard(let decoder, let maxLineBytes):
            NodeScannerMachine(
                decoder: KeyboardScanDecoder(decoder: decoder), builder: builder, maxLineBytes: maxLineBytes)
        case .hidPOS(let decoder, let maxLineBytes):
            NodeScannerMachine(decoder: decoder, builder: builder, maxLineBytes: maxLineBytes)
        }
    }

    /// Written to the device just before it closes when the agent stops (a reader's stop commands).
    public var farewell: [UInt8] {
        if case .reader(let codec, _) = self { return codec.farewell }
        return []
    }

    /// What the status page calls it.
    public var kind: String {
        if case .reader = self { return "reader" }
        return "scanner"
    }

    /// For the log.
    public var name: String {
        switch self {
        case .lines: "lines"
        case .reader(let codec, _): codec.framing.rawValue
        case .keyboard: "keyboard"
        case .hidPOS: "hid-pos"
        }
    }
}
