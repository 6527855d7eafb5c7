/// The character format of a serial line: readers differ (many RFID readers use 8E1 or
/// 57600 8N1), and the wrong one turns every frame into garbage.
public struct SerialLineSettings: Sendable, Hashable, CustomStringConvertible {
    public enum Parity: String, Sendable, Hashable, CaseIterable {
        case none, even, odd
    }

    public var baud: Int
    public var parity: Parity
    public var stopBits: Int

    public init(baud: Int, parity: Parity = .none, stopBits: Int = 1) {
        self.baud = baud
        self.parity = parity
        self.stopBits = stopBits
    }

    /// `115200 8N1` style, as reader manuals print it.
    public var description: String {
        let letter =
            switch parity {
            case .none: "N"
            case .even: "E"
            case .odd: "O"
            }
        return "\(baud) 8\(letter)\(stopBits)"
    }
}
