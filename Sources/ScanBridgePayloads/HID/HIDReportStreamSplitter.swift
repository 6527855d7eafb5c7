/// A piece of a report stream: a whole report, or a run of bytes no report starts with.
public enum HIDStreamChunk: Hashable, Sendable {
    case report([UInt8])
    case rejected([UInt8])
}

/// Cuts a byte stream into whole input reports by the descriptor's report lengths.
///
/// Real hidraw returns one report per read, but under umockdev the node is a pty, where one
/// read can hold several reports or part of one. A byte that starts no known report is
/// rejected and the search resumes at the next byte, so a lost byte costs one report rather
/// than the stream. Every byte fed is accounted for:
/// `acceptedByteCount + rejectedByteCount + pendingByteCount == fedByteCount`.
public struct HIDReportStreamSplitter: Sendable {
    public let framing: HIDReportFraming
    public private(set) var fedByteCount = 0
    public private(set) var acceptedByteCount = 0
    public private(set) var rejectedByteCount = 0
    private var pending: [UInt8] = []

    public init(framing: HIDReportFraming) {
        self.framing = framing
    }

    /// Bytes of an incomplete report held until more arrive; fewer than the longest report.
    public var pendingByteCount: Int { pending.count }

    /// Splits `bytes`, continuing any report held from earlier calls.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [HIDStreamChunk] {
        var buffer = pending
        buffer.append(contentsOf: bytes)
        fedByteCount += buffer.count - pending.count
        var chunks: [HIDStreamChunk] = []
        var rejectedStart: Int?
        var position = 0
        func closeRejectedRun() {
            guard let start = rejectedStart else { return }
            chunks.append(.rejected(Array(buffer[start..<position])))
            rejectedByteCount += position - start
            rejectedStart = nil
        }
        while position < buffer.count {
            guard let length = framing.length(startingWith: buffer[position]), length > 0 else {
                if rejectedStart == nil { rejectedStart = position }
                position += 1
                continue
            }
            guard buffer.count - position >= length else { break }
            closeRejectedRun()
            chunks.append(.report(Array(buffer[position..<position + length])))
            acceptedByteCount += length
            position += length
        }
        closeRejectedRun()
        pending = Array(buffer[position...])
        return chunks
    }

    /// Hands back the incomplete report held, if any, and forgets it. Its bytes count as
    /// rejected: no report was made of them.
    public mutating func takePending() -> [UInt8] {
        let bytes = pending
        rejectedByteCount += bytes.count
        pending = []
        return bytes
    }
}
