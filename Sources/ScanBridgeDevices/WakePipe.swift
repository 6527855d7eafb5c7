#if canImport(Glibc)
    import Glibc
#endif

/// A non-blocking, close-on-exec pipe that wakes a thread sleeping in `poll`.
struct WakePipe {
    let read: Int32
    let write: Int32

    init() {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fatalError("pipe failed: \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        (read, write) = (fds[0], fds[1])
    }

    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(write, &byte, 1)
    }

    func drain() {
        var sink = [UInt8](repeating: 0, count: 64)
        while sink.withUnsafeMutableBytes({ Glibc.read(read, $0.baseAddress, $0.count) }) > 0 {}
    }

    func close() {
        _ = Glibc.close(read)
        _ = Glibc.close(write)
    }
}
