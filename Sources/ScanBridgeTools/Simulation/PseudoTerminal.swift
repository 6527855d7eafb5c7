import ScanBridgeAgent
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A pseudo-terminal pair: the demo's simulated scanner writes to the controller side; the
/// agent opens the device side by path, as it would `/dev/ttyUSB0`.
public final class PseudoTerminal: @unchecked Sendable {
    public let controller: Int32
    private let device: Int32
    /// The path the agent is given: the terminal's own, or the link to it.
    public let devicePath: String
    /// `/dev/pts/N`.
    public let terminalPath: String

    /// A terminal the agent opens through a link `directory/tty`: once the directory is
    /// removed, nothing can reopen this terminal's number by that path (the kernel gives it
    /// to the next pseudo-terminal opened).
    public convenience init(linkedIn directory: String) throws {
        try self.init(link: directory + "/tty")
    }

    public convenience init() throws {
        try self.init(link: nil)
    }

    private init(link: String?) throws {
        var controller: Int32 = -1
        var device: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&controller, &device, &name, nil, nil) == 0 else {
            throw PseudoTerminalError(reason: String(cString: strerror(errno)))
        }
        // Both sides close-on-exec: a child process that inherited the controller would keep
        // it open, and closing it here would no longer hang the device up. (Foundation's
        // Process closes inherited descriptors already; other ways of starting one may not.)
        _ = fcntl(controller, F_SETFD, FD_CLOEXEC)
        _ = fcntl(device, F_SETFD, FD_CLOEXEC)
        // Raw on the device side so nothing rewrites the scanner's CR/LF before the agent
        // applies its own termios settings.
        var options = termios()
        tcgetattr(device, &options)
        cfmakeraw(&options)
        tcsetattr(device, TCSANOW, &options)
        self.controller = controller
        self.device = device
        terminalPath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let link {
            guard symlink(terminalPath, link) == 0 else {
                let reason = String(cString: strerror(errno))
                close(controller)
                close(device)
                throw PseudoTerminalError(reason: "cannot link \(link) to \(terminalPath): \(reason)")
            }
        }
        devicePath = link ?? terminalPath
    }

    /// Writes all bytes, waiting while the terminal's buffer is full.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(controller, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN {
                    usleep(1000)
                    continue
                }
                throw PseudoTerminalError(reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    private let closed = Mutex(false)

    /// Closes both sides, as unplugging a USB-serial adapter does: the reader sees a hang-up.
    public func hangUp() {
        let wasClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        if !wasClosed {
            close(controller)
            close(device)
        }
    }

    deinit {
        hangUp()
    }
}

public struct PseudoTerminalError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "pseudo-terminal: \(reason)" }
}
