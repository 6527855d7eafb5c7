import ScanBridgeCore

/// Reads a profile file (one JSON object), refusing anything it does not understand.
public enum ProfileParser {
    static let topLevelKeys: Set<String> = [
        "id", "version", "match", "framing", "decoder", "schema", "normalise", "reader", "feedback",
        "description",
    ]

    public static func parse(_ bytes: [UInt8], source: String) throws(ProfileLoadError) -> DeviceProfile {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch {
            throw ProfileLoadError(source: source, pointer: "", message: "not valid JSON: \(error)")
        }
        return try parse(document, source: source)
    }

    public static func parse(_ document: JSONValue, source: String) throws(ProfileLoadError) -> DeviceProfile {
        func fail(_ pointer: String, _ message: String) -> ProfileLoadError {
            ProfileLoadError(source: source, pointer: pointer, message: message)
        }
        guard case .object(let root) = document else { throw fail("", "a profile is one JSON object") }
        for key in root.keys where !topLevelKeys.contains(key) {
            throw fail(
                "/" + JSONPointer.escape(key), "unknown member; known: \(topLevelKeys.sorted().joined(separator: ", "))"
            )
        }
        guard case .string(let id)? = root["id"], !id.isEmpty, !id.contains("@") else {
            throw fail("/id", "required: a non-empty string without @")
        }
        guard case .number(let number)? = root["version"], let version = number.exactInt, version >= 1 else {
            throw fail("/version", "required: an integer ≥ 1")
        }
        var match = DeviceProfile.Match()
        if let value = root["match"] {
            guard case .object(let object) = value else { throw fail("/match", "expected an object") }
            for member in object {
                guard case .string(let text) = member.value else {
                    throw fail("/match/\(member.key)", "expected a string")
                }
                switch member.key {
                case "vendor_id": match.vendorID = text
                case "product_id": match.productID = text
                case "serial": match.serial = text
                case "firmware":
                    guard let requirement = FirmwareRequirement(text) else {
                        throw fail("/match/firmware", "expected comparisons such as \">=2.0 <3.0\"")
                    }
                    match.firmware = requirement
                default:
                    throw fail(
                        "/match/" + JSONPointer.escape(member.key),
                        "unknown; known: vendor_id, product_id, serial, firmware")
                }
            }
        }
        var framing = "lines"
        if let value = root["framing"] {
            guard case .string(let text) = value else { throw fail("/framing", "expected a string") }
            framing = text
        }
        let decoder: DeviceProfile.Decoder
        switch root["decoder"] {
        case .string("text")?, nil: decoder = .text
        case .string("json")?: decoder = .json
        case .string("gs1")?: decoder = .gs1
        case .string("epc")?: decoder = .epc
        case .string(let other)? where !other.isEmpty: decoder = .readerProtocol(other)
        default: throw fail("/decoder", "expected text, gs1, epc, json or a reader protocol name")
        }
        var schema: JSONSchema?
        if let value = root["schema"] {
            do { schema = try JSONSchema(value) } catch {
                throw fail("/schema" + error.pointer.description, "\(error)")
            }
        }
        var normalisation: PayloadNormalisation?
        if let value = root["normalise"] {
            normalisation = try parseNormalisation(value, fail: fail)
        }
        var reader: ReaderSettings?
        if let value = root["reader"] {
            reader = try parseReader(value, fail: fail)
        }
        var feedback: DeviceProfile.Feedback?
        if let value = root["feedback"] {
            feedback = try parseFeedback(value, fail: fail)
        }
        var profile = DeviceProfile(
            id: id, version: version, match: match, framing: framing, decoder: decoder, schema: schema,
            normalisation: normalisation, reader: reader, source: source, document: document)
        profile.feedback = feedback
        return profile
    }

    /// At most this many bytes per signal: a command frame, not a data transfer.
    static let maximumFeedbackBytes = 256

    private static func parseFeedback(
        _ value: JSONValue, fail: (String, String) -> ProfileLoadError
    ) throws(ProfileLoadError) -> DeviceProfile.Feedback {
        guard case .object(let object) = value else {
            throw fail("/feedback", "expected {\"error\": \"hex bytes\", \"ok\": \"hex bytes\"}")
        }
        var feedback = DeviceProfile.Feedback()
        for member in object {
            let key = member.key
            let pointer = "/feedback/" + JSONPointer.escape(key)
            guard key == "error" || key == "ok" else { throw fail(pointer, "unknown; known: error, ok") }
            guard case .string(let text) = member.value, let bytes = Hex.decode(text), !bytes.isEmpty,
                bytes.count <= maximumFeedbackBytes
            else {
                throw fail(pointer, "expected 1 to \(maximumFeedbackBytes) hex bytes such as \"0733...\"")
            }
            if key == "error" { feedback.error = bytes } else { feedback.ok = bytes }
        }
        return feedback
    }

    static let readerKeys: Set<String> = [
        "baud", "parity", "stop_bits", "address", "pattern", "start", "stop", "poll", "poll_interval_ms",
        "reply_timeout_ms", "restart_after_quiet_ms", "inter_byte_timeout_ms",
    ]

    private static func parseReader(
        _ value: JSONValue, fail: (String, String) -> ProfileLoadError
    ) throws(ProfileLoadError) -> ReaderSettings {
        guard case .object(let object) = value else { throw fail("/reader", "expected an object") }
        var reader = ReaderSettings()
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(ProfileLoadError) -> Int? {
            guard let value = object[key] else { return nil }
            guard case .number(let number) = value, let integer = number.exactInt, range.contains(integer) else {
                throw fail("/reader/" + key, "expected an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return integer
        }
        func command(_ value: JSONValue, at pointer: String) throws(ProfileLoadError) -> ReaderSettings.Command {
            guard case .object(let fields) = value, case .string(let code)? = fields["command"],
                let bytes = Hex.decode(code), bytes.count == 1
            else { throw fail(pointer, "expected {\"command\": \"2F\", \"data\": \"hex bytes\"}") }
            for key in fields.keys where key != "command" && key != "data" {
                throw fail(pointer + "/" + JSONPointer.escape(key), "unknown; known: command, data")
            }
            var data: [UInt8] = []
            if let field = fields["data"] {
                guard case .string(let text) = field, let decoded = Hex.decode(text) else {
                    throw fail(pointer + "/data", "expected hex bytes such as \"0001\"")
                }
                data = decoded
            }
            return .init(command: bytes[0], data: data)
        }
        func commands(_ key: String) throws(ProfileLoadError) -> [ReaderSettings.Command] {
            guard let value = object[key] else { return [] }
            guard case .array(let items) = value else { throw fail("/reader/" + key, "expected an array of commands") }
            var result: [ReaderSettings.Command] = []
            for (index, item) in items.enumerated() { result.append(try command(item, at: "/reader/\(key)/\(index)")) }
            return result
        }
        for key in object.keys where !readerKeys.contains(key) {
            throw fail(
                "/reader/" + JSONPointer.escape(key),
                "unknown member; known: \(readerKeys.sorted().joined(separator: ", "))")
        }
        reader.baud = try integer("baud", 50...4_000_000)
        if let value = object["parity"] {
            guard case .string(let text) = value, ["none", "even", "odd"].contains(text) else {
                throw fail("/reader/parity", "expected none, even or odd")
            }
            reader.parity = text
        }
        reader.stopBits = try integer("stop_bits", 1...2)
        if let value = object["address"] {
            guard case .string(let text) = value, let bytes = Hex.decode(text), bytes.count == 1 else {
                throw fail("/reader/address", "expected one hex byte such as \"00\" (FF: broadcast)")
            }
            reader.address = bytes[0]
        }
        if let value = object["pattern"] {
            guard case .string(let text) = value, !text.isEmpty else {
                throw fail("/reader/pattern", "expected a regular expression with a named capture (?<epc>…)")
            }
            reader.pattern = text
        }
        reader.start = try commands("start")
        reader.stop = try commands("stop")
        if let value = object["poll"] { reader.poll = try command(value, at: "/reader/poll") }
        reader.pollIntervalMilliseconds =
            try integer("poll_interval_ms", 10...60_000) ?? reader.pollIntervalMilliseconds
        reader.replyTimeoutMilliseconds =
            try integer("reply_timeout_ms", 10...60_000) ?? reader.replyTimeoutMilliseconds
        reader.restartAfterQuietMilliseconds = try integer("restart_after_quiet_ms", 100...3_600_000)
        reader.interByteTimeoutMilliseconds = try integer("inter_byte_timeout_ms", 1...60_000)
        return reader
    }

    private static func parseNormalisation(
        _ value: JSONValue, fail: (String, String) -> ProfileLoadError
    ) throws(ProfileLoadError) -> PayloadNormalisation {
        guard case .object(let object) = value, case .object(let fieldsObject)? = object["fields"],
            object.count == 1
        else { throw fail("/normalise", "expected {\"fields\": {…}}") }
        var fields: [PayloadNormalisation.Field] = []
        for member in fieldsObject {
            let base = "/normalise/fields/" + JSONPointer.escape(member.key)
            guard case .object(let rule) = member.value else { throw fail(base, "expected an object") }
            for key in rule.keys where !["value", "unit", "units"].contains(key) {
                throw fail(base + "/" + JSONPointer.escape(key), "unknown; known: value, unit, units")
            }
            guard case .string(let pointerText)? = rule["value"], let pointer = try? JSONPointer(pointerText) else {
                throw fail(base + "/value", "required: a JSON Pointer such as \"/qty/amount\"")
            }
            var unit: PayloadNormalisation.Unit?
            switch rule["unit"] {
            case nil: unit = nil
            case .string(let text)? where text.hasPrefix("/"):
                guard let pointer = try? JSONPointer(text) else { throw fail(base + "/unit", "not a JSON Pointer") }
                unit = .pointer(pointer)
            case .string(let code)? where PayloadNormalisation.isUNECECode(code):
                unit = .fixed(code)
            default:
                throw fail(base + "/unit", "expected a JSON Pointer or a UN/ECE Rec 20 code such as KGM")
            }
            var units: [String: PayloadNormalisation.UnitMapping] = [:]
            if let mapping = rule["units"] {
                guard case .object(let table) = mapping else { throw fail(base + "/units", "expected an object") }
                for entry in table {
                    let at = base + "/units/" + JSONPointer.escape(entry.key)
                    switch entry.value {
                    case .string(let code) where PayloadNormalisation.isUNECECode(code):
                        units[entry.key] = .init(code: code, shift: 0)
                    case .object(let conversion):
                        guard case .string(let code)? = conversion["to"], PayloadNormalisation.isUNECECode(code),
                            case .number(let shiftNumber)? = conversion["shift"], let shift = shiftNumber.exactInt,
                            (-30...30).contains(shift), conversion.count == 2
                        else { throw fail(at, "expected a code, or {\"to\": CODE, \"shift\": power of ten}") }
                        units[entry.key] = .init(code: code, shift: shift)
                    default:
                        throw fail(at, "expected a UN/ECE Rec 20 code such as KGM")
                    }
                }
            }
            fields.append(.init(name: member.key, value: pointer, unit: unit, units: units))
        }
        return PayloadNormalisation(fields: fields)
    }
}
