import ScanBridgePayloads

/// libFuzzer entry point for `BarcodeDecoder`.
///
/// Besides "never traps, never hangs", it checks one property: the human-readable form of valid GS1 data decodes
/// back to the same elements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoding = BarcodeDecoder.decode(bytes)
    if decoding.isGS1, decoding.isValid, !decoding.elements.isEmpty {
        let again = BarcodeDecoder.decode(decoding.humanReadable)
        precondition(again.isValid, "HRI of valid data is invalid: \(decoding.humanReadable) \(again.problems)")
        precondition(again.elements == decoding.elements, "HRI round trip changed elements: \(decoding.humanReadable)")
    }
    _ = BarcodeDecoder.decode(String(decoding: bytes, as: UTF8.self))
    return 0
}
