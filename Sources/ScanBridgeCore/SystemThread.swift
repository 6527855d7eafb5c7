#if canImport(Glibc)
    import Glibc
#endif

/// A named operating-system thread for a blocking loop (a device read, an inotify watch): what
/// Foundation's `Thread` gave the agent, from pthreads, so the agent's modules need only
/// FoundationEssentials. The loop sleeps in `poll` off the cooperative pool.
public enum SystemThread {
    /// Starts `body` on a new detached thread called `name` (the kernel keeps 15 bytes of it).
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
        let start = Start(name: name, body: body)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, runStart, Unmanaged.passRetained(start).toOpaque())
        guard result == 0 else { fatalError("cannot start thread \(name): \(SystemError.text(result))") }
        pthread_detach(thread)
    }

    /// What the new thread runs: its name, then the body.
    fileprivate final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        func run() {
            nameThisThread(name)
            body()
        }
    }

    /// What `top -H` and debuggers show. Glibc's module does not offer `pthread_setname_np`;
    /// the kernel takes the name (at most 15 bytes) from /proc/thread-self/comm as well.
    fileprivate static func nameThisThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

private func runStart(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<SystemThread.Start>.fromOpaque(context!).takeRetainedValue().run()
    return nil
}
