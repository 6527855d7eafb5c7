// libFuzzer entry point: build with
//   swift build -j 1 --sanitize=fuzzer -Xswiftc -parse-as-library --product FuzzReceiverRequest --scratch-path .build-fuzz
// and run with SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzReceiverRequest -max_total_time=30
import Dispatch
import Foundation
import ReceiverFuzzing

/// The receiver's request handling (ReceiverRequestFuzzer says what and which invariants),
/// on a store under /dev/shm when there is one, so fsync is cheap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let done = DispatchSemaphore(value: 0)
    let result = Box()
    // libFuzzer's thread is not one of the cooperative pool's, so waiting here cannot starve it.
    Task {
        result.violations = await fuzzer.check(input)
        done.signal()
    }
    done.wait()
    precondition(result.violations.isEmpty, result.violations.joined(separator: "; "))
    return 0
}

private final class Box: @unchecked Sendable {
    var violations: [String] = []
}

private let storeDirectory =
    (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/scanbridge-fuzz-receiver-\(getpid())"

private let fuzzer: ReceiverRequestFuzzer = {
    // /dev/shm is memory: the store goes when the fuzzer exits (libFuzzer ends with exit()).
    atexit { try? FileManager.default.removeItem(atPath: storeDirectory) }
    do { return try ReceiverRequestFuzzer(directory: storeDirectory) } catch {
        fatalError("cannot open the fuzz store: \(error)")
    }
}()
