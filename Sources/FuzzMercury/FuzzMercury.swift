import ReaderFuzzing
import ScanBridgePayloads

/// libFuzzer entry point for `MercuryDecoder` (host side) and `MercuryCommandDecoder` (reader side).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var driver = FuzzDriver(input)
    let payload = Array(input.dropFirst(2))
    var decoder = MercuryDecoder()
    drive(
        &decoder, payload: payload, driver: &driver, timeout: 50_000_000, bound: 2 * 262,
        buffered: { $0.bufferedByteCount }, accepted: { $0.acceptedByteCount })
    var commands = MercuryCommandDecoder()
    var rejected = 0
    var now: UInt64 = 0
    for start in stride(from: 0, to: payload.count, by: 37) {
        now += driver.next() % 80_000_000
        for output in commands.feed(Array(payload[start..<min(start + 37, payload.count)]), now: now) {
            switch output {
            case .command(let command): precondition(occurs(command.frame, in: payload), "command not from input")
            case .rejected(let run):
                checkRejected(run)
                rejected += run.count
            }
        }
        precondition(commands.bufferedByteCount <= 2 * 260, "command buffer grew")
    }
    for case .rejected(let run) in commands.finish() { rejected += run.count }
    precondition(rejected + commands.acceptedByteCount == payload.count, "command bytes not counted once")
    return 0
}
