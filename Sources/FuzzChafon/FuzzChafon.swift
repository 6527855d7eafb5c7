import ReaderFuzzing
import ScanBridgePayloads

/// libFuzzer entry point for `ChafonDecoder` (any address and a fixed one) and `ChafonCommandDecoder`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var driver = FuzzDriver(input)
    let payload = Array(input.dropFirst(2))
    var decoder = ChafonDecoder()
    drive(
        &decoder, payload: payload, driver: &driver, timeout: 15_000_000, bound: 2 * 256,
        buffered: { $0.bufferedByteCount }, accepted: { $0.acceptedByteCount })
    var addressed = ChafonDecoder(address: input.first ?? 0)
    drive(
        &addressed, payload: payload, driver: &driver, timeout: 15_000_000, bound: 2 * 256,
        buffered: { $0.bufferedByteCount }, accepted: { $0.acceptedByteCount })
    var commands = ChafonCommandDecoder()
    var rejected = 0
    for case .rejected(let run) in commands.feed(payload, now: 1) + commands.finish() {
        checkRejected(run)
        rejected += run.count
    }
    precondition(rejected + commands.acceptedByteCount == payload.count, "command bytes not counted once")
    return 0
}
