import Foundation
import ScanBridgePayloads
import Testing

/// Replays the committed fuzz corpus (`Tests/Fuzz/Corpus/{barcode,epc}`) through the decoders with the fuzz targets'
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
}
