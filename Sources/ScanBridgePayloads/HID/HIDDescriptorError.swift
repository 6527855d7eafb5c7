/// Why a report descriptor was refused. Offsets count bytes from the descriptor's start and
/// point at the item's prefix byte.
public enum HIDDescriptorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No bytes: Linux refuses an empty descriptor too (`hid_open_report`).
    case empty
    /// Longer than `limit`; Linux's usbhid refuses descriptors over 4096 bytes.
    case tooLong(length: Int, limit: Int)
    /// The item's data runs past the end of the descriptor.
    case truncatedItem(offset: Int)
    /// A short item with tag 15: reserved, and Linux reads it as a long item it refuses.
    case reservedItem(offset: Int, prefix: UInt8)
    case unknownGlobalTag(offset: Int, tag: UInt8)
    /// A Usage Page above 0xFFFF.
    case invalidUsagePage(offset: Int, value: UInt32)
    /// Report Size outside 1…256 bits (Linux's bound).
    case invalidReportSize(offset: Int, value: UInt32)
    /// Report ID 0 is reserved and ids above 255 do not fit the id byte (HID 1.11 §6.2.2.7).
    case invalidReportID(offset: Int, value: UInt32)
    case popWithoutPush(offset: Int)
    case globalStackOverflow(offset: Int, limit: Int)
    case endCollectionWithoutCollection(offset: Int)
    case collectionNestingTooDeep(offset: Int, limit: Int)
    /// The descriptor ended with `depth` collections open.
    case unclosedCollection(depth: Int)
    case nestedDelimiter(offset: Int)
    case delimiterCloseWithoutOpen(offset: Int)
    case unclosedDelimiter
    /// Logical Maximum below Logical Minimum, which Linux refuses (`hid_add_field`).
    case invalidLogicalRange(offset: Int, minimum: Int64, maximum: Int64)
    /// Usage Minimum and Maximum on different pages.
    case usageRangeSpansPages(offset: Int)
    /// A report grew past `limit` bits.
    case reportTooLarge(offset: Int, report: HIDReportKey, bits: Int, limit: Int)
    /// Some data items have a Report ID and others none, so reports cannot be told apart.
    case mixedReportIDs(offset: Int)

    public var description: String {
        switch self {
        case .empty:
            "the report descriptor is empty"
        case .tooLong(let length, let limit):
            "the report descriptor has \(length) bytes, more than the \(limit) allowed"
        case .truncatedItem(let offset):
            "truncated item at offset \(offset)"
        case .reservedItem(let offset, let prefix):
            "reserved item prefix 0x\(hidHexDigits(prefix, width: 2)) at offset \(offset)"
        case .unknownGlobalTag(let offset, let tag):
            "unknown global item tag \(tag) at offset \(offset)"
        case .invalidUsagePage(let offset, let value):
            "usage page 0x\(hidHexDigits(value, width: 8)) at offset \(offset) does not fit 16 bits"
        case .invalidReportSize(let offset, let value):
            "report size \(value) at offset \(offset) is outside 1…256 bits"
        case .invalidReportID(let offset, let value):
            "report id \(value) at offset \(offset) is invalid (1…255)"
        case .popWithoutPush(let offset):
            "Pop without Push at offset \(offset)"
        case .globalStackOverflow(let offset, let limit):
            "Push at offset \(offset) nests more than \(limit) deep"
        case .endCollectionWithoutCollection(let offset):
            "End Collection without Collection at offset \(offset)"
        case .collectionNestingTooDeep(let offset, let limit):
            "Collection at offset \(offset) nests more than \(limit) deep"
        case .unclosedCollection(let depth):
            "the descriptor ends with \(depth) collection\(depth == 1 ? "" : "s") open"
        case .nestedDelimiter(let offset):
            "nested delimiter at offset \(offset)"
        case .delimiterCloseWithoutOpen(let offset):
            "delimiter close without open at offset \(offset)"
        case .unclosedDelimiter:
            "the descriptor ends inside a delimiter set"
        case .invalidLogicalRange(let offset, let minimum, let maximum):
            "logical maximum \(maximum) is below logical minimum \(minimum) at offset \(offset)"
        case .usageRangeSpansPages(let offset):
            "usage minimum and maximum are on different pages at offset \(offset)"
        case .reportTooLarge(let offset, let report, let bits, let limit):
            "\(report) grows to \(bits) bits at offset \(offset), more than \(limit)"
        case .mixedReportIDs(let offset):
            "the item at offset \(offset) mixes reports with and without report ids"
        }
    }
}
