import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads one serial device for as long as the agent runs, reopening it whenever its node
/// goes away and comes back.
///
/// A dedicated thread sleeps in `poll` on the device and a wake pipe, so an idle device
/// costs no CPU. After each chunk the thread waits until the consumer has stored it
/// (``acknowledge()``): meanwhile the kernel keeps buffering, so memory stays bounded and a
/// crash loses at most the one chunk being stored. While the device is absent, an inotify
/// watch on its directory wakes the thread when the node (or its by-id link) reappears.
public final class SerialInputSource: @unchecked Sendable {
    public enum Input: Sendable, Equatable {
        case opened
        case bytes([UInt8])
        /// The device went away (unplugged, EIO, hang-up); the source waits for it to return.
        case closed(reason: String)
        /// The device cannot be opened; reported once per distinct problem.
        case unavailable(DeviceError)
    }

    public let path: String
    public let baud: Int
    public let inputs: AsyncStream<Input>
    private let continuation: AsyncStream<Input>.Continuation
    private let consumed = DispatchSemaphore(value: 0)
    private let wakePipe: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var stopping = false
    private var thread: Thread?
    private let retryMilliseconds: Int32

    public init(path: String, baud: Int, retryMilliseconds: Int32 = 2000) {
        self.path = path
        self.baud = baud
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

    /// The consumer has durably handled the last `.bytes` chunk; the next may be read.
    public func acknowledge() {
        consumed.signal()
    }

    /// Stops reading; the input stream finishes once the device is closed.
    public func stop() {
        lock.withLock { stopping = true }
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
        consumed.signal()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func run() {
        var lastProblem: DeviceError?
        while !isStopping {
            let port: SerialPort
            do {
                port = try SerialPort.open(path: path, baud: baud)
            } catch {
                if error != lastProblem {
                    continuation.yield(.unavailable(error))
                    lastProblem = error
                }
                waitForNode(afterNotFound: error == .notFound(path: path))
                continue
            }
            lastProblem = nil
            continuation.yield(.opened)
            let reason = readUntilGone(port)
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
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return "poll failed: \(String(cString: strerror(errno)))"
            }
            if fds[1].revents != 0 || isStopping { return nil }
            let count = buffer.withUnsafeMutableBytes { read(port.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                continuation.yield(.bytes(Array(buffer[0..<count])))
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
    }
}
