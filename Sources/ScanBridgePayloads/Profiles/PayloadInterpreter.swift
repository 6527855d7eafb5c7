/// Decodes, validates and normalises one framed payload according to a profile.
///
/// Pure: the same bytes and profile always give the same verdict, so a quarantined payload
/// replayed under a fixed profile is judged exactly as a live one would be.
public struct PayloadInterpreter: Sendable {
    public struct Problem: Sendable, Equatable {
        public var instance: String
        public var schema: String
        public var message: String

        public init(instance: String = "", schema: String = "", message: String) {
            self.instance = instance
            self.schema = schema
            self.message = message
        }
    }

    public enum Verdict: Sendable {
        /// `data` is the event's `data` object.
        case accepted(data: JSONValue, fingerprint: StructuralFingerprint)
        /// `code`: `invalid_utf8`, `control_character`, `invalid_json`, `schema`, `normalise`.
        case rejected(code: String, problems: [Problem], fingerprint: StructuralFingerprint?)
    }

    public let profile: DeviceProfile?
    /// Two-digit GS1 years are read in a window around this year (the caller's clock).
    public let referenceYear: Int
    /// Which control bytes are data: CR and LF in a HID POS report are, in a serial line not.
    public let delimiting: PayloadDelimiting

    public init(
        profile: DeviceProfile?, referenceYear: Int = GS1Date.defaultReferenceYear,
        delimiting: PayloadDelimiting = .lines
    ) {
        self.profile = profile
        self.referenceYear = referenceYear
        self.delimiting = delimiting
    }

    public func interpret(_ line: [UInt8]) -> Verdict {
        let text: String
        switch ScanText.validate(line, delimiting: delimiting) {
        case .success(let valid): text = valid
        case .failure(let rejection):
            return .rejected(
                code: rejection.code, problems: [Problem(message: rejection.description)], fingerprint: nil)
        }
        let payload: JSONValue
        let fingerprint: StructuralFingerprint
        switch profile?.decoder ?? .text {
        case .json:
            do { payload = try JSONValue.parse(line) } catch {
                return .rejected(
                    code: "invalid_json", problems: [Problem(message: "not valid JSON: \(error.message)")],
                    fingerprint: nil)
            }
            fingerprint = StructuralFingerprint(payload)
        case .gs1:
            let decoding = BarcodeDecoder.decode(line, referenceYear: referenceYear)
            fingerprint = decoding.fingerprint
            guard decoding.isValid else {
                return .rejected(
                    code: "gs1",
                    problems: decoding.problems.map {
                        Problem(instance: $0.ai.map { "(\($0))" } ?? "", message: $0.description)
                    }, fingerprint: fingerprint)
            }
            payload = decoding.jsonValue(text: text)
        default:
            payload = .string(text)
            fingerprint = Self.textFingerprint(text)
        }
        if let schema = profile?.schema {
            let errors = schema.validate(payload)
            if !errors.isEmpty {
                return .rejected(
                    code: "schema",
                    problems: errors.map {
                        Problem(
                            instance: $0.instancePointer.description, schema: $0.schemaPointer.description,
                            message: $0.message)
                    }, fingerprint: fingerprint)
            }
        }
        if let normalisation = profile?.normalisation {
            switch normalisation.apply(to: payload) {
            case .success(let data): return .accepted(data: data, fingerprint: fingerprint)
            case .failure(let failure):
                return .rejected(
                    code: "normalise", problems: [Problem(instance: failure.pointer, message: failure.message)],
                    fingerprint: fingerprint)
            }
        }
        if case .object = payload { return .accepted(data: payload, fingerprint: fingerprint) }
        // (text payloads become {"text": …})
        if case .string(let text) = payload {
            return .accepted(data: .object(["text": .string(text)]), fingerprint: fingerprint)
        }
        return .accepted(data: .object(["value": payload]), fingerprint: fingerprint)
    }

    /// Character classes present and a length band: enough to notice a scanner that starts
    /// sending another format, without keeping any of the payload.
    public static func textFingerprint(_ text: String) -> StructuralFingerprint {
        var classes: Set<String> = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: classes.insert("digit")
            case 0x41...0x5A: classes.insert("upper")
            case 0x61...0x7A: classes.insert("lower")
            case 0x1D: classes.insert("gs")
            case 0x00...0x1F: classes.insert("control")
            case 0x20: classes.insert("space")
            case 0x21...0x7E: classes.insert("punct")
            default: classes.insert("non-ascii")
            }
        }
        let count = text.unicodeScalars.count
        var band = 1
        while band * 2 <= count { band *= 2 }
        if text.hasPrefix("]"), text.unicodeScalars.count >= 3 {
            classes.insert("aim:" + String(text.unicodeScalars.prefix(3).map(Character.init)))
        }
        return StructuralFingerprint(paths: classes.sorted().map { "text:" + $0 } + ["length:\(band)-\(band * 2 - 1)"])
    }
}
