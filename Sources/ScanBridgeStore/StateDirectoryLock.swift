#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on an agent's state directory, held for as long as the value lives.
///
/// Two agents on one directory would interleave sequence numbers and batches. The lock is
/// flock(2) on `agent.lock` in the directory: the kernel drops it when the holder exits, however
/// it exits, so a crash never leaves a stale lock. The holder writes its pid into the file so a
/// second agent can name it.
public final class StateDirectoryLock: Sendable {
    public static let fileName = "agent.lock"

    public let path: String
    private let fileDescriptor: Int32

    /// Takes the lock, creating the directory (mode 0750) and the lock file when missing.
    public init(directory: String) throws(StateDirectoryLockError) {
        let path = directory + "/" + Self.fileName
        Self.createDirectory(directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? Self.holder(fd) : nil
            close(fd)
            if code == EWOULDBLOCK { throw .held(directory: directory, pid: holder) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.path = path
        self.fileDescriptor = fd
    }

    deinit {
        close(fileDescriptor)
    }

    /// The pid the holder wrote; it writes it right after locking, so a moment's wait covers
    /// a holder that has only just started.
    private static func holder(_ fd: Int32) -> Int32? {
        for _ in 0..<20 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if count > 0, let pid = Int32(String(decoding: buffer[..<count], as: UTF8.self).filter(\.isNumber)) {
                return pid
            }
            usleep(10_000)
        }
        return nil
    }

    private static func createDirectory(_ directory: String) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            _ = mkdir(prefix, 0o750)
        }
    }
}

/// Why an agent cannot take its state directory.
public enum StateDirectoryLockError: Error, Equatable, Sendable, CustomStringConvertible {
    case held(directory: String, pid: Int32?)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let directory, let pid):
            "state directory \(directory) is in use by another scanbridge run (pid \(pid.map(String.init) ?? "unknown")) — stop that agent first, or give this one its own state_dir"
        case .cannotOpen(let path, let reason):
            "\(path): cannot create the state directory's lock file (\(reason)) — is state_dir writable by this user?"
        }
    }
}
