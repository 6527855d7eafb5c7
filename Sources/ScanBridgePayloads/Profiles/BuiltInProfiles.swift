/// Profiles shipped with the agent.
public enum BuiltInProfiles {
    public static let sources: [(name: String, json: String)] = [
        (
            "serial-lines",
            """
            {"id": "serial-lines", "version": 1, "framing": "lines", "decoder": "gs1",
             "description": "Any serial barcode scanner sending one scan per line: AIM symbology identifier and GS1 data decoded and checked where present, other symbologies as text."}
            """
        ),
        (
            "thingmagic-mercury",
            """
            {"id": "thingmagic-mercury", "version": 1, "framing": "mercury", "decoder": "epc",
             "description": "ThingMagic Mercury serial protocol (M5e, M6e, Micro, Nano, SparkFun Simultaneous RFID): Gen2 continuous reading; tag reports carry read count, RSSI in dBm and antenna.",
             "reader": {"baud": 115200,
                        "start": [{"command": "93", "data": "0005"},
                                  {"command": "2F", "data": "00000122000005072210001B03E801FF"}],
                        "stop": [{"command": "2F", "data": "000002"}],
                        "restart_after_quiet_ms": 10000}}
            """
        ),
        // feedback.error: acousto-optic control (Cmd 0x33: ActiveT, SilentT, Times in 50 ms units),
        // three 100 ms beeps and flashes, to the broadcast address — ZK-RFID102 UHF RFID Reader
        // User's Manual V2.0 §8.4.7 (https://manualshive.com/ru/manual/zkhy/zk_rfid101/935388?page=34).
        // The other built-in readers document no buzzer command (Mercury's GPO 0x96 holds a
        // level, the EM4100 class receives nothing), so they have no feedback.
        (
            "chafon-uhfreader18",
            """
            {"id": "chafon-uhfreader18", "version": 1, "framing": "chafon", "decoder": "epc",
             "description": "Chafon UHFReader18-style readers (CF-RU5102 and kin) in answer mode: the agent polls inventory (0x01); the 288/UR family's real-time output (0xEE) is decoded too.",
             "reader": {"baud": 57600, "address": "FF", "poll": {"command": "01"}, "poll_interval_ms": 100},
             "feedback": {"error": "07FF33020203573C"}}
            """
        ),
        (
            "chafon-realtime",
            """
            {"id": "chafon-realtime", "version": 1, "framing": "chafon", "decoder": "epc",
             "description": "Chafon UHFReader288/UR readers set to real-time (scan) mode: they stream 0xEE tag frames with antenna and raw RSSI unasked.",
             "reader": {"baud": 57600}}
            """
        ),
        (
            "em4100-ascii",
            """
            {"id": "em4100-ascii", "version": 1, "framing": "stx-hex-xor", "decoder": "epc",
             "description": "125 kHz EM4100 readers (RDM6300 class): STX, 10 hex digits, XOR checksum, ETX; ids reported as 10 hex digits.",
             "reader": {"baud": 9600}}
            """
        ),
        (
            "rfid-lines",
            """
            {"id": "rfid-lines", "version": 1, "framing": "lines", "decoder": "epc",
             "description": "ASCII RFID readers sending one read per line: EPC hex, optionally antenna and RSSI, comma-separated (override reader.pattern for other layouts).",
             "reader": {"baud": 9600}}
            """
        ),
    ]

    /// The scanner families of FACTS.md's vendor list, in whichever USB mode they are set to.
    static let usbScanners: [(name: String, vendorID: String, family: String)] = [
        ("zebra-usb", "05e0", "Zebra (Symbol, Motorola) USB scanners"),
        ("honeywell-usb", "0c2e", "Honeywell (Hand Held Products, Metrologic) USB scanners"),
        ("datalogic-usb", "05f9", "Datalogic USB scanners"),
        ("newland-usb", "1eab", "Newland USB scanners"),
    ]

    static func usbScannerSource(name: String, vendorID: String, family: String) -> (name: String, json: String) {
        (
            name,
            """
            {"id": "\(name)", "version": 1, "match": {"vendor_id": "\(vendorID)"}, "framing": "usb", "decoder": "gs1",
             "description": "\(family), in keyboard-wedge, HID POS or USB COM (CDC-ACM) mode: AIM symbology identifier and GS1 data decoded and checked where present, other symbologies as text."}
            """
        )
    }

    public static func all() throws(ProfileLoadError) -> [DeviceProfile] {
        var profiles: [DeviceProfile] = []
        for source in sources + usbScanners.map(usbScannerSource) {
            profiles.append(try ProfileParser.parse(Array(source.json.utf8), source: "built-in:" + source.name))
        }
        return profiles
    }
}
