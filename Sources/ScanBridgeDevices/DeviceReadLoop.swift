import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a device source delivers to its consumer.
public enum DeviceInput: Sendable, Equatable {
    /// The device is open (and grabbed, for evdev).
    case opened
    /// Bytes read, with the CLOCK_MONOTONIC time they were read at (nanoseconds).
    case bytes([UInt8], receivedAt: UInt64)
    /// The deadline set with `setDeadline` has passed (CLOCK_MONOTONIC nanoseconds now).
    case timer(UInt64)
    /// The device went away (unplugged, EIO, hang-up).
    case closed(reason: String)
    /// The device cannot be opened; reported once per distinct problem.
    case unavailable(DeviceError)
}

/// The reading thread's side of a device source: sleeping in `poll` on the device and a wake
/// pipe, handing each chunk over and waiting for it to be acknowledged (the kernel buffers
/// meanwhile, so memory stays bounded and a crash loses at most the chunk being stored), and
/// delivering a deadline as `.timer` in the same stream so the consumer never races itself.
final class DeviceReadLoop: @unchecked Sendable {
    let inputs: AsyncStream<DeviceInput>
    private let continuation: AsyncStream<DeviceInput>.Continuation
    private let consumed = DispatchSemaphore(value: 0)
    let wakePipe = WakePipe()
    private let state = Mutex<(stopping: Bool, deadline: UInt64?)>((false, nil))

    init() {
        (inputs, continuation) = AsyncStream.makeStream(of: DeviceInput.self, bufferingPolicy: .unbounded)
    }

    deinit {
        wakePipe.close()
    }

    func yield(_ input: DeviceInput) { continuation.yield(input) }

    /// Hands `input` over and waits until the consumer acknowledges it; false when the source
    /// stopped meanwhile (for readers that do not poll a file descriptor, such as libusb's).
    func deliver(_ input: DeviceInput) -> Bool {
        continuation.yield(input)
        consumed.wait()
        return !isStopping
    }

    func finish() { continuation.finish() }

    func acknowledge() { consumed.signal() }

    func stop() {
        state.withLock { $0.stopping = true }
        wakePipe.wake()
        consumed.signal()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    func setDeadline(_ nanoseconds: UInt64?) {
        let earlier = state.withLock { state in
            let earlier = nanoseconds.map { new in state.deadline.map { new < $0 } ?? true } ?? false
            state.deadline = nanoseconds
            return earlier
        }
        if earlier { wakePipe.wake() }
    }

    func clearDeadline() { state.withLock { $0.deadline = nil } }

    /// Reads until the device goes away (returns why) or the source stops (returns nil).
    func readUntilGone(_ fd: Int32, chunkSize: Int = 4096) -> String? {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            var timeout: Int32 = -1
            if let deadline = state.withLock({ $0.deadline }) {
                let now = MonotonicClock.nanoseconds()
                // A deadline means "the line was quiet until then": bytes that arrived while the
                // consumer was busy are delivered first, so a slow commit never cuts a frame.
                var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if now >= deadline, poll(&pending, 1, 0) == 0 {
                    state.withLock { $0.deadline = nil }
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
            if fds[1].revents != 0 { wakePipe.drain() }
            if isStopping { return nil }
            if fds[0].revents == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
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
            // EIO, ENODEV: the device is gone (under umockdev the node is a pty and says EIO).
            return String(cString: strerror(errno))
        }
    }
}
