import ScanBridgePayloads
import Testing

@Suite struct HIDReportStreamSplitterTests {
    private let framing = HIDReportFraming.numbered(lengths: [2: 64, 4: 2, 5: 3])

    private func reports(_ chunks: [HIDStreamChunk]) -> [[UInt8]] {
        chunks.compactMap { if case .report(let bytes) = $0 { bytes } else { nil } }
    }

    private func randomReport(using generator: inout SeededGenerator) -> [UInt8] {
        let id = [UInt8(2), 4, 5].randomElement(using: &generator)!
        let length = framing.length(startingWith: id)!
        return [id] + (1..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func concatenatedAndSplitReportsComeOutWhole() {
        var splitter = HIDReportStreamSplitter(framing: framing)
        let first = Fixtures.voyagerRevinfReports[0]
        let second = Fixtures.voyagerRevinfReports[6]
        #expect(splitter.append(first + second.prefix(10)) == [.report(first)])
        #expect(splitter.pendingByteCount == 10)
        #expect(splitter.append(second.dropFirst(10)) == [.report(second)])
        #expect(splitter.pendingByteCount == 0)
        #expect(splitter.append([0x04]) == [])
        #expect(splitter.append([0x80, 0x05, 0x01, 0x02]) == [.report([0x04, 0x80]), .report([0x05, 0x01, 0x02])])
    }

    @Test func unknownBytesAreRejectedAndTheStreamResyncs() {
        var splitter = HIDReportStreamSplitter(framing: framing)
        let chunks = splitter.append([0x00, 0x01, 0x04, 0x09, 0xFF, 0x05, 0x00, 0x00, 0x33])
        #expect(
            chunks == [
                .rejected([0x00, 0x01]), .report([0x04, 0x09]), .rejected([0xFF]), .report([0x05, 0x00, 0x00]),
                .rejected([0x33]),
            ])
        #expect(splitter.rejectedByteCount == 4)
        #expect(splitter.acceptedByteCount == 5)
        #expect(splitter.fedByteCount == 9)
    }

    @Test func takePendingHandsBackAPartialReport() {
        var splitter = HIDReportStreamSplitter(framing: .unnumbered(length: 8))
        #expect(splitter.append([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [.report([1, 2, 3, 4, 5, 6, 7, 8])])
        #expect(splitter.takePending() == [9, 10])
        #expect(splitter.takePending() == [])
        #expect(splitter.acceptedByteCount + splitter.rejectedByteCount == splitter.fedByteCount)
    }

    /// Any chunking of a stream of whole reports yields the same reports in the same order.
    @Test func randomChunkingsGiveTheSameReports() {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        for _ in 0..<200 {
            let sent = (0..<Int.random(in: 1...20, using: &generator)).map { _ in randomReport(using: &generator) }
            let stream = Array(sent.joined())
            var splitter = HIDReportStreamSplitter(framing: framing)
            var received: [[UInt8]] = []
            var position = 0
            while position < stream.count {
                let end = min(stream.count, position + Int.random(in: 0...150, using: &generator))
                received += reports(splitter.append(stream[position..<end]))
                position = end
            }
            #expect(received == sent)
            #expect(splitter.rejectedByteCount == 0 && splitter.pendingByteCount == 0)
        }
    }

    /// Garbage mixed into the stream never breaks the accounting, and whole reports after a
    /// garbage byte that starts no report still come out.
    @Test func randomGarbageKeepsTheAccounting() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            var splitter = HIDReportStreamSplitter(framing: framing)
            var chunkReports: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...30, using: &generator) {
                var chunk: [UInt8]
                if Bool.random(using: &generator) {
                    chunk = randomReport(using: &generator)
                } else {
                    chunk = (0..<Int.random(in: 0...70, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }
                }
                let out = splitter.append(chunk)
                chunkReports += reports(out)
                for case .report(let report) in out {
                    #expect(report.count == framing.length(startingWith: report[0]))
                }
                let rejected = out.reduce(0) { if case .rejected(let bytes) = $1 { $0 + bytes.count } else { $0 } }
                #expect(rejected <= splitter.rejectedByteCount)
                #expect(
                    splitter.acceptedByteCount + splitter.rejectedByteCount + splitter.pendingByteCount
                        == splitter.fedByteCount)
                #expect(splitter.pendingByteCount < framing.maximumLength)
            }
            _ = splitter.takePending()
            #expect(splitter.acceptedByteCount + splitter.rejectedByteCount == splitter.fedByteCount)
            #expect(chunkReports.reduce(0) { $0 + $1.count } == splitter.acceptedByteCount)
        }
    }

    /// A garbage byte that is not a report id in front of a report costs only itself.
    @Test func aStrayByteBeforeAReportCostsOnlyItself() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<100 {
            let report = randomReport(using: &generator)
            var stray = UInt8.random(in: 0...255, using: &generator)
            while [2, 4, 5].contains(stray) { stray = UInt8.random(in: 0...255, using: &generator) }
            var splitter = HIDReportStreamSplitter(framing: framing)
            #expect(splitter.append([stray] + report) == [.rejected([stray]), .report(report)])
        }
    }
}
