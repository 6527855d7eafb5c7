#if canImport(Glibc)
    import Glibc
#endif

/// An open serial device in raw mode.
///
/// Input already waiting in the kernel when the port opens is kept (no `tcflush`): a scanner
/// that sent while the agent restarted loses nothing the kernel still holds.
///
/// The port is held exclusively, since two readers of one port split its bytes and store
/// partial scans: `flock(LOCK_EX)` on it, which a second agent and other well-behaved
/// programs respect (root included), and `TIOCEXCL` where the terminal takes it, which makes
/// the kernel refuse any other open by a non-root process.
public final class SerialPort: @unchecked Sendable {
    public let path: String
    public let fileDescriptor: Int32

    private init(path: String, fileDescriptor: Int32) {
        self.path = path
        self.fileDescriptor = fileDescriptor
    }

    public static func open(path: String, baud: Int) throws(DeviceError) -> SerialPort {
        try open(path: path, settings: SerialLineSettings(baud: baud))
    }

    public static func open(path: String, settings: SerialLineSettings) throws(DeviceError) -> SerialPort {
        let baud = settings.baud
        guard let speed = SerialSpeed.constant(for: baud) else { throw .unsupportedBaud(path: path, baud: baud) }
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            // EBUSY from open(2) on a terminal: another process holds it with TIOCEXCL.
            throw code == EBUSY ? .inUse(path: path) : .fromErrno(code, path: path, call: "open")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw code == EWOULDBLOCK ? .inUse(path: path) : .fromErrno(code, path: path, call: "flock")
        }
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            let code = errno
            close(fd)
            throw .fromErrno(code, path: path, call: "tcgetattr")
        }
        cfmakeraw(&options)
        options.c_cflag |= tcflag_t(CLOCAL | CREAD)
        options.c_cflag &= ~tcflag_t(CRTSCTS)
        switch settings.parity {
        case .none: options.c_cflag &= ~tcflag_t(PARENB | PARODD)
        case .even:
            options.c_cflag |= tcflag_t(PARENB)
            options.c_cflag &= ~tcflag_t(PARODD)
        case .odd: options.c_cflag |= tcflag_t(PARENB | PARODD)
        }
        if settings.stopBits == 2 {
            options.c_cflag |= tcflag_t(CSTOPB)
        } else {
            options.c_cflag &= ~tcflag_t(CSTOPB)
        }
        withUnsafeMutableBytes(of: &options.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        guard tcsetattr(fd, TCSANOW, &options) == 0 else {
            let code = errno
            close(fd)
            throw .fromErrno(code, path: path, call: "tcsetattr")
        }
        // Best effort: every kernel terminal takes it, but an emulated one (umockdev's) may
        // not, and the flock above already keeps out a second agent.
        _ = ioctl(fd, UInt(TIOCEXCL))
        return SerialPort(path: path, fileDescriptor: fd)
    }

    /// Writes all of `bytes` (a reader command), waiting briefly while the output buffer is full.
    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            if written < 0, code == EINTR { continue }
            if written < 0, code == EAGAIN {
                var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                if poll(&descriptor, 1, 1000) <= 0 { throw .system(path: path, call: "write", errno: ETIMEDOUT) }
                continue
            }
            throw .fromErrno(code, path: path, call: "write")
        }
    }

    deinit {
        // The exclusive mode belongs to the terminal, not to this descriptor: released first.
        _ = ioctl(fileDescriptor, UInt(TIOCNXCL))
        close(fileDescriptor)
    }
}
