import CodingFuzzing

/// libFuzzer entry point for the receiver's gzip and zstd body decompressor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    BodyCodingFuzzer.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
