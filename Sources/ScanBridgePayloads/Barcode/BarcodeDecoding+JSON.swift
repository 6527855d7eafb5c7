/// The decoded barcode as the JSON the agent validates against a profile's schema and puts in
/// a `barcode.scanned` event's `data`.
extension BarcodeDecoding {
    public func jsonValue(text: String) -> JSONValue {
        var object = JSONObject()
        _ = object.append(key: "text", value: .string(text))
        _ = object.append(key: "aim", value: symbologyIdentifier.map { .string($0.description) } ?? .null)
        _ = object.append(key: "symbology", value: symbology.map(JSONValue.string) ?? .null)
        _ = object.append(key: "gs1", value: .bool(isGS1))
        if isGS1 || !elements.isEmpty {
            var list: [JSONValue] = []
            for element in elements {
                var item = JSONObject()
                _ = item.append(key: "ai", value: .string(element.ai))
                _ = item.append(key: "title", value: .string(element.title))
                _ = item.append(key: "value", value: .string(element.value))
                if let decimal = element.decimal { _ = item.append(key: "decimal", value: .string(decimal)) }
                if let unit = element.unit { _ = item.append(key: "unit", value: .string(unit)) }
                if let currency = element.currency { _ = item.append(key: "currency", value: .string(currency)) }
                if let date = element.date { _ = item.append(key: "date", value: .string(date)) }
                list.append(.object(item))
            }
            _ = object.append(key: "elements", value: .array(list))
            _ = object.append(key: "hri", value: .string(humanReadable))
        }
        _ = object.append(key: "gtin", value: gtin.map(JSONValue.string) ?? .null)
        return .object(object)
    }

    /// Symbology and the set of AIs: what a label format looks like, without its values.
    public var fingerprint: StructuralFingerprint {
        var paths = ["symbology:" + (symbology ?? "none"), "form:" + form.rawValue]
        paths += Set(elements.map(\.ai)).sorted().map { "ai:" + $0 }
        return StructuralFingerprint(paths: paths)
    }
}
