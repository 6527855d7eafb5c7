/// How to drive a reader that speaks a protocol: its line format, the commands that put it
/// into continuous inventory, and how to tell it has gone quiet.
///
/// Commands are data (a command byte and its parameters as hex), so a reader whose firmware
/// wants another power level or antenna plan needs a profile change, not a release; the
/// codec adds framing and CRC.
public struct ReaderSettings: Sendable, Equatable {
    public struct Command: Sendable, Equatable {
        public var command: UInt8
        public var data: [UInt8]

        public init(command: UInt8, data: [UInt8] = []) {
            self.command = command
            self.data = data
        }
    }

    public var baud: Int?
    /// `none`, `even` or `odd`.
    public var parity: String?
    public var stopBits: Int?
    /// Chafon reader address (0xFF: broadcast, any reader answers).
    public var address: UInt8?
    /// Line readers: a regular expression with named captures `epc`, `antenna`, `rssi`, `count`.
    public var pattern: String?
    /// Sent in order after every open; each waits for its reply or the reply timeout.
    public var start: [Command] = []
    /// Sent once on shutdown, before the port closes.
    public var stop: [Command] = []
    /// Answer-mode readers: the inventory request repeated every `pollIntervalMilliseconds`.
    public var poll: Command?
    public var pollIntervalMilliseconds = 200
    public var replyTimeoutMilliseconds = 1000
    /// A reader in continuous mode that sends nothing for this long is sent `start` again
    /// (continuous readers send keep-alives; silence means it lost its mode, e.g. a power dip).
    public var restartAfterQuietMilliseconds: Int?
    /// How long a partial frame may wait for its next byte before it is given up. Readers send
    /// a frame's bytes back to back, but USB-serial adapters deliver in bursts (an FTDI's
    /// latency timer is 16 ms), so the default leaves room for that.
    public var interByteTimeoutMilliseconds: Int?

    public init() {}
}
