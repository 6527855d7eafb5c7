import Foundation
import ScanBridgeCore
import ScanBridgeTools

#if canImport(Glibc)
    import Glibc
#endif

enum TestSupport {
    /// The directory of the test running on this task (``TestScope``), removed when it ends.
    @TaskLocal static var directory: String?

    /// A fresh directory inside the running test's own, removed with it whichever way the
    /// test ends. Outside a suite with the `.temporaryDirectory` or `.system` trait it stops
    /// the run: a directory nobody removes is a leak, and a pty link nobody removes a way for
    /// a leftover reader to open another test's terminal.
    static func temporaryDirectory(_ label: String = "test") -> String {
        guard let directory else {
            preconditionFailure(
                "TestSupport.temporaryDirectory(\"\(label)\") outside a suite with .temporaryDirectory or .system")
        }
        return makeDirectory(in: directory, label: label)
    }

    static func makeDirectory(in parent: String, label: String) -> String {
        var template = Array((parent.hasSuffix("/") ? parent : parent + "/").appending("\(label)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            preconditionFailure("cannot create a directory in \(parent): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// A pseudo-terminal the agent is given by a link inside the test's directory: when the
    /// test ends the link goes with the directory, so a reader a test left behind can never
    /// reopen the `/dev/pts/N` a later test was given (the kernel reuses the numbers).
    static func terminal() throws -> PseudoTerminal {
        try PseudoTerminal(linkedIn: temporaryDirectory("pty"))
    }

    /// This repository's root, and its `Tests/Fixtures`.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = repository + "/Tests/Fixtures"

    /// The `report_descriptor` a committed umockdev description (`Fixtures/umockdev/<name>.umockdev`) carries.
    static func reportDescriptor(ofUmockdev name: String) -> [UInt8]? {
        guard let text = try? String(contentsOfFile: fixtures + "/umockdev/\(name).umockdev", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("H: report_descriptor=") })
        else { return nil }
        let hex = Array(line.dropFirst("H: report_descriptor=".count))
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
    }

    /// The `scanbridge` executable built beside the test bundle (or `SCANBRIDGE_BIN`).
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["SCANBRIDGE_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("scanbridge").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
            ".build/debug/scanbridge"
        ).path
    }

    /// Runs blocking work (pty writes that wait for a reader) on a thread of its own: on the
    /// cooperative pool it would starve every other test's tasks on a 2-core machine.
    static func onThread(_ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    body()
                    continuation.resume()
                }
                thread.start()
            }
        }
    }

    /// Runs a blocking `body` on its own thread and returns its value.
    static func onThreadValue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }

    /// Polls `condition` until it holds or `seconds` pass (for waiting on other processes and
    /// threads, never for timing assertions).
    static func eventually(seconds: Double = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }
}
