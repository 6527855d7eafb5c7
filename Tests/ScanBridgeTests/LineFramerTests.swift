import ScanBridgePayloads
import Testing

@testable import ScanBridgeTestSupport

@Suite("Line framing", .temporaryDirectory)
struct LineFramerTests {
    @Test("a short line after a long one holds only its own bytes: thousands in flight stay small")
    func framesDoNotInheritTheBuffersCapacity() {
        var framer = LineFramer(maximumLength: 4096)
        let frames = framer.feed(Array(repeating: UInt8(ascii: "x"), count: 4000) + Array("\r\nshort\r\n".utf8))
        guard frames.count == 2, case .line(let short) = frames[1] else {
            Issue.record("expected two lines, got \(frames)")
            return
        }
        #expect(short == Array("short".utf8))
        #expect(short.capacity < 64)
    }

    @Test("CR, LF and CRLF each end one line; empty lines are not payloads")
    func terminators() {
        var framer = LineFramer(maximumLength: 64)
        let frames = framer.feed(Array("A\rB\nC\r\nD\r\n\r\n\n".utf8))
        #expect(
            frames == [.line(Array("A".utf8)), .line(Array("B".utf8)), .line(Array("C".utf8)), .line(Array("D".utf8))])
    }

    @Test("a line split across reads, even inside CRLF, is one line")
    func splitWrites() {
        var framer = LineFramer(maximumLength: 64)
        var frames = framer.feed(Array("0109501101".utf8))
        frames += framer.feed(Array("530003\r".utf8))
        frames += framer.feed(Array("\nNEXT".utf8))
        frames += framer.feed(Array("\n".utf8))
        #expect(frames == [.line(Array("0109501101530003".utf8)), .line(Array("NEXT".utf8))])
    }

    @Test("an oversize line is reported with its first bytes and length, and the stream recovers")
    func oversize() {
        var framer = LineFramer(maximumLength: 8)
        let frames = framer.feed(Array("0123456789ABCDEF\nok\n".utf8))
        #expect(frames == [.oversize(prefix: Array("01234567".utf8), totalLength: 16), .line(Array("ok".utf8))])
        #expect(framer.pendingByteCount == 0)
    }

    @Test("memory stays bounded however long a line without terminator runs")
    func boundedMemory() {
        var framer = LineFramer(maximumLength: 16)
        for _ in 0..<1000 { _ = framer.feed([UInt8](repeating: 0x41, count: 1000)) }
        #expect(framer.takePending()?.count == 16)
    }

    @Test("GS (ASCII 29) is valid scan text; other control bytes and bad UTF-8 are rejected with where")
    func scanText() {
        #expect((try? ScanText.validate(Array("]C10109501101530003\u{1D}10AB".utf8)).get()) != nil)
        #expect(ScanText.validate([0x41, 0x07]) == .failure(.controlCharacter(byte: 7, offset: 1)))
        #expect(ScanText.validate([0x41, 0x42, 0xFF, 0x43]) == .failure(.invalidUTF8(offset: 2)))
        #expect((try? ScanText.validate(Array("Größe".utf8)).get()) == "Größe")
    }
}
