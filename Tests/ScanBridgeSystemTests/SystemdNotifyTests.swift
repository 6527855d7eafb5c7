import Foundation
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What systemd hears from `scanbridge run` under `Type=notify`: the real binary, a real
/// datagram socket standing in for systemd's `NOTIFY_SOCKET`.
@Suite("systemd notification", .serialized, .childProcesses)
struct SystemdNotifyTests {
    @Test("READY=1 once readers run, STATUS= in plain words, WATCHDOG=1 at half the interval, STOPPING=1 on SIGTERM")
    func notifications() async throws {
        let directory = TestSupport.temporaryDirectory("notify")
        let socketPath = directory + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let config = directory + "/scanbridge.yaml"
        try "state_dir: \(directory)/state\ndiscovery: false\nstatus:\n  listen: off\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["run", "--config", config]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        environment["NOTIFY_SOCKET"] = socketPath
        environment["WATCHDOG_USEC"] = "400000"
        process.environment = environment
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()

        let received = await TestSupport.onThreadValue { () -> [String] in
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, messages.filter({ $0.contains("WATCHDOG=1") }).count < 3 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
            return messages
        }
        kill(process.processIdentifier, SIGTERM)
        let stopping = await TestSupport.onThreadValue { () -> [String] in
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, !messages.contains(where: { $0.contains("STOPPING=1") }) {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
            return messages
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(process.terminationStatus == 0)
        let ready = received.first { $0.contains("READY=1") }
        #expect(ready != nil, "got \(received)")
        #expect(ready?.contains("STATUS=0 of 0 devices connected") == true)
        #expect(received.filter { $0.contains("WATCHDOG=1") }.count >= 3)
        #expect(stopping.contains { $0.contains("STOPPING=1") })
    }
}
