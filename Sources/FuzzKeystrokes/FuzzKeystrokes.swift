// libFuzzer entry point: build with
//   swift build -j 1 --sanitize=fuzzer -Xswiftc -parse-as-library --product FuzzKeystrokes --scratch-path .build-fuzz
// and run with SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzKeystrokes -max_total_time=30
import ScanBridgePayloads

/// Input: 5-byte records (type selector, code, value selector, time step low, time step high) fed to a
/// decoder for every keymap and suffix. Invariants: no crash; scans are non-empty and at most
/// `maximumLength` bytes; with Alt-code digits filtered out, every scanned byte comes from the keymap's
/// table, GS, Tab or CR.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var events: [KeyEvent] = []
    var time: UInt64 = 1_000_000
    var index = 0
    while index + 5 <= bytes.count {
        let type: UInt16 =
            switch bytes[index] % 8 {
            case 0: KeyEventType.syn
            case 1: KeyEventType.msc
            default: KeyEventType.key
            }
        // Codes 0...127, biased toward the ones that matter (modifiers, keypad, suffixes).
        let code = UInt16(bytes[index + 1] & 0x7F)
        let value: Int32 =
            switch bytes[index + 2] % 7 {
            case 0, 1, 2: 1
            case 3, 4: 0
            case 5: 2
            default: Int32(bitPattern: UInt32(bytes[index + 2]) << 24 | UInt32(bytes[index + 3]))
            }
        time &+= UInt64(bytes[index + 3]) | UInt64(bytes[index + 4]) << 8
        if bytes[index + 4] == 0xFF { time &-= 70_000 }  // clocks can jump back
        let adjustedCode = type == KeyEventType.syn ? code % 4 : code
        events.append(KeyEvent(type: type, code: adjustedCode, value: value, time: time))
        index += 5
    }
    let keypadDigits = Set(KeyCode.keypadDigits)
    let plainEvents = events.filter { !($0.type == KeyEventType.key && keypadDigits.contains($0.code)) }
    let maximumLength = 1 + Int(size % 64)
    for keymap in Keymap.all {
        for suffix in ScanSuffix.allCases {
            for (stream, checkBytes) in [(events, false), (plainEvents, true)] {
                var decoder = KeystrokeDecoder(
                    keymap: keymap, suffix: suffix, interKeyGapMicroseconds: 20_000, maximumLength: maximumLength)
                var outputs: [KeystrokeDecoder.Output] = []
                for event in stream {
                    if let deadline = decoder.deadline, event.time > deadline, event.time % 3 == 0 {
                        outputs += decoder.expire(now: event.time)
                    }
                    outputs += decoder.feed(event)
                }
                outputs += decoder.expire(now: UInt64.max)
                outputs += decoder.flush(reason: "fuzz end")
                precondition(decoder.deadline == nil, "state left after flush")
                for output in outputs {
                    switch output {
                    case .scan(let scan):
                        precondition(!scan.isEmpty && scan.count <= maximumLength, "scan length \(scan.count)")
                        if checkBytes {
                            for byte in scan {
                                precondition(
                                    keymap.canType(byte) || byte == KeystrokeDecoder.groupSeparator || byte == 0x09
                                        || byte == 0x0D,
                                    "byte \(byte) not from keymap \(keymap.name)")
                            }
                        }
                    case .rejected(_, let partial):
                        precondition(partial.count <= maximumLength, "partial length \(partial.count)")
                    }
                }
            }
        }
    }
    return 0
}
