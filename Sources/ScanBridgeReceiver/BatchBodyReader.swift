import Hummingbird
import NIOCore
import ScanBridgeWire

/// Reads a batch request's body, inflating a gzip or zstd one as it streams, with
/// `--max-body-bytes` applied to what the body becomes: compression never lets a larger
/// batch in than an uncompressed upload could bring, and a bomb is cut off at the limit.
enum BatchBodyReader {
    enum Failure: Error {
        case tooLarge
        case undecodable(BodyDecompressor.Failure)
    }

    static func read(_ body: RequestBody, coding: ContentCoding?, limit: Int) async -> Result<[UInt8], Failure> {
        guard let coding else {
            guard let buffer = try? await body.collect(upTo: limit) else { return .failure(.tooLarge) }
            return .success(Array(buffer.readableBytesView))
        }
        let decompressor = BodyDecompressor(coding: coding, limit: limit)
        var received = 0
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                // The compressed size counts too: a body that does not compress is no excuse to
                // upload more than the limit.
                guard received <= limit else { return .failure(.tooLarge) }
                try chunk.withUnsafeReadableBytes { bytes in
                    try Result { () throws(BodyDecompressor.Failure) in try decompressor.append(bytes) }.get()
                }
            }
            return .success(try decompressor.finish())
        } catch let failure as BodyDecompressor.Failure {
            if case .tooLarge = failure { return .failure(.tooLarge) }
            return .failure(.undecodable(failure))
        } catch {
            // The connection failed mid-body; nothing was stored and the agent sends it again.
            return .failure(.undecodable(.truncated(coding)))
        }
    }
}
