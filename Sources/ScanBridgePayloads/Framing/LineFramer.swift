/// Splits a serial byte stream into lines.
///
/// Scanners end a scan with CR, LF or CRLF depending on how they were configured in the
/// field, so every one of them ends a line here; an LF right after a CR belongs to the same
/// terminator. A line longer than `maximumLength` is not buffered without bound: its first
/// `maximumLength` bytes are reported as oversize and the rest is skipped up to the next
/// terminator, so one babbling device cannot exhaust memory.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        /// The first `maximumLength` bytes of a line that was too long, and how many bytes the
        /// whole line had.
        case oversize(prefix: [UInt8], totalLength: Int)
    }

    public let maximumLength: Int
    private var buffer: [UInt8] = []
    private var discarded = 0
    private var lastWasCR = false

    public init(maximumLength: Int = 4096) {
        precondition(maximumLength > 0)
        self.maximumLength = maximumLength
    }

    /// Bytes received but not yet ended by a terminator.
    public var pendingByteCount: Int { buffer.count + discarded }

    public mutating func feed(_ bytes: some Sequence<UInt8>, into frames: inout [Frame]) {
        for byte in bytes {
            if byte == 0x0A, lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                finishLine(into: &frames)
            } else if buffer.count < maximumLength {
                buffer.append(byte)
            } else {
                discarded += 1
            }
        }
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Frame] {
        var frames: [Frame] = []
        feed(bytes, into: &frames)
        return frames
    }

    /// Ends whatever is pending as if a terminator had arrived: used when the device goes
    /// away, so a half-sent line is reported rather than silently lost.
    public mutating func flush() -> Frame? {
        var frames: [Frame] = []
        finishLine(into: &frames)
        lastWasCR = false
        return frames.first
    }

    /// Removes and returns the bytes of an unfinished line (the device went away mid-line).
    public mutating func takePending() -> [UInt8]? {
        defer {
            buffer.removeAll(keepingCapacity: true)
            discarded = 0
            lastWasCR = false
        }
        return buffer.isEmpty && discarded == 0 ? nil : buffer
    }

    /// Each frame gets its own exact-size copy and the buffer is reused: handing the buffer
    /// itself over made every later line inherit the largest capacity the buffer ever had (up
    /// to `maximumLength`), so thousands of short lines in flight cost kilobytes each.
    private mutating func finishLine(into frames: inout [Frame]) {
        if discarded > 0 {
            frames.append(.oversize(prefix: exactCopy(), totalLength: buffer.count + discarded))
        } else if !buffer.isEmpty {
            frames.append(.line(exactCopy()))
        }
        buffer.removeAll(keepingCapacity: true)
        discarded = 0
    }

    /// A copy of the buffer with no spare capacity (converting the array or a slice of it
    /// would share its storage).
    private func exactCopy() -> [UInt8] {
        buffer.withUnsafeBufferPointer { Array($0) }
    }
}
