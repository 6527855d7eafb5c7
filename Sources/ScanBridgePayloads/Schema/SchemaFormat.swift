/// The `format` values asserted: RFC 3339 `date-time` and `date` (`full-date`).
enum SchemaFormat: String, Sendable {
    case dateTime = "date-time"
    case date = "date"

    func admits(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .date: return bytes.count == 10 && Self.fullDate(bytes[...]) != nil
        case .dateTime: return Self.isDateTime(bytes)
        }
    }

    var explanation: String {
        switch self {
        case .date: "a date written YYYY-MM-DD (RFC 3339 full-date)"
        case .dateTime: "an RFC 3339 date-time such as 2024-05-01T12:30:00Z"
        }
    }

    /// Reads exactly `count` ASCII digits.
    private static func digits(_ bytes: ArraySlice<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.endIndex else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard JSONNumber.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `YYYY-MM-DD` at the start of `bytes`, checked against the calendar.
    private static func fullDate(_ bytes: ArraySlice<UInt8>) -> (year: Int, month: Int, day: Int)? {
        let start = bytes.startIndex
        guard bytes.count >= 10, let year = digits(bytes, start, 4), bytes[start + 4] == UInt8(ascii: "-"),
            let month = digits(bytes, start + 5, 2), bytes[start + 7] == UInt8(ascii: "-"),
            let day = digits(bytes, start + 8, 2), (1...12).contains(month)
        else { return nil }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthLengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1 && day <= monthLengths[month - 1] else { return nil }
        return (year, month, day)
    }

    private static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20, fullDate(bytes[0..<10]) != nil,
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t")
        else { return false }
        let all = bytes[...]
        guard let hour = digits(all, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = digits(all, 14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = digits(all, 17, 2),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 19
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count && JSONNumber.isDigit(bytes[index]) { index += 1 }
            guard index > fractionStart else { return false }
        }
        guard index < bytes.count else { return false }
        var offsetMinutes = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let offsetHour = digits(all, index + 1, 2), index + 3 < bytes.count,
                bytes[index + 3] == UInt8(ascii: ":"), let offsetMinute = digits(all, index + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
            index += 6
        default:
            return false
        }
        guard index == bytes.count else { return false }
        if second == 60 {
            // A leap second happens at 23:59:60 UTC only.
            let utcMinutes = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            guard utcMinutes == 23 * 60 + 59 else { return false }
        }
        return true
    }
}
