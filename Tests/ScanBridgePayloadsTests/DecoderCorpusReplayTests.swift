import Foundation
import ScanBridgePayloads
import Testing

/// Replays the committed fuzz corpus (`Tests/Fuzz/Corpus/*`) through the decoders with the fuzz targets'
/// checks. A crasher found by `Tests/Fuzz/run-fuzzers.sh` is kept by copying it into the corpus directory.
@Suite("Fuzz corpus replay")
struct DecoderCorpusReplayTests {
    static func corpus(_ name: String) throws -> [[UInt8]] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/Corpus/\(name)").standardized
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        return try files.sorted { $0.path < $1.path }.map { Array(try Data(contentsOf: $0)) }
    }

    @Test("Barcode corpus")
    func barcode() throws {
        let inputs = try Self.corpus("barcode")
        #expect(!inputs.isEmpty)
        for bytes in inputs {
            let decoding = BarcodeDecoder.decode(bytes)
            if decoding.isGS1, decoding.isValid, !decoding.elements.isEmpty {
                #expect(BarcodeDecoder.decode(decoding.humanReadable).elements == decoding.elements)
            }
        }
    }

    @Test("EPC corpus")
    func epc() throws {
        let inputs = try Self.corpus("epc")
        #expect(!inputs.isEmpty)
        var decoded = 0
        for bytes in inputs {
            if EPCDecoder.decode(hex: String(decoding: bytes, as: UTF8.self)).tag != nil { decoded += 1 }
            if let tag = EPCDecoder.decode(bytes: bytes).tag, let gtin = tag.gtin { #expect(gtin.count == 14) }
        }
        #expect(decoded >= 8)
    }

    /// Every reader corpus input through its decoder in small chunks: nothing crashes, every byte
    /// is either in an accepted frame or counted as rejected, and the seeds' good frames decode.
    @Test("Reader codec corpora", arguments: ["mercury", "chafon", "em4100", "readerlines"])
    func readers(name: String) throws {
        let inputs = try Self.corpus(name)
        #expect(!inputs.isEmpty)
        var tags = 0
        var replies = 0
        for input in inputs {
            let payload = Array(input.dropFirst(2))
            var decoder: any ReaderFrameDecoder =
                switch name {
                case "mercury": MercuryDecoder()
                case "chafon": ChafonDecoder()
                case "em4100": EM4100Decoder()
                default: try ReaderLineDecoder(pattern: "^(?<epc>[0-9A-F]{24}),(?<antenna>\\d+),(?<rssi>-?\\d+)$")
                }
            var outputs: [ReaderOutput] = []
            var now: UInt64 = 1
            for chunk in stride(from: 0, to: payload.count, by: 7) {
                now += 1_000_000
                outputs += decoder.feed(Array(payload[chunk..<min(chunk + 7, payload.count)]), now: now)
            }
            outputs += decoder.finish()
            var rejected = 0
            var accepted = Set<[UInt8]>()
            for output in outputs {
                switch output {
                case .tag(let read):
                    tags += 1
                    accepted.insert(read.frame)
                case .reply(let reply):
                    replies += 1
                    accepted.insert(reply.frame)
                case .rejected(let run): rejected += run.count
                }
            }
            let acceptedBytes = accepted.reduce(0) { $0 + $1.count }
            #expect(rejected <= payload.count && acceptedBytes <= payload.count, "\(name): bytes counted twice")
        }
        #expect(tags + replies > 0 || name == "mercury", "\(name): the seeds hold good frames")
    }

    /// Each input is a 2-byte descriptor length, the descriptor and a report stream (the layout
    /// of `FuzzHIDReports`): every byte is accounted for, and the seeds' scans decode.
    @Test("HID report corpus")
    func hidReports() throws {
        let inputs = try Self.corpus("hidreports")
        #expect(!inputs.isEmpty)
        var scans = 0
        for input in inputs where input.count >= 2 {
            let length = min(Int(input[0]) | Int(input[1]) << 8, input.count - 2)
            guard let descriptor = try? HIDReportDescriptor(parsing: input[2..<2 + length]),
                let framing = descriptor.inputFraming
            else { continue }
            var splitter = HIDReportStreamSplitter(framing: framing)
            var decoder = HIDPOSScannerLayout(descriptor: descriptor).map { HIDPOSReportDecoder(layout: $0) }
            let stream = Array(input[(2 + length)...])
            for start in stride(from: 0, to: stream.count, by: 5) {
                for chunk in splitter.append(stream[start..<min(start + 5, stream.count)]) {
                    if case .report(let report) = chunk, case .scan? = decoder?.decode(report) { scans += 1 }
                }
                #expect(
                    splitter.acceptedByteCount + splitter.rejectedByteCount + splitter.pendingByteCount
                        == splitter.fedByteCount)
            }
        }
        #expect(scans >= 2)
    }
}
