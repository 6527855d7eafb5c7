import Foundation
import ScanBridgeAgent
import ScanBridgeDevices
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP relay that carries what the agent sends at a fixed rate, as a rural or 4G
/// uplink would (`bench --link-mbps N`): the agent's upstream URL points here, the relay
/// passes each byte to the receiver no faster than the link allows, and answers come back
/// unthrottled. `pause()` closes its port, so the agent meets a refused connection, as with
/// the receiver itself gone; `resume()` opens the same port again.
final class ThrottledLink: Sendable {
    let port: Int
    let targetPort: Int
    /// Bytes per second the agent→receiver direction carries.
    let bytesPerSecond: Double
    private let listener = Mutex<Int32>(-1)
    private let connections = Mutex<Set<Int32>>([])
    /// When the link is next free: every connection shares the one link.
    private let nextFree = Mutex<UInt64>(0)

    init(megabitsPerSecond: Double, targetPort: Int) throws {
        bytesPerSecond = megabitsPerSecond * 1_000_000 / 8
        self.targetPort = targetPort
        let (fd, port) = try Self.listen(port: 0)
        self.port = port
        listener.withLock { $0 = fd }
        startAccepting(fd)
    }

    func pause() {
        let fd = listener.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        for connection in connections.withLock({ $0 }) { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    func resume() throws {
        let (fd, _) = try Self.listen(port: port)
        listener.withLock { $0 = fd }
        startAccepting(fd)
    }

    func stop() { pause() }

    private func startAccepting(_ fd: Int32) {
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                guard let server = try? LoopbackHTTP.connect(port: targetPort, timeoutMilliseconds: 600_000) else {
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(client)
                    continue
                }
                connections.withLock { $0.formUnion([client, server]) }
                Thread { [self] in relay(from: client, to: server, paced: true) }.start()
                Thread { [self] in relay(from: server, to: client, paced: false) }.start()
            }
        }.start()
    }

    /// Copies until either side ends, then ends the other.
    private func relay(from source: Int32, to destination: Int32, paced: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            if paced { wait(forSending: count) }
            var offset = 0
            while offset < count {
                let sent = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { break }
                offset += sent
            }
            if offset < count { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
        let done = connections.withLock { open -> Bool in
            open.remove(source)
            return !open.contains(destination)
        }
        if done {
            close(source)
            close(destination)
        }
    }

    /// Sleeps until `count` more bytes have had their time on the link.
    private func wait(forSending count: Int) {
        let duration = UInt64(Double(count) / bytesPerSecond * 1e9)
        let due = nextFree.withLock { next -> UInt64 in
            let start = max(next, MonotonicClock.nanoseconds())
            next = start + duration
            return next
        }
        let now = MonotonicClock.nanoseconds()
        if due > now { usleep(useconds_t((due - now) / 1000)) }
    }

    private static func listen(port: Int) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && Glibc.listen(fd, 16) == 0
                    && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw DemoError("the throttled link cannot listen on 127.0.0.1:\(port)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
