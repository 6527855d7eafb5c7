import Foundation
import ScanBridgeAgent
import ScanBridgeTools
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge export` and `verify`, run as an auditor would, on the output of a real demo.
@Suite("Export and verify", .system)
struct AuditCommandTests {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs the agent's executable (or another, e.g. a copy of it) and collects its output.
    static func scanbridge(_ arguments: [String], executable: String = TestSupport.executable) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test("a demo's batches export to files, verify from files and from the receiver store, and tampering is named")
    func exportVerifyTamper() async throws {
        let directory = TestSupport.temporaryDirectory("audit")
        var options = DemoRun.Options()
        options.seconds = 3
        options.outageSeconds = 1
        options.scansPerSecond = 40
        options.directory = directory + "/demo"
        let summary = try await DemoRun(options: options) { _ in }.run()
        #expect(summary.succeeded)

        let config = directory + "/agent.yaml"
        try "state_dir: \(directory)/demo/agent\nsigning_key: \(directory)/demo/agent-key.jwk\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let export = try Self.scanbridge(["export", "--config", config, "--to", directory + "/evidence"])
        #expect(export.status == 0, "\(export.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/evidence")
        #expect(files.filter { $0.hasSuffix(".json") }.count == summary.batches)
        #expect(files.filter { $0.hasSuffix(".jws") }.count == summary.batches)

        let key = directory + "/demo/agent-key.jwk"
        let fromFiles = try Self.scanbridge(["verify", "--trust", key, "--dir", directory + "/evidence"])
        #expect(fromFiles.status == 0 && fromFiles.output.contains("every signature valid"), "\(fromFiles.output)")
        let fromStore = try Self.scanbridge(["verify", "--trust", key, "--store", directory + "/demo/receiver.sqlite"])
        #expect(fromStore.status == 0, "\(fromStore.output)")

        let victim = try #require(files.first { $0.hasSuffix("-2.json") })
        let path = directory + "/evidence/" + victim
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"seq\":", with: "\"seq\": ")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = try Self.scanbridge(["verify", "--trust", key, "--dir", directory + "/evidence"])
        #expect(tampered.status != 0)
        #expect(tampered.output.contains("batch 2:"), "\(tampered.output)")

        let stranger = directory + "/stranger.jwk"
        _ = try Self.scanbridge(["keygen", "--out", stranger])
        let wrongKey = try Self.scanbridge([
            "verify", "--trust", stranger, "--store", directory + "/demo/receiver.sqlite",
        ])
        #expect(wrongKey.status != 0 && wrongKey.output.contains("batch 1:"), "\(wrongKey.output)")
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try Self.scanbridge(["verify", "--trust", "x"]).status == 2)
        #expect(try Self.scanbridge(["no-such-command"]).status == 2)
    }
}
