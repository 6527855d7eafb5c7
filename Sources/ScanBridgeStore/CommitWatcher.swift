import ScanBridgeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Calls back when the state database's write-ahead log is written, by this process or another.
///
/// `scanbridge quarantine replay` and `discard` commit from their own process while the agent
/// runs; its forwarder sleeps until something rings, and without this the released events would
/// wait for the next scan. An inotify watch on the database's directory costs nothing while no
/// one writes (the thread sleeps in `poll`); while writes go on it calls back at most every
/// `coalescing`, so a busy agent's own commits cost a few wake-ups a second, not one each.
public final class CommitWatcher: Sendable {
    /// The write end of a pipe whose read end the thread polls beside inotify.
    private let stopEvent: Int32

    /// Starts watching; `onCommit` runs on the watcher's own thread.
    public init(
        databasePath: String, coalescing: Duration = .milliseconds(50), onCommit: @escaping @Sendable () -> Void
    ) throws(StoreError) {
        let directory = PathText.directory(of: databasePath)
        let walName = PathText.lastComponent(of: databasePath) + "-wal"
        let inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard inotify >= 0 else {
            throw StoreError.cannotOpen(path: directory, reason: "inotify: \(String(cString: strerror(errno)))")
        }
        guard inotify_add_watch(inotify, directory, UInt32(IN_MODIFY)) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(inotify)
            throw StoreError.cannotOpen(
                path: directory,
                reason: "inotify watch: \(reason) — raise fs.inotify.max_user_watches if the limit is reached")
        }
        var stopPipe: [Int32] = [0, 0]
        guard pipe(&stopPipe) == 0 else {
            close(inotify)
            throw StoreError.cannotOpen(path: directory, reason: "pipe: \(String(cString: strerror(errno)))")
        }
        for fd in stopPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let stopEvent = stopPipe[0]
        self.stopEvent = stopPipe[1]
        let pause = coalescing
        SystemThread.detach(name: "commit-watcher") {
            Self.watch(inotify: inotify, stopEvent: stopEvent, name: walName, pause: pause, onCommit: onCommit)
        }
    }

    /// Ends the thread; the descriptors close as it leaves.
    public func stop() {
        _ = close(stopEvent)
    }

    private static func watch(
        inotify: Int32, stopEvent: Int32, name: String, pause: Duration, onCommit: @Sendable () -> Void
    ) {
        defer {
            close(inotify)
            close(stopEvent)
        }
        let pauseMicroseconds = UInt32(
            pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let wanted = Array(name.utf8)
        while true {
            var fds = [
                pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopEvent, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            var touched = false
            while true {
                let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                touched = touched || Self.names(wanted, in: buffer[..<count])
            }
            if touched {
                onCommit()
                usleep(pauseMicroseconds)
            }
        }
    }

    /// Whether any `inotify_event` in `events` names the file `wanted`.
    static func names(_ wanted: [UInt8], in events: ArraySlice<UInt8>) -> Bool {
        let header = MemoryLayout<inotify_event>.size
        var offset = events.startIndex
        while offset + header <= events.endIndex {
            let length = events.withUnsafeBytes { raw in
                Int(raw.loadUnaligned(fromByteOffset: offset - events.startIndex + 12, as: UInt32.self))
            }
            let nameStart = offset + header
            let nameEnd = min(nameStart + length, events.endIndex)
            let field = events[nameStart..<nameEnd]
            let name = field.prefix { $0 != 0 }
            if name.elementsEqual(wanted) { return true }
            offset = nameEnd
        }
        return false
    }
}
