import ScanBridgePayloads

/// A reader's protocol as the runner uses it: a fresh frame decoder per open, the command
/// encoder for its session, and the stop commands for shutdown.
public struct ReaderCodec: Sendable {
    public let framing: Framing
    public let settings: ReaderSettings
    public let maxLineBytes: Int
    /// The line pattern (RFID line readers only).
    public let pattern: String
    /// Whether tag bytes are EPC memory (EM4100 ids are not).
    public let decodesEPC: Bool
    /// The inter-byte timeout: the device's override, the profile's, else 50 ms (200 ms for
    /// text lines), wide enough for USB-serial adapters' latency timers.
    public let interByteTimeoutNanoseconds: UInt64

    /// One EPC in hex per line, optionally followed by antenna and RSSI, comma-separated.
    public static let defaultLinePattern =
        #"^(?<epc>[0-9A-Fa-f]{4,124})(?:,(?<antenna>\d{1,3}))?(?:,(?<rssi>-?\d{1,4}))?$"#

    /// `nil` for plain barcode lines: those stay on the scan path.
    public static func make(
        framing: Framing, profile: DeviceProfile?, maxLineBytes: Int,
        interByteTimeoutMilliseconds: Int? = nil
    ) -> ReaderCodec? {
        if framing == .lines, profile?.decoder != .epc { return nil }
        let settings = profile?.reader ?? ReaderSettings()
        let milliseconds =
            interByteTimeoutMilliseconds ?? settings.interByteTimeoutMilliseconds ?? (framing == .lines ? 200 : 50)
        return ReaderCodec(
            framing: framing, settings: settings, maxLineBytes: maxLineBytes,
            pattern: settings.pattern ?? defaultLinePattern, decodesEPC: framing != .stxHexXor,
            interByteTimeoutNanoseconds: UInt64(milliseconds) * 1_000_000)
    }

    /// Checks what can fail before the device is opened (the line pattern), so a bad profile
    /// stops the start instead of the reader.
    public func validate() throws {
        if framing == .lines { _ = try ReaderLineDecoder(pattern: pattern, maxLineBytes: maxLineBytes) }
    }

    public func makeDecoder() -> any ReaderFrameDecoder {
        let timeout = interByteTimeoutNanoseconds
        switch framing {
        case .mercury: return MercuryDecoder(interByteTimeoutNanos: timeout)
        case .chafon:
            return ChafonDecoder(
                address: settings.address.flatMap { $0 == 0xFF ? nil : $0 }, interByteTimeoutNanos: timeout)
        case .stxHexXor: return EM4100Decoder(interByteTimeoutNanos: timeout)
        case .lines:
            // The pattern was checked when the agent started (`Agent.init`).
            return
                (try? ReaderLineDecoder(pattern: pattern, maxLineBytes: maxLineBytes, interByteTimeoutNanos: timeout))
                ?? (try! ReaderLineDecoder(
                    pattern: Self.defaultLinePattern, maxLineBytes: maxLineBytes, interByteTimeoutNanos: timeout))
        }
    }

    public func encode(_ command: ReaderSettings.Command) -> [UInt8] {
        switch framing {
        case .mercury: return MercuryFrame.command(opcode: command.command, data: command.data)
        case .chafon:
            return ChafonFrame.command(address: settings.address ?? 0xFF, command: command.command, data: command.data)
        case .stxHexXor, .lines: return command.data
        }
    }

    public func makeSession() -> ReaderSession {
        let codec = self
        return ReaderSession(settings: settings, encode: { codec.encode($0) })
    }

    public var farewell: [UInt8] { settings.stop.flatMap(encode) }
}
