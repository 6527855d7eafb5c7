#if canImport(Glibc)
    import Glibc
#endif

/// Opening a HID POS scanner's hidraw node and reading its report descriptor.
public enum HIDRawNode {
    /// Read-write (good-read feedback is an output report), non-blocking, close-on-exec.
    @Sendable public static func open(path: String) throws(DeviceError) -> Int32 {
        var fd = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        if fd < 0, errno == EACCES || errno == EPERM {
            fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        }
        guard fd >= 0 else { throw .fromErrno(errno, path: path, call: "open") }
        return fd
    }

    /// The descriptor from sysfs, read as a file: the attribute is binary and may hold NUL
    /// bytes, which udev's string accessors would cut.
    public static func reportDescriptor(at path: String) throws(DeviceError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno(errno, path: path, call: "open") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .fromErrno(errno, path: path, call: "read")
            }
            if count == 0 { break }
            result += chunk[0..<count]
            if result.count > 65_536 { break }
        }
        return result
    }
}
