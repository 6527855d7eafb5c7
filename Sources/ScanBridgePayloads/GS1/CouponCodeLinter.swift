/// The North American coupon structures of AI (8110) and AI (8112), as laid out in the GS1 US "North American Coupon
/// Application Guideline Using GS1 DataBar Expanded Symbols": all digits, fields introduced by variable-length
/// indicators (VLIs) and optional fields identified by a leading digit, in ascending order.
enum CouponCodeLinter {
    /// Reads coupon fields left to right; every read reports what was missing or wrong.
    private struct Cursor {
        let digits: [Int]
        var index = 0
        var problem: String?

        var atEnd: Bool { index >= digits.count }

        /// The next single digit, if it is one of `allowed`.
        mutating func code(_ name: String, _ allowed: Set<Int>) -> Int? {
            guard problem == nil else { return nil }
            guard !atEnd else {
                problem = "coupon ends before its \(name)"
                return nil
            }
            let digit = digits[index]
            guard allowed.contains(digit) else {
                problem = "coupon \(name) \(digit) at position \(index + 1) is not valid"
                return nil
            }
            index += 1
            return digit
        }

        /// Skips `count` digits, which must be present.
        mutating func field(_ name: String, length count: Int) {
            guard problem == nil else { return }
            guard digits.count - index >= count else {
                problem = "coupon \(name) is cut short: \(count) digits expected at position \(index + 1)"
                return
            }
            index += count
        }

        /// A VLI digit from `allowed`, then a field of VLI + `offset` digits. A `none` VLI value means "no field".
        mutating func lengthPrefixed(_ name: String, _ allowed: Set<Int>, plus offset: Int, none: Int? = nil) {
            guard let vli = code("\(name) length", none.map { allowed.union([$0]) } ?? allowed) else { return }
            if vli == none { return }
            field(name, length: vli + offset)
        }

        /// A six-digit YYMMDD date, returned as a number for ordering.
        mutating func date(_ name: String, referenceYear: Int) -> Int? {
            guard problem == nil else { return nil }
            let start = index
            field(name, length: 6)
            guard problem == nil else { return nil }
            let value = digits[start..<index].reduce(0) { $0 * 10 + $1 }
            let month = value / 100 % 100
            let day = value % 100
            let year = GS1Date.fullYear(twoDigit: value / 10_000, referenceYear: referenceYear)
            guard (1...12).contains(month), day >= 1, day <= GS1Date.daysIn(month: month, year: year) else {
                problem =
                    "coupon \(name) \(GS1Characters.string(digits[start..<index].map { UInt8($0) + 48 })) "
                    + "is not a date"
                return nil
            }
            return value
        }

        /// Whether the optional field with identifier `id` comes next (and consumes the identifier).
        mutating func optionalField(_ id: Int) -> Bool {
            guard problem == nil, !atEnd, digits[index] == id else { return false }
            index += 1
            return true
        }
    }

    private static func digits(_ data: ArraySlice<UInt8>) -> ([Int]?, String?) {
        var result: [Int] = []
        for (offset, byte) in data.enumerated() {
            guard GS1Characters.isDigit(byte) else {
                return (nil, "\(GS1Characters.describe(byte)) at data position \(offset + 1) is not a digit")
            }
            result.append(Int(byte - UInt8(ascii: "0")))
        }
        return (result, nil)
    }

    /// AI (8110): coupon code identification.
    static func couponCodeProblem(_ data: ArraySlice<UInt8>, referenceYear: Int) -> String? {
        let (parsed, problem) = digits(data)
        guard let parsed else { return problem }
        var cursor = Cursor(digits: parsed)
        cursor.lengthPrefixed("company prefix", Set(0...6), plus: 6)
        cursor.field("offer code", length: 6)
        cursor.lengthPrefixed("save value", Set(1...5), plus: 0)
        cursor.lengthPrefixed("1st purchase requirement", Set(1...5), plus: 0)
        _ = cursor.code("1st purchase requirement code", [0, 1, 2, 3, 4, 9])
        cursor.field("1st purchase family code", length: 3)
        if cursor.optionalField(1) {
            _ = cursor.code("additional purchase rules code", Set(0...3))
            cursor.lengthPrefixed("2nd purchase requirement", Set(1...5), plus: 0)
            _ = cursor.code("2nd purchase requirement code", [0, 1, 2, 3, 4, 9])
            cursor.field("2nd purchase family code", length: 3)
            cursor.lengthPrefixed("2nd purchase company prefix", Set(0...6), plus: 6, none: 9)
        }
        if cursor.optionalField(2) {
            cursor.lengthPrefixed("3rd purchase requirement", Set(1...5), plus: 0)
            _ = cursor.code("3rd purchase requirement code", [0, 1, 2, 3, 4, 9])
            cursor.field("3rd purchase family code", length: 3)
            cursor.lengthPrefixed("3rd purchase company prefix", Set(0...6), plus: 6, none: 9)
        }
        var expiry: Int?
        if cursor.optionalField(3) { expiry = cursor.date("expiration date", referenceYear: referenceYear) }
        if cursor.optionalField(4), let start = cursor.date("start date", referenceYear: referenceYear),
            let expiry, start > expiry
        {
            cursor.problem = "coupon expires before it starts"
        }
        if cursor.optionalField(5) { cursor.lengthPrefixed("serial number", Set(0...9), plus: 6) }
        if cursor.optionalField(6) { cursor.lengthPrefixed("retailer company prefix or GLN", Set(1...7), plus: 6) }
        if cursor.optionalField(9) {
            _ = cursor.code("save value code", [0, 1, 2, 5, 6])
            _ = cursor.code("save value applies to item", Set(0...2))
            _ = cursor.code("store coupon flag", Set(0...9))
            _ = cursor.code("don't multiply flag", Set(0...1))
        }
        if let problem = cursor.problem { return problem }
        return cursor.atEnd ? nil : "coupon has unexpected data at position \(cursor.index + 1)"
    }

    /// AI (8112): paperless coupon code identification.
    static func positiveOfferProblem(_ data: ArraySlice<UInt8>) -> String? {
        let (parsed, problem) = digits(data)
        guard let parsed else { return problem }
        var cursor = Cursor(digits: parsed)
        _ = cursor.code("format", Set(0...1))
        cursor.lengthPrefixed("funder", Set(0...6), plus: 6)
        cursor.field("offer code", length: 6)
        cursor.lengthPrefixed("serial number", Set(0...9), plus: 6)
        if let problem = cursor.problem { return problem }
        return cursor.atEnd ? nil : "coupon has unexpected data at position \(cursor.index + 1)"
    }
}
