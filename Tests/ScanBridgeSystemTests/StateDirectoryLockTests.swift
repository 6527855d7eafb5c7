import Foundation
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One agent per state directory, between two real `scanbridge run` processes.
@Suite("State directory lock", .serialized, .childProcesses)
struct StateDirectoryLockTests {
    static func start(_ config: String, stderr: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    static func holder(_ state: String) -> String? {
        try? String(contentsOfFile: state + "/agent.lock", encoding: .utf8)
    }

    @Test(
        "A second run on the same state directory exits 1 naming the first's pid; the lock goes with the first, even killed"
    )
    func secondRunRefused() async throws {
        let directory = TestSupport.temporaryDirectory("statelock")
        var started: [Process] = []
        defer {
            for process in started where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            for process in started { process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: directory)
        }
        let state = directory + "/state"
        let config = directory + "/scanbridge.yaml"
        try "state_dir: \(state)\ndiscovery: false\nstatus:\n  listen: off\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let first = try Self.start(config, stderr: directory + "/first.log")
        started.append(first)
        let pid = first.processIdentifier
        #expect(await TestSupport.eventually(seconds: 20) { Self.holder(state) == "\(pid)\n" })

        let second = try Self.start(config, stderr: directory + "/second.log")
        started.append(second)
        #expect(await TestSupport.eventually(seconds: 20) { !second.isRunning }, "the second run did not exit")
        #expect(!second.isRunning && second.terminationStatus == 1)
        let message = try String(contentsOfFile: directory + "/second.log", encoding: .utf8)
        #expect(message.contains("is in use by another scanbridge run (pid \(pid))"), "stderr: \(message)")
        #expect(first.isRunning, "the first agent keeps running")

        // A crash (SIGKILL) takes the lock with it: the next run starts.
        kill(pid, SIGKILL)
        first.waitUntilExit()
        let third = try Self.start(config, stderr: directory + "/third.log")
        started.append(third)
        let thirdPID = third.processIdentifier
        #expect(await TestSupport.eventually(seconds: 20) { Self.holder(state) == "\(thirdPID)\n" })
        // SIGTERM once it runs (before, the signal handlers are not installed yet).
        let log = directory + "/third.log"
        #expect(
            await TestSupport.eventually(seconds: 20) {
                (try? String(contentsOfFile: log, encoding: .utf8))?.contains("agent started") == true
            })
        #expect(third.isRunning)
        kill(thirdPID, SIGTERM)
        #expect(await TestSupport.eventually(seconds: 20) { !third.isRunning })
        #expect(third.terminationStatus == 0)
    }
}
