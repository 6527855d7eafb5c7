#if canImport(Glibc)
    import Glibc
#endif

/// An open serial device in raw mode.
///
/// Input already waiting in the kernel when the port opens is kept (no `tcflush`): a scanner
/// that sent while the agent restarted loses nothing the kernel still holds.
public final class SerialPort: @unchecked Sendable {
    public let path: String
    public let fileDescriptor: Int32

    private init(path: String, fileDescriptor: Int32) {
        self.path = path
        self.fileDescriptor = fileDescriptor
    }

    public static func open(path: String, baud: Int) throws(DeviceError) -> SerialPort {
        guard let speed = SerialSpeed.constant(for: baud) else { throw .unsupportedBaud(path: path, baud: baud) }
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno(errno, path: path, call: "open") }
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            let code = errno
            close(fd)
            throw .fromErrno(code, path: path, call: "tcgetattr")
        }
        cfmakeraw(&options)
        options.c_cflag |= tcflag_t(CLOCAL | CREAD)
        options.c_cflag &= ~tcflag_t(CRTSCTS)
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
        return SerialPort(path: path, fileDescriptor: fd)
    }

    deinit {
        close(fileDescriptor)
    }
}
