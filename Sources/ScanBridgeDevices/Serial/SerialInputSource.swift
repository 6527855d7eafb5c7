import ScanBridgeCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads one serial device for as long as the agent runs, reopening it whenever its node
/// goes away and comes back.
///
/// A dedicated thread sleeps in `poll` on the device and a wake pipe, so an idle device
/// costs no CPU. After each chunk (or timer) the thread waits until the consumer has handled
/// it (``acknowledge()``): meanwhile the kernel keeps buffering, so memory stays bounded and a
/// crash loses at most the one chunk being stored. While the device is absent, an inotify
/// watch on its directory wakes the thread when the node (or its by-id link) reappears. A port
/// another process holds is reported (``DeviceError/inUse(path:)``) and retried the same way.
///
/// Readers that speak a protocol also write (``send(_:)``), need a timer for inter-byte and
/// reply timeouts (``setDeadline(_:)``, delivered as `.timer` in the same stream so the
/// consumer never races itself), and want a last word before the port closes (the farewell
/// passed to ``stop(farewell:)``, e.g. "stop reading").
public final class SerialInputSource: @unchecked Sendable {
    public typealias Input = DeviceInput

    public let path: String
    public let settings: SerialLineSettings
    public var baud: Int { settings.baud }
    public var inputs: AsyncStream<Input> { loop.inputs }
    private let loop = DeviceReadLoop()
    private let retryMilliseconds: Int32
    /// Asked before every open: nil when the node may be opened, else why not (a discovered
    /// port whose node now belongs to another device, ``SerialPortOwner``).
    private let verify: (@Sendable () -> DeviceError?)?
    /// The bytes to write before closing, and the open port (commands are written to it).
    private let state = Mutex<(farewell: [UInt8], port: SerialPort?)>(([], nil))

    public convenience init(path: String, baud: Int, retryMilliseconds: Int32 = 2000) {
        self.init(path: path, settings: SerialLineSettings(baud: baud), retryMilliseconds: retryMilliseconds)
    }

    public init(
        path: String, settings: SerialLineSettings, retryMilliseconds: Int32 = 2000,
        verify: (@Sendable () -> DeviceError?)? = nil
    ) {
        self.path = path
        self.settings = settings
        self.retryMilliseconds = retryMilliseconds
        self.verify = verify
    }

    public func start() {
        SystemThread.detach(name: "serial " + path) { [self] in run() }
    }

    /// The consumer has durably handled the last `.bytes` chunk (or `.timer`); the next may be read.
    public func acknowledge() {
        loop.acknowledge()
    }

    /// Stops reading; the input stream finishes once the device is closed. `farewell` is
    /// written to the device (if open) just before it is closed.
    public func stop(farewell: [UInt8]) {
        state.withLock { $0.farewell = farewell }
        loop.stop()
    }

    /// Asks for a `.timer` input once CLOCK_MONOTONIC passes `nanoseconds` (nil: none). A timer
    /// fires at most once per call and only while the device is open.
    public func setDeadline(_ nanoseconds: UInt64?) {
        loop.setDeadline(nanoseconds)
    }

    /// Writes a command to the device; fails when it is not open.
    public func send(_ bytes: [UInt8]) throws(DeviceError) {
        try state.withLock { (state: inout (farewell: [UInt8], port: SerialPort?)) throws(DeviceError) in
            guard let port = state.port else { throw .notFound(path: path) }
            try port.write(bytes)
        }
    }

    private func run() {
        var lastProblem: DeviceError?
        while !loop.isStopping {
            let port: SerialPort
            do throws(DeviceError) {
                if let problem = verify?() { throw problem }
                port = try SerialPort.open(path: path, settings: settings)
            } catch {
                if error != lastProblem {
                    loop.yield(.unavailable(error))
                    lastProblem = error
                }
                waitForNode(afterNotFound: error == .notFound(path: path))
                continue
            }
            lastProblem = nil
            state.withLock { $0.port = port }
            loop.clearDeadline()
            loop.yield(.opened)
            let reason = loop.readUntilGone(port.fileDescriptor)
            let farewell = state.withLock { state in
                state.port = nil
                return reason == nil ? state.farewell : []
            }
            if !farewell.isEmpty {
                try? port.write(farewell)
                tcdrain(port.fileDescriptor)
            }
            if let reason { loop.yield(.closed(reason: reason)) }
        }
        loop.finish()
    }

    /// Sleeps until the device's directory changes, the retry interval passes, or the
    /// source stops.
    private func waitForNode(afterNotFound: Bool) {
        let directory = PathText.directory(of: path)
        let inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        defer { if inotify >= 0 { close(inotify) } }
        if inotify >= 0 {
            _ = inotify_add_watch(
                inotify, directory.isEmpty ? "." : directory,
                UInt32(IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF))
        }
        // The node may have appeared between the failed open and the watch.
        if afterNotFound, access(path, F_OK) == 0 { return }
        var fds = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: loop.wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, 2, retryMilliseconds)
        if fds[1].revents != 0 { loop.wakePipe.drain() }
    }
}
