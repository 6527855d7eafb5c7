import Benchmark
import Foundation
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeStore
import ScanBridgeWire

/// The per-event work of the agent, each measured alone with its allocations (MallocInterposer):
/// what a scan costs before it is durable, and what a batch costs before it is sent.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]
    Benchmark.defaultConfiguration = .init(metrics: metrics, maxDuration: .seconds(3))

    let gs1 = Array("]C10103612345678904\u{1D}10ABC-12\u{1D}17271231\u{1D}3103000125".utf8)
    Benchmark("GS1 decode (AIM + 4 element strings)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BarcodeDecoder.decode(gs1)) }
    }

    let epc = "3074257BF7194E4000001A85"
    Benchmark("EPC decode (SGTIN-96 hex)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(EPCDecoder.decode(hex: epc)) }
    }

    let schema = try! JSONSchema(
        json: Array(
            #"{"type":"object","required":["sku","qty","unit"],"properties":{"sku":{"type":"string","pattern":"^[A-Z0-9-]{4,20}$"},"qty":{"type":"number","minimum":0},"unit":{"enum":["KGM","MTR","H87"]},"lot":{"type":"string","maxLength":20}},"additionalProperties":false}"#
                .utf8))
    let payload = Array(#"{"sku":"RUG-0042","qty":12.500,"unit":"MTR","lot":"L2026-11"}"#.utf8)
    Benchmark("Schema validation (parse + validate a scale payload)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(schema.validate(try! JSONValue.parse(payload)))
        }
    }

    var stream: [UInt8] = []
    for index in 0..<100 {
        let epcBytes = (0..<12).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
        stream += MercuryFrame.tagReport(TagRead(epc: epcBytes, antenna: 1 + index % 4, rssiDBm: -50, readCount: 1))
    }
    Benchmark("Mercury frame parser (100 tag reports, 64-byte chunks)", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = MercuryDecoder()
            var outputs = 0
            for start in stride(from: 0, to: stream.count, by: 64) {
                outputs += decoder.feed(Array(stream[start..<min(start + 64, stream.count)]), now: 1).count
            }
            blackHole(outputs)
        }
    }

    let key = SigningKey()
    let eventBodies = (0..<500).map { index in
        Array(
            #"{"id":"01a21b12-3095-7b9d-a691-f8a3726c22fd","seq":\#(index + 1),"type":"barcode.scanned","occurred_at":"2026-11-27T03:35:06.123456Z","device":{"id":"serial:/dev/ttyS0","transport":"serial"},"data":{"text":"]C10103612345678904","gtin":"03612345678904"},"raw":"XUMxMDEwMzYxMjM0NTY3ODkwNA=="}"#
                .utf8)
    }
    Benchmark("Batch build + sign (500 events, Ed25519 detached JWS)") { benchmark in
        for _ in benchmark.scaledIterations {
            let body = BatchBody.build(
                agentID: "agent-bench", batchSeq: 42, previousSHA256: String(repeating: "0", count: 64),
                createdAt: .now(), events: eventBodies)
            blackHole(try! DetachedJWS.sign(body, with: key))
            blackHole(BatchBody.sha256Hex(body))
        }
    }

    // What the receiver does with each batch before its commit: the one-pass parse.
    let batchBody = BatchBody.build(
        agentID: "agent-bench", batchSeq: 42, previousSHA256: String(repeating: "0", count: 64), createdAt: .now(),
        events: eventBodies)
    Benchmark("Batch parse at the receiver (500 events, WireBatch)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! WireBatch.parse(batchBody))
        }
    }

    // Group commit: 16 writers append at once; each append is durable (WAL, synchronous=FULL)
    // before it returns, and concurrent appends share transactions.
    Benchmark(
        "Outbox append, 16 concurrent writers (durable, group commit)",
        configuration: .init(metrics: metrics, maxDuration: .seconds(5), setup: {}, teardown: {})
    ) { benchmark in
        let directory = NSTemporaryDirectory() + "scanbridge-bench-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try! StateDatabase(path: directory + "/state.sqlite")
        let outbox = OutboxWriter(database: database)
        let device = DeviceIdentity(id: "bench", transport: .serial)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        let event = PendingEvent(
                            type: .barcodeScanned, occurredAt: .now(), device: device,
                            data: Array(#"{"text":"]C10103612345678904","writer":\#(writer)}"#.utf8),
                            raw: Array("]C10103612345678904".utf8))
                        _ = try! await outbox.append(OutboxEntry(event: event))
                    }
                }
            }
        }
        benchmark.stopMeasurement()
    }
}
