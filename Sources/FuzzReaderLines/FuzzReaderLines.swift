import ReaderFuzzing
import ScanBridgePayloads

/// libFuzzer entry point for `ReaderLineDecoder` with the documented CSV pattern and a small line limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var driver = FuzzDriver(input)
    let payload = Array(input.dropFirst(2))
    let pattern = #"^(?<epc>[0-9A-Fa-f]{2,24}),(?<antenna>\d{1,3}),(?<rssi>-?\d{1,3})$"#
    var decoder = try! ReaderLineDecoder(pattern: pattern, maxLineBytes: 64, interByteTimeoutNanos: 1_000_000_000)
    drive(
        &decoder, payload: payload, driver: &driver, timeout: 1_000_000_000, bound: 64,
        buffered: { $0.bufferedByteCount }, accepted: { $0.acceptedByteCount })
    return 0
}
