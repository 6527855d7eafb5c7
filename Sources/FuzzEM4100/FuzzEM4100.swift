import ReaderFuzzing
import ScanBridgePayloads

/// libFuzzer entry point for `EM4100Decoder`; also checks that every decoded ID re-encodes to a frame that
/// differs from the received one at most in letter case.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var driver = FuzzDriver(input)
    let payload = Array(input.dropFirst(2))
    var decoder = EM4100Decoder()
    drive(
        &decoder, payload: payload, driver: &driver, timeout: 50_000_000, bound: 2 * 64,
        buffered: { $0.bufferedByteCount }, accepted: { $0.acceptedByteCount })
    var again = EM4100Decoder()
    for case .tag(let read) in again.feed(payload, now: 1) + again.finish() {
        let upper = read.frame.map { $0 >= 0x61 && $0 <= 0x66 ? $0 - 0x20 : $0 }
        precondition(EM4100Frame.frame(id: read.epc) == upper, "decoded ID does not re-encode to its frame")
    }
    return 0
}
