import Foundation
import ReceiverFuzzing
import Testing

@testable import ScanBridgeTestSupport

/// Every input kept in Tests/Fuzz/Corpus/receiver (seeds and any reproducer the fuzzer found)
/// through the same checks as FuzzReceiverRequest, twice: against an empty store and against
/// the store the first pass left (chains started, agents known).
@Suite("Receiver fuzz corpus", .temporaryDirectory)
struct ReceiverFuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/Corpus/receiver").standardizedFileURL.path

    @Test("no corpus input makes the receiver answer 5xx, store a batch it cannot parse, or refuse a valid next batch")
    func replay() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted()
        #expect(names.count >= 10)
        let fuzzer = try ReceiverRequestFuzzer(directory: TestSupport.temporaryDirectory("receiver-fuzz"))
        for pass in 1...2 {
            for name in names {
                let input = try #require(FileManager.default.contents(atPath: Self.corpus + "/" + name))
                let violations = await fuzzer.check(Array(input))
                #expect(violations.isEmpty, "pass \(pass), \(name): \(violations)")
            }
        }
    }
}
