import ArgumentParser
import FoundationEssentials
import ScanBridgeCommandSupport
import ScanBridgePayloads

#if canImport(Glibc)
    import Glibc
#endif

/// `scanbridge decode barcode [--json] DATA` and `scanbridge decode epc [--json] HEX`.
///
/// Exit status: 0 when the input is valid, 1 when it is invalid (the output still says why), 2 on usage errors
/// (use `DecodeCommand.mainMappingUsageErrors()` or map ArgumentParser's EX_USAGE 64 to 2 in the root command).
public struct DecodeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode barcode data or EPC hex, as a scanner or reader delivers it.",
        subcommands: [Barcode.self, EPC.self]
    )

    public init() {}

    /// `decode` without `barcode` or `epc` is a usage error.
    public func run() throws {
        StandardError.write(Self.helpMessage() + "\n")
        throw ExitCode(2)
    }

    /// Runs the command line, mapping ArgumentParser's usage errors (EX_USAGE, 64) to exit status 2.
    public static func mainMappingUsageErrors(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }

    public struct Barcode: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "barcode",
            abstract:
                "Decode scanned barcode data: AIM identifier, GS1 element string, (01)… form, Digital Link, EAN/UPC.",
            discussion: """
                DATA is the data as scanned. It may start with an AIM symbology identifier (]C1, ]d2, ]Q3, ]e0, ]E0, \
                ]E4, …) and contain GS (ASCII 29) separators. On a command line GS may also be written as \\x1D, \
                \\u001D, <GS>, {GS}, ^] or ␝ (U+241D). DATA may also be the parenthesised form \
                (01)09501101530003(17)260101 or a GS1 Digital Link URI.
                """
        )

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Argument(help: "The scanned data.")
        var data: String

        public init() {}

        public func run() throws {
            let bytes = Array(DecodeCommand.replacingSeparatorStandIns(data).utf8)
            let decoding = BarcodeDecoder.decode(bytes, referenceYear: DecodeCommand.currentYear())
            print(json ? DecodeOutput.json(decoding) : DecodeOutput.text(decoding))
            if !decoding.isValid { throw ExitCode(1) }
        }
    }

    public struct EPC: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "epc",
            abstract: "Decode EPC binary given as hex (SGTIN-96/198, SSCC-96, SGLN-96, GRAI-96, GIAI-96, GID-96).",
            discussion: "HEX may start with 0x and contain spaces, '-' or ':' between digits."
        )

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Argument(help: "The EPC as hex, e.g. 3074257BF7194E4000001A85.")
        var hex: String

        public init() {}

        public func run() throws {
            let decoding = EPCDecoder.decode(hex: hex)
            print(json ? DecodeOutput.json(decoding) : DecodeOutput.text(decoding))
            if case .invalid = decoding { throw ExitCode(1) }
        }
    }

    /// The textual stand-ins for GS (ASCII 29) accepted on the command line.
    public static let separatorStandIns = ["\\x1D", "\\x1d", "\\u001D", "\\u001d", "<GS>", "{GS}", "^]", "\u{241D}"]

    public static func replacingSeparatorStandIns(_ text: String) -> String {
        var result = text
        for standIn in separatorStandIns { result = result.replacing(standIn, with: "\u{1D}") }
        return result
    }

    static func currentYear() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.component(.year, from: Date())
    }
}

/// Renders decodings as JSON (keys in a fixed order) or as lines for a technician.
public enum DecodeOutput {
    public static func json(_ decoding: BarcodeDecoding) -> String {
        var object = JSONObjectText()
        object.add("aim", decoding.symbologyIdentifier.map { .string($0.description) } ?? .null)
        object.add("symbology", decoding.symbology.map { .string($0) } ?? .null)
        object.add("gs1", .bool(decoding.isGS1))
        let elements: [String] = decoding.elements.map { element in
            var item = JSONObjectText()
            item.add("ai", .string(element.ai))
            item.add("title", .string(element.title))
            item.add("value", .string(element.value))
            if let decimal = element.decimal { item.add("decimal", .string(decimal)) }
            if let unit = element.unit { item.add("unit", .string(unit)) }
            if let currency = element.currency { item.add("currency", .string(currency)) }
            if let date = element.date { item.add("date", .string(date)) }
            return item.text
        }
        object.add("elements", .raw("[" + elements.joined(separator: ", ") + "]"))
        object.add("gtin", decoding.gtin.map { .string($0) } ?? .null)
        object.add("errors", .strings(decoding.problems.map(\.description)))
        object.add("form", .string(decoding.form.rawValue))
        object.add("hri", decoding.elements.isEmpty ? .null : .string(decoding.humanReadable))
        object.add("data", .string(decoding.data))
        return object.text
    }

    public static func text(_ decoding: BarcodeDecoding) -> String {
        var lines: [String] = []
        var heading = [decoding.symbologyIdentifier?.description, decoding.symbology].compactMap { $0 }
        heading.append(decoding.isGS1 ? "GS1 \(decoding.form.rawValue)" : decoding.form.rawValue)
        lines.append(heading.joined(separator: " "))
        if !decoding.elements.isEmpty { lines.append(decoding.humanReadable) }
        for element in decoding.elements {
            var line = "(\(element.ai)) \(element.title): \(element.value)"
            var meaning: [String] = []
            if let decimal = element.decimal { meaning.append(decimal) }
            if let unit = element.unit { meaning.append(unit) }
            if let currency = element.currency { meaning.append("currency \(currency)") }
            if let date = element.date { meaning.append(date) }
            if !meaning.isEmpty { line += " = " + meaning.joined(separator: " ") }
            lines.append(line)
        }
        if decoding.elements.isEmpty, !decoding.data.isEmpty {
            lines.append("data: " + decoding.data.replacing("\u{1D}", with: "<GS>"))
        }
        if let gtin = decoding.gtin { lines.append("GTIN \(gtin)") }
        lines += decoding.problems.map { "invalid: \($0)" }
        return lines.joined(separator: "\n")
    }

    public static func json(_ decoding: EPCDecoding) -> String {
        var object = JSONObjectText()
        switch decoding {
        case .tag(let tag):
            object.add("scheme", .string(tag.scheme.rawValue))
            object.add("filter", tag.filter.map { .raw(String($0)) } ?? .null)
            object.add("uri", .string(tag.uri))
            object.add("tag_uri", .string(tag.tagURI))
            let optional: [(String, String?)] = [
                ("gtin", tag.gtin), ("serial", tag.serial), ("sscc", tag.sscc), ("gln", tag.gln),
                ("extension", tag.glnExtension), ("grai", tag.grai), ("giai", tag.giai),
                ("general_manager", tag.generalManager), ("object_class", tag.objectClass),
                ("company_prefix", tag.companyPrefix), ("element_string", tag.elementString),
            ]
            for (key, value) in optional { if let value { object.add(key, .string(value)) } }
            object.add("errors", .strings([]))
        case .notDecoded(let header, let reason):
            object.add("scheme", .null)
            object.add("header", .string("0x" + hex(header)))
            object.add("decoded", .bool(false))
            object.add("reason", .string(reason))
            object.add("errors", .strings([]))
        case .invalid(let scheme, let problems):
            object.add("scheme", scheme.map { .string($0.rawValue) } ?? .null)
            object.add("errors", .strings(problems.map(\.description)))
        }
        return object.text
    }

    public static func text(_ decoding: EPCDecoding) -> String {
        switch decoding {
        case .tag(let tag):
            var lines = [tag.scheme.rawValue + (tag.filter.map { " filter \($0)" } ?? ""), tag.uri, tag.tagURI]
            let optional: [(String, String?)] = [
                ("GTIN", tag.gtin), ("serial", tag.serial), ("SSCC", tag.sscc), ("GLN", tag.gln),
                ("extension", tag.glnExtension), ("GRAI", tag.grai), ("GIAI", tag.giai),
                ("general manager", tag.generalManager), ("object class", tag.objectClass),
                ("GS1", tag.elementString),
            ]
            for (label, value) in optional { if let value { lines.append("\(label) \(value)") } }
            return lines.joined(separator: "\n")
        case .notDecoded(_, let reason):
            return reason
        case .invalid(let scheme, let problems):
            return ([scheme?.rawValue ?? "EPC"] + problems.map { "invalid: \($0)" }).joined(separator: "\n")
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16, uppercase: true)
        return text.count == 1 ? "0" + text : text
    }
}

/// A JSON object written key by key, so keys keep the documented order.
struct JSONObjectText {
    enum Member {
        case string(String)
        case bool(Bool)
        case null
        case strings([String])
        /// Already-serialised JSON.
        case raw(String)
    }

    private var members: [String] = []

    mutating func add(_ key: String, _ value: Member) {
        let rendered: String
        switch value {
        case .string(let text): rendered = Self.quoted(text)
        case .bool(let flag): rendered = flag ? "true" : "false"
        case .null: rendered = "null"
        case .strings(let texts): rendered = "[" + texts.map(Self.quoted).joined(separator: ", ") + "]"
        case .raw(let text): rendered = text
        }
        members.append(Self.quoted(key) + ": " + rendered)
    }

    var text: String { "{" + members.joined(separator: ", ") + "}" }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
