import ScanBridgeCore
import Synchronization

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
    /// A hidraw node takes output reports (a HID POS scanner's beep); an evdev node takes nothing.
    private let acceptsWrites: Bool
    /// The open descriptor, for ``write(_:)``; nil while closed.
    private let descriptor = Mutex<Int32?>(nil)

    public init(path: String, opener: @escaping Opener, acceptsWrites: Bool = false) {
        self.path = path
        self.opener = opener
        self.acceptsWrites = acceptsWrites
    }

    /// Writes one whole report (hidraw takes a report per `write`, its id first).
    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard acceptsWrites else { throw .readOnly(path: path) }
        try descriptor.withLock { (descriptor: inout Int32?) throws(DeviceError) in
            guard let descriptor else { throw .notFound(path: path) }
            while true {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written == bytes.count { return }
                let code = errno
                if written < 0, code == EINTR { continue }
                if written < 0, code == EBADF { throw .notWritable(path: path) }
                throw .system(path: path, call: "write", errno: written < 0 ? code : EIO)
            }
        }
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
        descriptor.withLock { $0 = fd }
        defer {
            descriptor.withLock { $0 = nil }
            close(fd)
        }
        loop.yield(.opened)
        if let reason = loop.readUntilGone(fd) { loop.yield(.closed(reason: reason + " (unplugged)")) }
    }
}
