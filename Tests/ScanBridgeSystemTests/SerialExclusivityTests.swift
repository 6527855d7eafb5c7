import Foundation
import ScanBridgeAgent
import ScanBridgeDevices
import ScanBridgeTools
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What a serial source yields, collected on the side so a test can wait for it.
final class InputLog: Sendable {
    private let inputs = Mutex<[DeviceInput]>([])

    /// Reads `source` until it finishes, acknowledging every chunk.
    func follow(_ source: SerialInputSource) -> Task<Void, Never> {
        Task {
            for await input in source.inputs {
                inputs.withLock { $0.append(input) }
                switch input {
                case .bytes, .timer: source.acknowledge()
                default: break
                }
            }
        }
    }

    var all: [DeviceInput] { inputs.withLock { $0 } }

    var problems: [String] {
        var problems: [String] = []
        for case .unavailable(let problem) in all { problems.append(problem.description) }
        return problems
    }

    var opened: Int { all.filter { $0 == .opened }.count }

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        for case .bytes(let chunk, _) in all { bytes += chunk }
        return bytes
    }
}

/// Serial ports are opened exclusively: a second reader (another agent, `screen`, `cat`) would
/// split the bytes and partial scans would be stored.
@Suite("Serial port exclusivity on a pseudo-terminal", .system)
struct SerialExclusivityTests {
    /// TIOCGEXCL: whether the terminal is in exclusive mode (`_IOR('T', 0x40, int)`).
    static let getExclusive = UInt(0x8004_5440)

    @Test("A port the agent opened refuses a second opener: flock for everyone, TIOCEXCL for non-root")
    func secondOpenerRefused() throws {
        let terminal = try TestSupport.terminal()
        defer { terminal.hangUp() }
        var port: SerialPort? = try SerialPort.open(path: terminal.devicePath, baud: 9600)
        // A second scanbridge.
        do {
            _ = try SerialPort.open(path: terminal.devicePath, baud: 9600)
            Issue.record("a second open of a held port succeeded")
        } catch {
            #expect(error.description.hasPrefix("\(terminal.devicePath) is in use by another process"))
        }
        // Any other program: as root (tests here) open(2) passes TIOCEXCL, flock does not.
        let other = open(terminal.devicePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        if geteuid() == 0 {
            #expect(other >= 0)
            #expect(flock(other, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK)
            var exclusive: Int32 = 0
            #expect(ioctl(other, Self.getExclusive, &exclusive) == 0)
            #expect(exclusive == 1, "TIOCEXCL is set on the terminal")
        } else {
            #expect(other == -1 && errno == EBUSY)
        }
        if other >= 0 { close(other) }
        _ = port
        port = nil
        // Released with the port: the next opener gets it.
        let again = try SerialPort.open(path: terminal.devicePath, baud: 9600)
        _ = again
    }

    @Test("A port held by another process is reported as in use and retried until free; input sent meanwhile is read")
    func heldElsewhereRetried() async throws {
        let terminal = try TestSupport.terminal()
        defer { terminal.hangUp() }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY); fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
            terminal.devicePath,
        ]
        let input = Pipe()
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        defer {
            if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
            holder.waitUntilExit()
        }
        let locked = await TestSupport.onThreadValue { output.fileHandleForReading.availableData }
        #expect(String(decoding: locked, as: UTF8.self).hasPrefix("locked"))

        let source = SerialInputSource(
            path: terminal.devicePath, settings: SerialLineSettings(baud: 9600), retryMilliseconds: 100)
        let log = InputLog()
        source.start()
        let reading = log.follow(source)
        defer { source.stop() }
        #expect(await TestSupport.eventually { !log.problems.isEmpty })
        #expect(
            log.problems == [
                "\(terminal.devicePath) is in use by another process — close it there (screen, cat, minicom, ModemManager, another scanbridge); the agent opens it as soon as it is free"
            ])
        try terminal.write(Array("WAITED\n".utf8))
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.opened == 0, "never opened while held")
        #expect(log.problems.count == 1, "reported once, not on every retry")

        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        #expect(await TestSupport.eventually { log.opened == 1 })
        #expect(
            await TestSupport.eventually { log.bytes == Array("WAITED\n".utf8) }, "pending input is read, not flushed")
        source.stop()
        await reading.value
    }
}
