import Foundation
import ScanBridgeCore

#if canImport(Glibc)
    import Glibc
#endif

enum TestSupport {
    /// A fresh directory under the system temp dir, removed by the caller if it wants.
    static func temporaryDirectory(_ label: String = "test") -> String {
        var template = Array(
            (NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/")
                .appending("scanbridge-\(label)-XXXXXX").utf8CString)
        return String(cString: mkdtemp(&template)!)
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
