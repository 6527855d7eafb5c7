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
            let number: JSONNumber
            switch value {
            case .number(let n): number = n
            case .string(let text):
                guard let parsed = JSONNumber(text.trimmingSpaces) else {
                    return .failure(Failure(pointer: field.value.description, message: "not a decimal number (field \(field.name))"))
                }
                number = parsed
            default:
                return .failure(Failure(pointer: field.value.description, message: "expected a number or numeric string"))
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
            guard let shifted = mapping.shift == 0 ? number : number.shifted(byPowerOfTen: mapping.shift),
                let decimal = shifted.plainDecimal()
            else {
                return .failure(Failure(pointer: field.value.description, message: "number out of range"))
            }
            _ = data.append(key: field.name, value: .object(["value": .string(decimal), "unit": .string(mapping.code)]))
        }
        return .success(.object(data))
    }

    static func isUNECECode(_ text: String) -> Bool {
        (2...3).contains(text.utf8.count) && text.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
