/// The item-by-item state machine behind `HIDReportDescriptor(parsing:)` (HID 1.11 §6.2.2).
///
/// Where the specification leaves room, it does what Linux's `hid-core.c` does, so that a
/// descriptor the kernel accepts parses here too: unknown main and local tags and reserved
/// item types are skipped (trailing zero padding is a run of main items with tag 0), Logical
/// Maximum is read unsigned unless Logical Minimum is negative, and a short usage takes the
/// Usage Page in effect at the main item unless a later Usage Page already applied
/// (`hid_concatenate_last_usage_page`). Long items are skipped (the specification defines
/// none; Linux refuses them).
struct HIDDescriptorParser {
    private struct Globals {
        var usagePage: UInt16 = 0
        var logicalMinimum: Int64 = 0
        var logicalMaximum: Int64 = 0
        var physicalMinimum: Int64 = 0
        var physicalMaximum: Int64 = 0
        var unitExponent: Int32 = 0
        var unit: UInt32 = 0
        var reportSize = 0
        var reportID: UInt8?
        var reportCount = 0
    }

    /// A usage as declared; `extended` (4-byte) usages already carry their page.
    private struct DeclaredUsage {
        var value: UInt32
        var extended: Bool
    }

    /// One Usage item (`last == nil`) or one Usage Minimum…Maximum pair.
    private struct LocalEntry {
        var first: DeclaredUsage
        var last: DeclaredUsage?
        var offset: Int
    }

    private struct Locals {
        var entries: [LocalEntry] = []
        var minimum: DeclaredUsage?
        var delimiterDepth = 0
        var delimiterBranch = 0
    }

    private var globals = Globals()
    private var globalStack: [Globals] = []
    private var locals = Locals()
    private var collections: [HIDCollection] = []
    private(set) var fields: [HIDReportField] = []
    private(set) var reportBits: [HIDReportKey: Int] = [:]
    private var sawNumbered = false
    private var sawUnnumbered = false

    var usesReportIDs: Bool { sawNumbered }

    mutating func parse(_ bytes: [UInt8]) throws(HIDDescriptorError) {
        guard !bytes.isEmpty else { throw .empty }
        var offset = 0
        while offset < bytes.count {
            let prefix = bytes[offset]
            if prefix == 0xFE {
                // Long item (§6.2.2.3): bDataSize, bLongItemTag, data. No tags are defined.
                guard offset + 3 <= bytes.count else { throw .truncatedItem(offset: offset) }
                let end = offset + 3 + Int(bytes[offset + 1])
                guard end <= bytes.count else { throw .truncatedItem(offset: offset) }
                offset = end
                continue
            }
            let size = prefix & 0x03 == 3 ? 4 : Int(prefix & 0x03)
            guard offset + 1 + size <= bytes.count else { throw .truncatedItem(offset: offset) }
            var data: UInt32 = 0
            for index in 0..<size {
                data |= UInt32(bytes[offset + 1 + index]) << (8 * index)
            }
            let tag = prefix >> 4
            guard tag != 0x0F else { throw .reservedItem(offset: offset, prefix: prefix) }
            let item = Item(offset: offset, tag: tag, size: size, data: data)
            switch (prefix >> 2) & 0x03 {
            case 0: try main(item)
            case 1: try global(item)
            case 2: try local(item)
            default: break  // reserved item type: Linux ignores it too
            }
            offset += 1 + size
        }
        guard collections.isEmpty else { throw .unclosedCollection(depth: collections.count) }
        guard locals.delimiterDepth == 0 else { throw .unclosedDelimiter }
    }

    private struct Item {
        var offset: Int
        var tag: UInt8
        var size: Int
        var data: UInt32

        var signed: Int64 {
            switch size {
            case 1: Int64(Int8(truncatingIfNeeded: data))
            case 2: Int64(Int16(truncatingIfNeeded: data))
            case 4: Int64(Int32(bitPattern: data))
            default: 0
            }
        }
    }

    // MARK: Global items (§6.2.2.7)

    private mutating func global(_ item: Item) throws(HIDDescriptorError) {
        switch item.tag {
        case 0:
            guard item.data <= 0xFFFF else { throw .invalidUsagePage(offset: item.offset, value: item.data) }
            globals.usagePage = UInt16(item.data)
        case 1: globals.logicalMinimum = item.signed
        case 2: globals.logicalMaximum = globals.logicalMinimum < 0 ? item.signed : Int64(item.data)
        case 3: globals.physicalMinimum = item.signed
        case 4: globals.physicalMaximum = globals.physicalMinimum < 0 ? item.signed : Int64(item.data)
        case 5:
            // A nibble is a 4-bit two's complement exponent; wider values are taken whole.
            globals.unitExponent =
                item.data & 0xFFFF_FFF0 == 0
                ? Int32(item.data >= 8 ? Int(item.data) - 16 : Int(item.data))
                : Int32(bitPattern: item.data)
        case 6: globals.unit = item.data
        case 7:
            guard (1...256).contains(item.data) else {
                throw .invalidReportSize(offset: item.offset, value: item.data)
            }
            globals.reportSize = Int(item.data)
        case 8:
            guard (1...255).contains(item.data) else {
                throw .invalidReportID(offset: item.offset, value: item.data)
            }
            globals.reportID = UInt8(item.data)
        case 9: globals.reportCount = Int(item.data)
        case 10:
            guard globalStack.count < HIDReportDescriptor.maximumGlobalStackDepth else {
                throw .globalStackOverflow(
                    offset: item.offset, limit: HIDReportDescriptor.maximumGlobalStackDepth)
            }
            globalStack.append(globals)
        case 11:
            guard let saved = globalStack.popLast() else { throw .popWithoutPush(offset: item.offset) }
            globals = saved
        default:
            throw .unknownGlobalTag(offset: item.offset, tag: item.tag)
        }
    }

    // MARK: Local items (§6.2.2.8)

    private mutating func local(_ item: Item) throws(HIDDescriptorError) {
        switch item.tag {
        case 0, 1, 2:
            // Usages in the second and later delimiter sets are alternatives; like Linux,
            // keep the first set only.
            guard locals.delimiterBranch <= 1 else { return }
            let usage =
                item.size == 4
                ? DeclaredUsage(value: item.data, extended: true)
                : DeclaredUsage(value: UInt32(globals.usagePage) << 16 | item.data, extended: false)
            switch item.tag {
            case 0:
                locals.entries.append(LocalEntry(first: usage, last: nil, offset: item.offset))
            case 1:
                locals.minimum = usage
            default:
                let minimum =
                    locals.minimum ?? DeclaredUsage(value: usage.value & 0xFFFF_0000, extended: usage.extended)
                locals.entries.append(LocalEntry(first: minimum, last: usage, offset: item.offset))
            }
        case 10:
            if item.data != 0 {
                guard locals.delimiterDepth == 0 else { throw .nestedDelimiter(offset: item.offset) }
                locals.delimiterDepth = 1
                locals.delimiterBranch += 1
            } else {
                guard locals.delimiterDepth == 1 else {
                    throw .delimiterCloseWithoutOpen(offset: item.offset)
                }
                locals.delimiterDepth = 0
            }
        default:
            break  // designators and strings do not affect the report layout
        }
    }

    // MARK: Main items (§6.2.2.4)

    private mutating func main(_ item: Item) throws(HIDDescriptorError) {
        completeUsagePages()
        switch item.tag {
        case 8: try addField(.input, item)
        case 9: try addField(.output, item)
        case 11: try addField(.feature, item)
        case 10:
            guard collections.count < HIDReportDescriptor.maximumCollectionDepth else {
                throw .collectionNestingTooDeep(
                    offset: item.offset, limit: HIDReportDescriptor.maximumCollectionDepth)
            }
            let usage = try resolvedUsages().first?.first
            collections.append(
                HIDCollection(type: HIDCollectionType(rawValue: UInt8(truncatingIfNeeded: item.data)), usage: usage))
        case 12:
            guard collections.popLast() != nil else {
                throw .endCollectionWithoutCollection(offset: item.offset)
            }
        default:
            break  // reserved main tag (0x00 padding included): Linux warns and goes on
        }
        locals = Locals()
    }

    /// Gives short usages declared before the last Usage Page that page, walking back from the
    /// newest usage until one already has it, as Linux's `hid_concatenate_last_usage_page` does.
    private mutating func completeUsagePages() {
        let page = UInt32(globals.usagePage)
        func complete(_ usage: inout DeclaredUsage) -> Bool {
            if usage.extended { return true }
            if usage.value >> 16 == page { return false }
            usage.value = page << 16 | (usage.value & 0xFFFF)
            return true
        }
        var index = locals.entries.count - 1
        while index >= 0 {
            if locals.entries[index].last != nil, !complete(&locals.entries[index].last!) { return }
            if !complete(&locals.entries[index].first) { return }
            index -= 1
        }
    }

    private func resolvedUsages() throws(HIDDescriptorError) -> [HIDUsageRange] {
        var ranges: [HIDUsageRange] = []
        ranges.reserveCapacity(locals.entries.count)
        for entry in locals.entries {
            let first = HIDUsage(rawValue: entry.first.value)
            guard let last = entry.last.map({ HIDUsage(rawValue: $0.value) }) else {
                ranges.append(HIDUsageRange(first))
                continue
            }
            guard first.page == last.page else { throw .usageRangeSpansPages(offset: entry.offset) }
            // An inverted range declares no usage; Linux's loop adds none either.
            if let range = HIDUsageRange(first: first, last: last) { ranges.append(range) }
        }
        return ranges
    }

    private mutating func addField(_ kind: HIDReportKind, _ item: Item) throws(HIDDescriptorError) {
        let minimum = globals.logicalMinimum
        let maximum = globals.logicalMaximum
        let inverted =
            minimum < 0
            ? maximum < minimum
            : UInt32(truncatingIfNeeded: maximum) < UInt32(truncatingIfNeeded: minimum)
        guard !inverted else {
            throw .invalidLogicalRange(offset: item.offset, minimum: minimum, maximum: maximum)
        }
        let usages = try resolvedUsages()
        let bitLength = globals.reportSize * globals.reportCount
        guard bitLength > 0 else { return }
        if globals.reportID == nil { sawUnnumbered = true } else { sawNumbered = true }
        guard !(sawNumbered && sawUnnumbered) else { throw .mixedReportIDs(offset: item.offset) }
        let key = HIDReportKey(kind: kind, reportID: globals.reportID)
        let start = reportBits[key, default: 0]
        let limit = HIDReportDescriptor.maximumReportBits
        guard bitLength <= limit - start else {
            throw .reportTooLarge(offset: item.offset, report: key, bits: start + bitLength, limit: limit)
        }
        reportBits[key] = start + bitLength
        fields.append(
            HIDReportField(
                kind: kind, reportID: globals.reportID, bitOffset: start, bitSize: globals.reportSize,
                count: globals.reportCount, flags: HIDMainItemFlags(rawValue: item.data), usages: usages,
                logicalMinimum: minimum, logicalMaximum: maximum, physicalMinimum: globals.physicalMinimum,
                physicalMaximum: globals.physicalMaximum, unitExponent: globals.unitExponent,
                unit: globals.unit, collectionPath: collections))
    }
}
