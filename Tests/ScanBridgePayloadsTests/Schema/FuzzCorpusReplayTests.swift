import Foundation
import Testing

@testable import ScanBridgePayloads

/// Replays every file of the fuzz corpus (`Tests/Fuzz/Corpus/schema/`, crashers found by
/// `FuzzSchema` included) through the same steps as the fuzz target, so a fixed crash stays
/// fixed without running libFuzzer.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/schema")

    static var files: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.sorted().map { corpus.appendingPathComponent($0) }
    }

    @Test func corpusIsPresent() {
        #expect(Self.files.count >= 10)
    }

    @Test func everyCorpusFileRunsThroughParseValidateAndCompile() throws {
        let limits = SchemaValidator(limits: .init(maximumDepth: 200, maximumSteps: 20_000))
        let payloadSchema = try JSONSchema(
            json: Array(
                ##"""
                {"type": "object", "properties": {"qty": {"oneOf": [{"type": "integer"},
                 {"type": "object", "properties": {"amount": {"multipleOf": 0.001}}}]}},
                 "additionalProperties": {"type": ["null", "boolean", "string"], "format": "date-time"}}
                """##.utf8))
        for file in Self.files {
            let bytes = Array(try Data(contentsOf: file))
            guard let value = try? JSONValue.parse(bytes) else { continue }
            #expect(try JSONValue.parse(value.serializedBytes()) == value, "\(file.lastPathComponent)")
            let errors = limits.validate(value, against: payloadSchema)
            #expect(errors.isEmpty == limits.isValid(value, against: payloadSchema), "\(file.lastPathComponent)")
            _ = StructuralFingerprint(value)
            if let schema = try? JSONSchema(value) {
                for instance in [value, .null, .number(JSONNumber(7)), .string("2024-02-29")] {
                    _ = limits.validate(instance, against: schema)
                }
            }
        }
    }
}
