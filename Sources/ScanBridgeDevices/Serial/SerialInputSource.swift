import Foundation

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
/// watch on its directory wakes the thread when the node (or its by-id link) reappears.
///
/// Readers that speak a protocol also write (``send(_:)``), need a timer for inter-byte and
/// reply timeouts (``setDeadline(_:)``, delivered as `.timer` in the same stream so the
/// consumer never races itself), and want a last word before the port closes (the farewell
/// passed to ``stop(farewell:)``, e.g. "stop reading").
public final class SerialInputSource: @unchecked Sendable {
    public enum Input: Sendable, Equatable {
        case opened
        /// Bytes read, with the CLOCK_MONOTONIC time they were read at (nanoseconds).
        case bytes([UInt8], receivedAt: UInt64)
        /// The deadline set with ``setDeadline(_:)`` has passed (CLOCK_MONOTONIC nanoseconds now).
        case timer(UInt64)
        /// The device went away (unplugged, EIO, hang-up); the source waits for it to return.
        case closed(reason: String)
        /// The device cannot be opened; reported once per distinct problem.
        case unavailable(DeviceError)
    }

    public let path: String
    public let settings: SerialLineSettings
    public var baud: Int { settings.baud }
    public let inputs: AsyncStream<Input>
    private let continuation: AsyncStream<Input>.Continuation
    private let consumed = DispatchSemaphore(value: 0)
    private let wakePipe: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var stopping = false
    private var thread: Thread?
    private let retryMilliseconds: Int32
    private var deadline: UInt64?
    private var farewell: [UInt8] = []
    private var port: SerialPort?

    public convenience init(path: String, baud: Int, retryMilliseconds: Int32 = 2000) {
        self.init(path: path, settings: SerialLineSettings(baud: baud), retryMilliseconds: retryMilliseconds)
    }

    public init(path: String, settings: SerialLineSettings, retryMilliseconds: Int32 = 2000) {
        self.path = path
        self.settings = settings
        self.retryMilliseconds = retryMilliseconds
        (inputs, continuation) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .unbounded)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fatalError("pipe failed: \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakePipe = (fds[0], fds[1])
    }

    deinit {
        close(wakePipe.read)
        close(wakePipe.write)
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "serial " + path
        self.thread = thread
        thread.start()
    }

    /// The consumer has durably handled the last `.bytes` chunk (or `.timer`); the next may be read.
    public func acknowledge() {
        consumed.signal()
    }

    /// Stops reading; the input stream finishes once the device is closed. `farewell` is
    /// written to the device (if open) just before it is closed.
    public func stop(farewell: [UInt8] = []) {
        lock.withLock {
            stopping = true
            self.farewell = farewell
        }
        wake()
        consumed.signal()
    }

    /// Asks for a `.timer` input once CLOCK_MONOTONIC passes `nanoseconds` (nil: none). A timer
    /// fires at most once per call and only while the device is open.
    public func setDeadline(_ nanoseconds: UInt64?) {
        let earlier = lock.withLock {
            let earlier = nanoseconds.map { new in deadline.map { new < $0 } ?? true } ?? false
            deadline = nanoseconds
            return earlier
        }
        if earlier { wake() }
    }

    /// Writes a command to the device; fails when it is not open.
    public func send(_ bytes: [UInt8]) throws(DeviceError) {
        lock.lock()
        defer { lock.unlock() }
        guard let port else { throw .notFound(path: path) }
        try port.write(bytes)
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 64)
        while sink.withUnsafeMutableBytes({ read(wakePipe.read, $0.baseAddress, $0.count) }) > 0 {}
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func run() {
        var lastProblem: DeviceError?
        while !isStopping {
            let port: SerialPort
            do {
                port = try SerialPort.open(path: path, settings: settings)
            } catch {
                if error != lastProblem {
                    continuation.yield(.unavailable(error))
                    lastProblem = error
                }
                waitForNode(afterNotFound: error == .notFound(path: path))
                continue
            }
            lastProblem = nil
            lock.withLock {
                self.port = port
                deadline = nil
            }
            continuation.yield(.opened)
            let reason = readUntilGone(port)
            let farewell = lock.withLock {
                self.port = nil
                return reason == nil ? self.farewell : []
            }
            if !farewell.isEmpty {
                try? port.write(farewell)
                tcdrain(port.fileDescriptor)
            }
            if let reason { continuation.yield(.closed(reason: reason)) }
        }
        continuation.finish()
    }

    /// Reads until the device goes away (returns why) or the source stops (returns nil).
    private func readUntilGone(_ port: SerialPort) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = [
            pollfd(fd: port.fileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            var timeout: Int32 = -1
            if let deadline = lock.withLock({ deadline }) {
                let now = MonotonicClock.nanoseconds()
                // A deadline means "the line was quiet until then": bytes that arrived while the
                // consumer was busy are delivered first, so a slow commit never cuts a frame.
                var pending = pollfd(fd: port.fileDescriptor, events: Int16(POLLIN), revents: 0)
                if now >= deadline, poll(&pending, 1, 0) == 0 {
                    lock.withLock { self.deadline = nil }
                    continuation.yield(.timer(now))
                    consumed.wait()
                    if isStopping { return nil }
                    continue
                }
                timeout = now >= deadline ? 0 : Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            }
            let ready = poll(&fds, 2, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                return "poll failed: \(String(cString: strerror(errno)))"
            }
            if fds[1].revents != 0 { drainWakePipe() }
            if isStopping { return nil }
            if fds[0].revents == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(port.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                continuation.yield(.bytes(Array(buffer[0..<count]), receivedAt: MonotonicClock.nanoseconds()))
                consumed.wait()
                if isStopping { return nil }
                continue
            }
            if count < 0, errno == EAGAIN || errno == EINTR {
                if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return "hang-up" }
                continue
            }
            if count == 0 { return "end of file (hang-up)" }
            return String(cString: strerror(errno))
        }
    }

    /// Sleeps until the device's directory changes, the retry interval passes, or the
    /// source stops.
    private func waitForNode(afterNotFound: Bool) {
        let directory = (path as NSString).deletingLastPathComponent
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
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, 2, retryMilliseconds)
        if fds[1].revents != 0 { drainWakePipe() }
    }
}
