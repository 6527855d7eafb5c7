import ScanBridgePayloads

/// libFuzzer entry point for `EPCDecoder`: the input is tried both as hex text and as raw EPC bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = EPCDecoder.decode(hex: String(decoding: bytes, as: UTF8.self))
    if case .tag(let tag) = EPCDecoder.decode(bytes: bytes) {
        precondition(tag.uri.hasPrefix("urn:epc:id:"), "bad URI \(tag.uri)")
        if let gtin = tag.gtin { precondition(gtin.utf8.count == 14, "GTIN \(gtin) is not 14 digits") }
        if let sscc = tag.sscc { precondition(sscc.utf8.count == 18, "SSCC \(sscc) is not 18 digits") }
    }
    return 0
}
