import Foundation
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

/// Multi-line payloads in memory: a HID POS report says how many bytes it holds, so CR, LF, RS
/// and EOT inside it are data; on a serial line the same bytes still end lines.
@Suite("HID POS multi-line payloads")
struct HIDPOSPayloadTests {
    /// AAMVA-like PDF417 driving-licence data: `@` LF RS CR, the header, LF-separated elements.
    static let aamva = Array(
        "@\n\u{1E}\rANSI 636000090002DL00410278ZV03190008DLDAQT64235789\nDCSSAMPLE\nDACMICHAEL\nDBD08242015\nDBB06191990\nDAJVA\n\r"
            .utf8)
    /// An ISO/IEC 15434 format 06 message: `[)>` RS `06` GS … RS EOT.
    static let iso15434 = Array("[)>\u{1E}06\u{1D}12S0001\u{1D}1PABC-123\u{1D}Q10\u{1E}\u{04}".utf8)

    /// Honeywell's HID POS descriptor, as the committed umockdev description carries it.
    static func descriptor() throws -> [UInt8] {
        let text = try String(
            contentsOfFile: ReadingFixtures.directory + "/umockdev/honeywell-hidpos.umockdev", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("H: report_descriptor=") })
        let hex = Array(line.dropFirst("H: report_descriptor=".count))
        return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
    }

    /// Report 2 of that layout, split in 56-byte pieces with Decode Data Continued on all but the last.
    static func reports(_ data: [UInt8], aim: String) -> [UInt8] {
        let chunks = stride(from: 0, to: data.count, by: 56).map { Array(data[$0..<min($0 + 56, data.count)]) }
        var bytes: [UInt8] = []
        for (index, chunk) in chunks.enumerated() {
            bytes += [0x02, UInt8(chunk.count)] + Array(aim.utf8) + chunk
            bytes += [UInt8](repeating: 0, count: 56 - chunk.count) + [0x64, 0x00, index < chunks.count - 1 ? 1 : 0]
        }
        return bytes
    }

    static func builder(transport: DeviceTransport) throws -> ScanEventBuilder {
        let profile = try ReadingFixtures.profile(
            "honeywell-usb", vendorID: "0c2e", productID: "0b07", firmware: "5.12")
        return ScanEventBuilder(
            device: DeviceIdentity(id: "usb:0c2e:0b07:T", vendorID: "0c2e", productID: "0b07", transport: transport),
            profile: profile)
    }

    @Test("An AAMVA licence and an ISO/IEC 15434 message over HID POS are scans with their exact bytes in raw")
    func multiLineScans() throws {
        var decoder = try HIDPOSScanDecoder(descriptor: Self.descriptor())
        var builder = try Self.builder(transport: .hidPOS)
        for (data, aim) in [(Self.aamva, "]L2"), (Self.iso15434, "]d1")] {
            let outputs = decoder.feed(Self.reports(data, aim: aim), receivedAt: 1)
            let expected = Array(aim.utf8) + data
            #expect(outputs == [.scan(expected)])
            guard case .scan(let bytes)? = outputs.first else { continue }
            let entries = builder.entries(for: .line(bytes), limit: 4096)
            #expect(entries.map(\.event.type) == [.barcodeScanned])
            #expect(entries.first?.event.raw == expected)
            #expect(entries.first?.quarantine == nil)
            let body = String(decoding: entries.first?.event.data ?? [], as: UTF8.self)
            #expect(body.contains(data.contains(0x04) ? #"\u001e\u0004"# : #"DCSSAMPLE\nDACMICHAEL"#), "\(body)")
        }
    }

    @Test("The same bytes on serial line framing still end lines, and a control byte inside a line is quarantined")
    func serialLinesKeepTheirRule() throws {
        var framer = LineFramer()
        let frames = framer.feed(Self.aamva)
        #expect(frames.first == .line([0x40]))
        #expect(frames.count == 8)
        var builder = try Self.builder(transport: .serial)
        let whole = builder.entries(for: .line(Array("]d1".utf8) + Self.iso15434), limit: 4096)
        #expect(whole.map(\.event.type) == [.payloadQuarantined])
        #expect(whole.first?.quarantine?.reasonCode == "control_character")
        let header = builder.entries(for: .line([0x1E]), limit: 4096)
        #expect(header.first?.quarantine?.reasonCode == "control_character")
        // A keyboard wedge's scan ends at its suffix: line rules too.
        var wedge = try Self.builder(transport: .hidKeyboard)
        #expect(wedge.entries(for: .line(Self.iso15434), limit: 4096).first?.quarantine != nil)
    }
}
