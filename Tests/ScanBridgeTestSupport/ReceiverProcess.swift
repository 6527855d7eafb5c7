import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The real `scanbridge receive` binary as a child process, on a port of its choosing.
struct ReceiverProcess {
    /// Everything the process wrote, read for its whole life (a full pipe would stall it).
    final class Output: Sendable {
        let text = Mutex("")
    }

    let process: Process
    let port: Int
    let output: Output

    var url: String { "http://127.0.0.1:\(port)" }
    var log: String { output.text.withLock { $0 } }

    /// Starts `scanbridge receive --listen 127.0.0.1:0 …` and waits for its "receiving on" line.
    static func start(store: String, extra: [String] = []) async throws -> ReceiverProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["receive", "--listen", "127.0.0.1:0", "--store", store, "--log-level", "notice"] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = Output()
        let handle = pipe.fileHandleForReading
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                output.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }.start()
        let started = await TestSupport.eventually(seconds: 60) {
            output.text.withLock { port(in: $0) } != nil || !process.isRunning
        }
        guard started, let port = output.text.withLock({ port(in: $0) }) else {
            process.terminate()
            throw Failure(description: "receiver did not start: \(output.text.withLock { $0 })")
        }
        return ReceiverProcess(process: process, port: port, output: output)
    }

    static func port(in text: String) -> Int? {
        guard let range = text.range(of: "receiving on http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// SIGTERM, then waits; returns the exit status (0 after a graceful stop).
    func stop() async -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            _ = await TestSupport.eventually(seconds: 30) { !process.isRunning }
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = await TestSupport.eventually(seconds: 5) { !process.isRunning }
        }
        return process.terminationStatus
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
