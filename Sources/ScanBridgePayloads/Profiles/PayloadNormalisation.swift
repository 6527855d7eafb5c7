/// Builds an event's `data` from JSON Pointers into the decoded payload.
///
/// A field with a unit becomes `{"value": "<exact decimal>", "unit": "<UN/ECE Rec 20 code>"}`;
/// a unit conversion is only ever an explicit, exact power-of-ten shift named in the profile
/// (`{"cm": {"to": "MTR", "shift": -2}}`), never binary floating point.
public struct PayloadNormalisation: Sendable {
    public enum Unit: Sendable {
        /// A fixed UN/ECE code.
        case fixed(String)
        /// A pointer to the device's own unit text, mapped through `units`.
        case pointer(JSONPointer)
    }

    public struct UnitMapping: Sendable, Equatable {
        public var code: String
        public var shift: Int
    }

    public struct Field: Sendable {
        public var name: String
        public var value: JSONPointer
        public var unit: Unit?
        public var units: [String: UnitMapping]
    }

    public var fields: [Field]

    /// Why a payload that passed its schema still cannot be normalised (it is quarantined,
    /// never forwarded half-empty).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var pointer: String
        public var message: String
        public var description: String { "\(pointer): \(message)" }
    }

    public func apply(to payload: JSONValue) -> Result<JSONValue, Failure> {
        var data = JSONObject()
        for field in fields {
            guard let value = field.value.resolve(in: payload) else {
                return .failure(Failure(pointer: field.value.description, message: "missing (field \(field.name))"))
            }
            guard let unit = field.unit else {
                _ = data.append(key: field.name, value: value)
                continue
            }
            let literal: String
            switch value {
            case .number(let n): literal = n.literal
            case .string(let text):
                guard JSONNumber(text.trimmingSpaces) != nil else {
                    return .failure(
                        Failure(pointer: field.value.description, message: "not a decimal number (field \(field.name))")
                    )
                }
                literal = text.trimmingSpaces
            default:
                return .failure(
                    Failure(pointer: field.value.description, message: "expected a number or numeric string"))
            }
            var mapping: UnitMapping
            switch unit {
            case .fixed(let code):
                mapping = UnitMapping(code: code, shift: 0)
            case .pointer(let pointer):
                guard case .string(let deviceUnit)? = pointer.resolve(in: payload) else {
                    return .failure(Failure(pointer: pointer.description, message: "unit missing or not a string"))
                }
                if let mapped = field.units[deviceUnit] {
                    mapping = mapped
                } else if field.units.isEmpty, Self.isUNECECode(deviceUnit) {
                    mapping = UnitMapping(code: deviceUnit, shift: 0)
                } else {
                    return .failure(Failure(pointer: pointer.description, message: "unit is not one the profile maps"))
                }
            }
            guard let decimal = Self.plainDecimal(literal, shift: mapping.shift) else {
                return .failure(Failure(pointer: field.value.description, message: "number out of range"))
            }
            _ = data.append(
                key: field.name, value: .object(["value": .string(decimal), "unit": .string(mapping.code)]))
        }
        return .success(.object(data))
    }

    /// The exact value of a JSON number literal times 10^shift, written without exponent and
    /// keeping the device's precision: `"12.500"` stays `"12.500"`, `250` g shifted by -3 is
    /// `"0.250"` kg, `1.5e2` is `"150"`.
    public static func plainDecimal(_ literal: String, shift: Int = 0) -> String? {
        var text = Substring(literal)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(text[text.index(after: e)...]), abs(value) <= 1000 else { return nil }
            exponent = value
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        else {
            return nil
        }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        let scale = fraction.count - exponent - shift
        let digits = String(parts[0]) + fraction + String(repeating: "0", count: max(0, -scale))
        guard let result = ExactDecimal.text(digits: digits, decimalPlaces: max(0, scale)) else { return nil }
        return negative ? "-" + result : result
    }

    static func isUNECECode(_ text: String) -> Bool {
        (2...3).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
