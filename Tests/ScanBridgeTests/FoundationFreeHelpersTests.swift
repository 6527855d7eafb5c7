import Foundation
import ScanBridgeWire
import Testing

@testable import ScanBridgeCore
@testable import ScanBridgeTestSupport

/// The agent's modules import FoundationEssentials only; these small stand-ins for what full
/// Foundation gave them must answer as Foundation did (checked against Foundation itself here).
@Suite("Stand-ins for full Foundation", .temporaryDirectory)
struct FoundationFreeHelpersTests {
    @Test("PathText splits paths as NSString's deletingLastPathComponent and lastPathComponent")
    func pathText() {
        for path in [
            "/dev/ttyUSB0", "/var/lib/scanbridge/scanbridge.sqlite", "scanbridge.sqlite", "state/db", "/", "/dev/",
            "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0", "relative/dir/", "/x",
        ] {
            #expect(PathText.directory(of: path) == (path as NSString).deletingLastPathComponent, "\(path)")
            #expect(PathText.lastComponent(of: path) == (path as NSString).lastPathComponent, "\(path)")
        }
    }

    @Test("trimmingWhitespace trims as trimmingCharacters(in:) with and without newlines")
    func trimming() {
        for text in ["  token\n", "\t a b \r\n", "", "   ", "x", "\u{00A0}nbsp\u{2003}", "\nline\n"] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text)")
            #expect(
                text.trimmingWhitespace(newlines: false) == text.trimmingCharacters(in: .whitespaces), "\(text)")
        }
    }

    @Test("FileBytes reads a whole file and fails with the system's reason")
    func fileBytes() throws {
        let directory = TestSupport.temporaryDirectory("files")
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        try Data(big).write(to: URL(fileURLWithPath: directory + "/big"))
        #expect(try FileBytes.read(directory + "/big") == big)
        #expect(throws: FileBytes.Failure(description: "No such file or directory")) {
            try FileBytes.read(directory + "/missing")
        }
        #expect(throws: FileBytes.Failure(description: "Is a directory")) { try FileBytes.read(directory) }
        try Data([0x66, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: directory + "/latin1"))
        #expect(throws: FileBytes.Failure(description: "not UTF-8 text")) {
            try FileBytes.readText(directory + "/latin1")
        }
        try Data("kid: é\n".utf8).write(to: URL(fileURLWithPath: directory + "/text"))
        #expect(try FileBytes.readText(directory + "/text") == "kid: é\n")
    }

    @Test("JSONFields reads objects field by field as JSONSerialization's [String: Any] did")
    func jsonFields() throws {
        let document =
            #"{"alg":"EdDSA","kid":"k1","b64":false,"crit":null,"n":1.5,"keys":[{"x":"a"},{"x":"b"}],"mixed":[{"x":1},2]}"#
        let fields = try #require(JSONFields.object(from: Array(document.utf8)))
        let reference = try #require(
            try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        for key in ["alg", "kid", "n", "missing"] {
            #expect(fields[key]?.string == reference[key] as? String, "\(key)")
        }
        #expect(fields["b64"]?.bool == false && fields["crit"] == .null && fields["missing"] == nil)
        #expect(fields["keys"]?.objects?.compactMap { $0["x"]?.string } == ["a", "b"])
        #expect(fields["mixed"]?.objects == nil && (reference["mixed"] as? [[String: Any]]) == nil)
        for notAnObject in ["[1]", "\"text\"", "{", "", "{\"a\":1} x", "{'a':1}"] {
            #expect(JSONFields.object(from: Array(notAnObject.utf8)) == nil, "\(notAnObject)")
        }
    }

    @Test("SystemThread runs its body on a thread of its own, named as asked")
    func systemThread() async {
        let name = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            SystemThread.detach(name: "test thread name that is long") {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                continuation.resume(returning: comm.trimmingCharacters(in: .newlines))
            }
        }
        #expect(name == "test thread nam")
    }
}
