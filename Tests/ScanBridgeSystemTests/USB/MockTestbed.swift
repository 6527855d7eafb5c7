import Foundation
import ScanBridgeReceiver
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A umockdev testbed with hotplug: `Tests/Tools/umockdev-testbed.py` under `umockdev-wrapper`
/// (umockdev 0.17.16 has runtime uevents only through the testbed API). Its methods block:
/// call them from `TestSupport.onThreadValue`, never from the cooperative pool.
final class MockTestbed: @unchecked Sendable {
    static let repository = TestSupport.repository
    static let fixtures = TestSupport.fixtures

    let directory: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/umockdev-wrapper")
        process.arguments = ["/usr/bin/python3", Self.repository + "/Tests/Tools/umockdev-testbed.py"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var directory = ""
        var first = ""
        first = try Self.readLine(output.fileHandleForReading, buffer: &buffer)
        guard first.hasPrefix("UMOCKDEV_DIR=") else { throw TestbedError(message: "testbed said \(first)") }
        directory = String(first.dropFirst("UMOCKDEV_DIR=".count))
        self.directory = directory
    }

    /// What a process needs in its environment to see the testbed's devices.
    var environment: [String: String] {
        ["UMOCKDEV_DIR": directory, "LD_PRELOAD": "libumockdev-preload.so.0"]
    }

    /// Sends one command and waits for its answer.
    func send(_ command: String) throws {
        guard try query(command).isEmpty else { throw TestbedError(message: "\(command): unexpected answer") }
    }

    /// Sends one command and returns what its `ok` answer carries (`written` answers hex).
    func query(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        let answer = try Self.readLine(output.fileHandleForReading, buffer: &buffer)
        if answer == "ok" { return "" }
        guard answer.hasPrefix("ok ") else { throw TestbedError(message: "\(command): \(answer)") }
        return String(answer.dropFirst(3))
    }

    func close() {
        try? send("quit")
        try? input.fileHandleForWriting.close()
        while process.isRunning { usleep(10_000) }
    }

    private static func readLine(_ handle: FileHandle, buffer: inout [UInt8]) throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { throw TestbedError(message: "testbed exited") }
            buffer += chunk
        }
    }

    struct TestbedError: Error, CustomStringConvertible {
        var message: String
        var description: String { "umockdev testbed: \(message)" }
    }
}

/// The committed wedge scanner, and the same scanner replugged with new firmware (node names
/// cannot be re-created in one testbed, so the replug gets event8, as the kernel often does).
enum WedgeScanner {
    static let description = MockTestbed.fixtures + "/umockdev/honeywell-wedge.umockdev"
    static let keyboard = MockTestbed.fixtures + "/umockdev/plain-keyboard.umockdev"
    static let scan = MockTestbed.fixtures + "/evemu/gs1-azerty.evemu"
    static let usbDevice = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"

    /// Syspaths to remove, child first.
    static func syspaths(input: Int) -> [String] {
        let interface = usbDevice + "/1-2:1.0"
        let inputPath = interface + "/0003:0C2E:0B61.0003/input/input\(input)"
        return [inputPath + "/event\(input)", inputPath, interface, usbDevice]
    }

    /// The description with another event node number and firmware revision.
    static func replugged(input: Int, bcdDevice: String, in directory: String) throws -> String {
        let text = try String(contentsOfFile: description, encoding: .utf8)
            .replacingOccurrences(of: "event7", with: "event\(input)")
            .replacingOccurrences(of: "input7", with: "input\(input)")
            .replacingOccurrences(of: "13:71", with: "13:\(64 + input)")
            .replacingOccurrences(of: "bcdDevice=0100", with: "bcdDevice=\(bcdDevice)")
        let path = directory + "/replugged-\(input).umockdev"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `scanbridge run` with a loopback receiver trusting its key: what the umockdev tests share.
struct UmockdevAgentRun {
    let holder: AgentKeyHolder
    let receiver: TestReceiver<ReceiverStore>
    let port: Int
    let directory: String

    init(_ label: String) async throws {
        holder = try AgentKeyHolder()
        receiver = try await TestReceiver.start(trusting: holder.key)
        port = receiver.port
        directory = TestSupport.temporaryDirectory(label)
    }

    /// A config with the state, the key, the receiver as upstream, and `devices` (YAML list items).
    func config(devices: String) throws -> String {
        let path = directory + "/scanbridge.yaml"
        try """
        state_dir: \(directory)/state
        signing_key: \(holder.directory)/key.jwk
        status: {listen: "off"}
        upstream:
          url: http://127.0.0.1:\(port)/v1/scan-batches
          batch_max_age_ms: 20
          retry_cap_ms: 200
        devices:
        \(devices.isEmpty ? "  []" : devices)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the agent under `umockdev-run ARGUMENTS --` until `scans` scans reached the receiver,
    /// stops it with SIGTERM and returns every event the receiver stored, in `seq` order.
    func run(umockdev arguments: [String], devices: String, scans: Int) async throws -> [[String: Any]] {
        let config = try config(devices: devices)
        let process = try WedgeScannerTests.process(
            ["/usr/bin/umockdev-run"] + arguments + ["--", TestSupport.executable, "run", "--config", config],
            log: directory + "/agent.log")
        let arrived = try await TestSupport.eventually(seconds: 30) {
            try WedgeScannerTests.received(receiver).filter { $0["type"] as? String == "barcode.scanned" }.count
                >= scans
        }
        await WedgeScannerTests.finish(process)
        await receiver.stop()
        #expect(arrived, "agent log: \(directory)/agent.log")
        return try WedgeScannerTests.received(receiver)
    }
}
