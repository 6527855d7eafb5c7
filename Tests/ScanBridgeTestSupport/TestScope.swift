import Foundation
import Testing

/// What a test owns while it runs: a temporary directory (removed on every way out) and, for
/// the terminal and umockdev suites, the machine's terminals and udev testbed — those run one
/// at a time across every suite that asks, whichever target and order the runner picks.
struct TestScope: TestTrait, SuiteTrait, TestScoping {
    /// Runs alone among the other exclusive tests.
    let exclusive: Bool

    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> TestScope? {
        test.isSuite || testCase == nil ? nil : self
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if exclusive { await ExclusiveTests.lock.acquire() }
        let directory = TestSupport.makeDirectory(in: NSTemporaryDirectory(), label: "scanbridge-test")
        let outcome: Result<Void, any Error>
        do {
            try await TestSupport.$directory.withValue(directory) { try await function() }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? FileManager.default.removeItem(atPath: directory)
        if exclusive { await ExclusiveTests.lock.release() }
        try outcome.get()
    }
}

extension Trait where Self == TestScope {
    /// The test gets a temporary directory of its own, removed when it ends.
    static var temporaryDirectory: Self { TestScope(exclusive: false) }
    /// A pty or umockdev test (or one that runs the agent on either): its own directory, and no
    /// other such test at the same time.
    static var system: Self { TestScope(exclusive: true) }
    /// A test of child processes that hold no terminal and no udev testbed (the receiver, the
    /// agent without devices, the command line): its own directory; it runs beside the others.
    static var childProcesses: Self { TestScope(exclusive: false) }
}

/// The one-at-a-time rule of the system tests.
enum ExclusiveTests {
    static let lock = AsyncLock()
}

/// A FIFO lock for async code: a waiting test suspends, it does not block a thread.
actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
