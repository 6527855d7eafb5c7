import CLinuxShims

#if canImport(Glibc)
    import Glibc
#endif

/// Opening a keyboard-wedge scanner's evdev node so that only scanbridge sees its keys.
public enum EvdevNode {
    /// Size of `struct input_event` on 64-bit Linux: timeval (16), type, code (2 + 2), value (4).
    public static let eventSize = 24

    /// Read-only, non-blocking, close-on-exec, then `EVIOCGRAB`: while grabbed, the scan is not
    /// typed into whatever window has focus. A node another program has grabbed is `busy`.
    @Sendable public static func open(path: String) throws(DeviceError) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno(errno, path: path, call: "open") }
        if scanbridge_evdev_grab(fd, 1) != 0 {
            let code = errno
            close(fd)
            throw code == EBUSY ? .busy(path: path) : .fromErrno(code, path: path, call: "EVIOCGRAB")
        }
        _ = scanbridge_evdev_use_monotonic_clock(fd)
        return fd
    }
}
