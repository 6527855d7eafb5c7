#if canImport(Glibc)
    import Glibc
#endif

/// Why a device cannot be used, phrased so the operator knows what to do.
public enum DeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case permissionDenied(path: String)
    case busy(path: String)
    /// A serial port another process holds (flock or TIOCEXCL): reading it too would split its bytes.
    case inUse(path: String)
    /// A discovered serial port's node now belongs to another device than the one discovered.
    case otherDevice(path: String, expected: String, found: String)
    case notATerminal(path: String)
    case unsupportedBaud(path: String, baud: Int)
    case system(path: String, call: String, errno: Int32)
    /// A libusb call failed (`LIBUSB_ERROR_*` name).
    case usb(path: String, call: String, error: String)
    /// A node scanbridge only reads (evdev, hidraw, a vendor stream) was given a command.
    case readOnly(path: String)
    /// Opened without write permission, so nothing can be written back (feedback).
    case notWritable(path: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "\(path): no such device — is it plugged in? (the agent opens it as soon as it appears)"
        case .permissionDenied(let path):
            "\(path): permission denied — is the udev rule installed and the user in group scanbridge? (`sudo usermod -aG scanbridge $USER`, or `dialout` for plain serial ports)"
        case .busy(let path):
            "\(path): device busy — another program (ModemManager, a terminal, another agent) holds it"
        case .inUse(let path):
            "\(path) is in use by another process — close it there (screen, cat, minicom, ModemManager, another scanbridge); the agent opens it as soon as it is free"
        case .otherDevice(let path, let expected, let found):
            "\(path) is now \(found), not \(expected): not opened — the agent reads it again when udev shows that device there"
        case .notATerminal(let path):
            "\(path): not a serial device (termios refused it) — check devices[].path"
        case .unsupportedBaud(let path, let baud):
            "\(path): baud \(baud) is not supported — use one of \(SerialSpeed.supported.map(String.init).joined(separator: ", "))"
        case .system(let path, let call, let code):
            "\(path): \(call) failed: \(String(cString: strerror(code)))"
        case .usb(let path, let call, let error):
            "\(path): \(call) failed: \(error)"
        case .readOnly(let path):
            "\(path): scanbridge only reads this device — commands go to serial readers (a profile's reader.start)"
        case .notWritable(let path):
            "\(path): opened read-only, so the agent cannot write to it — is the udev rule installed (MODE 0660, group scanbridge)?"
        }
    }

    static func fromErrno(_ code: Int32, path: String, call: String) -> DeviceError {
        switch code {
        case ENOENT, ENXIO, ENODEV: .notFound(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        case EBUSY: .busy(path: path)
        case ENOTTY: .notATerminal(path: path)
        default: .system(path: path, call: call, errno: code)
        }
    }
}
