import ScanBridgeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads one hotplugged device node (evdev, hidraw) from open until it goes away.
///
/// Unlike a configured serial port, a hotplugged node is not waited for: when it disappears
/// the source ends, and discovery starts a new one if the device comes back (often under a
/// new node name). Reading works as for serial ports (see ``DeviceReadLoop``).
public final class NodeInputSource: @unchecked Sendable {
    public typealias Input = DeviceInput
    /// Opens the node and prepares it (grab, clock); returns the file descriptor.
    public typealias Opener = @Sendable (String) throws(DeviceError) -> Int32

    public let path: String
    public var inputs: AsyncStream<Input> { loop.inputs }
    private let loop = DeviceReadLoop()
    private let opener: Opener

    public init(path: String, opener: @escaping Opener) {
        self.path = path
        self.opener = opener
    }

    public func start() {
        SystemThread.detach(name: "node " + path) { [self] in run() }
    }

    /// The consumer has handled the last `.bytes` (or `.timer`); the next may be read.
    public func acknowledge() { loop.acknowledge() }

    /// Stops reading (the device was removed, or the agent stops); the stream finishes.
    public func stop() { loop.stop() }

    /// Asks for a `.timer` once CLOCK_MONOTONIC passes `nanoseconds` (nil: none).
    public func setDeadline(_ nanoseconds: UInt64?) { loop.setDeadline(nanoseconds) }

    private func run() {
        defer { loop.finish() }
        let fd: Int32
        do { fd = try opener(path) } catch {
            loop.yield(.unavailable(error))
            return
        }
        defer { close(fd) }
        loop.yield(.opened)
        if let reason = loop.readUntilGone(fd) { loop.yield(.closed(reason: reason + " (unplugged)")) }
    }
}
