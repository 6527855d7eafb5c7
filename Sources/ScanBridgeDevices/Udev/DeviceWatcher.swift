import CUdev
import ScanBridgeCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Enumerates devices at start and then follows udev's hotplug events.
///
/// The monitor is enabled before the enumeration, so a device plugged in meanwhile is seen
/// (perhaps twice: consumers key devices by syspath). A dedicated thread sleeps in `poll` on
/// the monitor's socket and a wake pipe: nothing runs while nothing is plugged.
public final class DeviceWatcher: @unchecked Sendable {
    public enum Event: Sendable {
        /// Every device present when watching began.
        case present([UdevDevice])
        /// A uevent: `device.action` says add, remove, change …
        case changed(UdevDevice)
        /// Discovery cannot run (no udev; the stream then ends), or hotplug stopped (the monitor
        /// socket closed; present devices are still read). Reported once.
        case failed(DiscoveryError)
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let subsystems: [String]
    private let wakePipe = WakePipe()
    private let stopped = Mutex(false)

    public init(subsystems: [String] = UdevContext.subsystems) {
        self.subsystems = subsystems
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
    }

    deinit {
        wakePipe.close()
    }

    public func start() {
        SystemThread.detach(name: "udev monitor") { [self] in run() }
    }

    /// Ends the event stream.
    public func stop() {
        stopped.withLock { $0 = true }
        wakePipe.wake()
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func run() {
        defer { continuation.finish() }
        let context: UdevContext
        do { context = try UdevContext() } catch {
            continuation.yield(.failed(error))
            return
        }
        let monitor = udev_monitor_new_from_netlink(context.handle, "udev")
        defer { if let monitor { udev_monitor_unref(monitor) } }
        if let monitor {
            for subsystem in subsystems { udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil) }
            if udev_monitor_enable_receiving(monitor) < 0 {
                udev_monitor_unref(monitor)
                continuation.yield(.failed(.unavailable("cannot receive udev events")))
                return
            }
        }
        do {
            continuation.yield(.present(try context.enumerate(subsystems: subsystems)))
        } catch {
            continuation.yield(.failed(error))
            return
        }
        guard let monitor else {
            // No netlink socket (a container without udev): present devices only, no hotplug.
            while !isStopped { waitForWake(timeout: -1) }
            return
        }
        var fds = [
            pollfd(fd: udev_monitor_get_fd(monitor), events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while !isStopped {
            fds[0].revents = 0
            fds[1].revents = 0
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                continuation.yield(
                    .failed(.unavailable("poll on the udev monitor failed: \(String(cString: strerror(errno)))")))
                return
            }
            if fds[1].revents != 0 { drainWakePipe() }
            if fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                // The socket is gone (seen when a umockdev testbed went away): polling it again
                // would spin, so hotplug ends here and present devices keep being read.
                continuation.yield(.failed(.unavailable("the udev monitor socket closed; hotplug stopped")))
                while !isStopped { waitForWake(timeout: -1) }
                return
            }
            if fds[0].revents != 0 {
                while let device = udev_monitor_receive_device(monitor) {
                    continuation.yield(.changed(UdevContext.describe(device)))
                    udev_device_unref(device)
                }
            }
        }
    }

    private func waitForWake(timeout: Int32) {
        var descriptor = pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, timeout)
        drainWakePipe()
    }

    private func drainWakePipe() { wakePipe.drain() }
}
