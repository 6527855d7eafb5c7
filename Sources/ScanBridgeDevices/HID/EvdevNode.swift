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

    /// Splits `bytes` into input events, keeping a partial event in `remainder` for the next
    /// read (a real evdev node returns whole events; a stream may not).
    public static func events(from bytes: [UInt8], remainder: inout [UInt8]) -> [RawInputEvent] {
        var data = remainder
        data += bytes
        var events: [RawInputEvent] = []
        events.reserveCapacity(data.count / eventSize)
        var offset = 0
        data.withUnsafeBytes { raw in
            while offset + eventSize <= raw.count {
                let seconds = raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)
                let microseconds = raw.loadUnaligned(fromByteOffset: offset + 8, as: Int64.self)
                let type = raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt16.self)
                let code = raw.loadUnaligned(fromByteOffset: offset + 18, as: UInt16.self)
                let value = raw.loadUnaligned(fromByteOffset: offset + 20, as: Int32.self)
                let time = UInt64(clamping: seconds) &* 1_000_000 &+ UInt64(clamping: microseconds)
                events.append(RawInputEvent(type: type, code: code, value: value, microseconds: time))
                offset += eventSize
            }
        }
        remainder = Array(data[offset...])
        return events
    }
}

/// One `struct input_event`, its timestamp in microseconds.
public struct RawInputEvent: Sendable, Hashable {
    public var type: UInt16
    public var code: UInt16
    public var value: Int32
    public var microseconds: UInt64
}
