import CZlib
import CZstd

/// Inflates a request body as its chunks arrive and refuses it the moment the inflated size
/// would pass `limit`: a 1 MB upload that expands to 1 GB costs at most `limit` bytes of
/// memory, never the gigabyte.
public final class BodyDecompressor {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The inflated body would be larger than the limit.
        case tooLarge(limit: Int)
        /// Not a valid stream of the coding.
        case corrupt(ContentCoding, String)
        /// The compressed stream ended before its end marker.
        case truncated(ContentCoding)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "the decompressed body is larger than \(limit) bytes"
            case .corrupt(let coding, let reason): "not a valid \(coding) body: \(reason)"
            case .truncated(let coding): "the \(coding) body ends before its end marker"
            }
        }
    }

    public let coding: ContentCoding
    public let limit: Int
    private var output: [UInt8] = []
    /// The last member or frame ended and nothing followed it (yet).
    private var atEnd = false
    private var failure: Failure?
    private let inflater: UnsafeMutablePointer<z_stream>?
    private let zstd: OpaquePointer?
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    /// The largest zstd window accepted (8 MiB): a frame may not ask the receiver for more
    /// memory than a batch is worth. The agent's frames (level 3, ≤ batch_max_bytes) need far less.
    static let zstdWindowLogMax: Int32 = 23

    public init(coding: ContentCoding, limit: Int) {
        self.coding = coding
        self.limit = limit
        switch coding {
        case .gzip:
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            if inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) != Z_OK {
                failure = .corrupt(coding, "cannot start zlib")
            }
            inflater = stream
            zstd = nil
        case .zstd:
            let context = ZSTD_createDCtx()
            if context == nil
                || ZSTD_isError(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.zstdWindowLogMax)) != 0
            {
                failure = .corrupt(coding, "cannot start zstd")
            }
            inflater = nil
            zstd = context
        }
    }

    deinit {
        if let inflater {
            inflateEnd(inflater)
            inflater.deallocate()
        }
        if let zstd { ZSTD_freeDCtx(zstd) }
    }

    /// Takes the next chunk of the compressed body.
    public func append(_ chunk: UnsafeRawBufferPointer) throws(Failure) {
        if let failure { throw failure }
        guard !chunk.isEmpty else { return }
        do throws(Failure) {
            switch coding {
            case .gzip: try inflate(chunk)
            case .zstd: try decompressZstd(chunk)
            }
        } catch {
            failure = error
            throw error
        }
    }

    public func append(_ chunk: [UInt8]) throws(Failure) {
        // Array.withUnsafeBytes rethrows untyped errors: the typed one travels as a Result.
        try chunk.withUnsafeBytes { bytes in Result { () throws(Failure) in try append(bytes) } }.get()
    }

    /// The whole inflated body, once the compressed one has ended.
    public func finish() throws(Failure) -> [UInt8] {
        if let failure { throw failure }
        guard atEnd else { throw .truncated(coding) }
        return output
    }

    private func keep(_ count: Int) throws(Failure) {
        guard output.count + count <= limit else { throw .tooLarge(limit: limit) }
        output.append(contentsOf: scratch[0..<count])
    }

    private func inflate(_ chunk: UnsafeRawBufferPointer) throws(Failure) {
        guard let stream = inflater else { return }
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: chunk.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(chunk.count)
        while stream.pointee.avail_in > 0 {
            if atEnd {
                // Another gzip member follows (RFC 1952 §2.2 allows several).
                inflateReset(stream)
                atEnd = false
            }
            let (status, produced) = scratch.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.pointee.avail_out))
            }
            try keep(produced)
            switch status {
            case Z_OK: continue
            case Z_STREAM_END: atEnd = true
            case Z_BUF_ERROR where produced > 0: continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .corrupt(.gzip, message)
            }
        }
    }

    private func decompressZstd(_ chunk: UnsafeRawBufferPointer) throws(Failure) {
        guard let zstd else { return }
        var input = ZSTD_inBuffer(src: chunk.baseAddress, size: chunk.count, pos: 0)
        var outputFull = false
        while input.pos < input.size || outputFull {
            let (result, produced) = scratch.withUnsafeMutableBytes { out in
                var buffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let result = ZSTD_decompressStream(zstd, &buffer, &input)
                return (result, buffer.pos)
            }
            if ZSTD_isError(result) != 0 {
                throw .corrupt(.zstd, String(cString: ZSTD_getErrorName(result)))
            }
            try keep(produced)
            outputFull = produced == scratch.count
            // 0: a frame is complete and flushed; another frame may follow (RFC 8878 §3.1).
            atEnd = result == 0
        }
    }
}
