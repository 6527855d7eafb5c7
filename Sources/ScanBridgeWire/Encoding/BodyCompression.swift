import CZlib
import CZstd

/// Why a body could not be compressed; the agent then sends it uncompressed.
public struct CompressionError: Error, CustomStringConvertible {
    public let description: String
}

extension ContentCoding {
    /// `body` in this coding, in one pass (a batch is at most `batch_max_bytes`).
    public func compress(_ body: [UInt8]) throws(CompressionError) -> [UInt8] {
        switch self {
        case .gzip: try Self.gzip(body, level: 6)
        case .zstd: try Self.zstd(body, level: 3)
        }
    }

    private static func gzip(_ body: [UInt8], level: Int32) throws(CompressionError) -> [UInt8] {
        // zlib keeps a pointer back to the stream in its state: the stream must not move.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // windowBits 15 + 16: a gzip wrapper (header and CRC-32) instead of zlib's own.
        let started = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else { throw CompressionError(description: "gzip: deflateInit2 failed (\(started))") }
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(body.count))))
        let status = body.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw CompressionError(description: "gzip: deflate failed (\(status))") }
        output.removeLast(Int(stream.pointee.avail_out))
        return output
    }

    private static func zstd(_ body: [UInt8], level: Int32) throws(CompressionError) -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw CompressionError(description: "zstd: out of memory") }
        defer { ZSTD_freeCCtx(context) }
        // A content checksum (RFC 8878 §3.1.1.1.2): damage is caught by the codec itself,
        // before the signature check would refuse the batch anyway.
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(body.count))
        let written = body.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                ZSTD_compress2(context, out.baseAddress, out.count, input.baseAddress, input.count)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw CompressionError(description: "zstd: " + String(cString: ZSTD_getErrorName(written)))
        }
        output.removeLast(output.count - written)
        return output
    }
}
