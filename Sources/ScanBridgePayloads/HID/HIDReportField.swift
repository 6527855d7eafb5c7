/// One Input, Output or Feature item: `count` values of `bitSize` bits at `bitOffset`.
public struct HIDReportField: Hashable, Sendable {
    public var kind: HIDReportKind
    /// `nil` when the descriptor declares no Report ID.
    public var reportID: UInt8?
    /// Bits from the start of the report's data, after the report id byte if there is one.
    public var bitOffset: Int
    /// Report Size: bits per value.
    public var bitSize: Int
    /// Report Count: number of values.
    public var count: Int
    public var flags: HIDMainItemFlags
    /// Usages in declaration order; empty for padding.
    public var usages: [HIDUsageRange]
    public var logicalMinimum: Int64
    public var logicalMaximum: Int64
    public var physicalMinimum: Int64
    public var physicalMaximum: Int64
    public var unitExponent: Int32
    public var unit: UInt32
    /// Enclosing collections, outermost first.
    public var collectionPath: [HIDCollection]

    public init(
        kind: HIDReportKind, reportID: UInt8?, bitOffset: Int, bitSize: Int, count: Int,
        flags: HIDMainItemFlags, usages: [HIDUsageRange], logicalMinimum: Int64 = 0,
        logicalMaximum: Int64 = 0, physicalMinimum: Int64 = 0, physicalMaximum: Int64 = 0,
        unitExponent: Int32 = 0, unit: UInt32 = 0, collectionPath: [HIDCollection] = []
    ) {
        self.kind = kind
        self.reportID = reportID
        self.bitOffset = bitOffset
        self.bitSize = bitSize
        self.count = count
        self.flags = flags
        self.usages = usages
        self.logicalMinimum = logicalMinimum
        self.logicalMaximum = logicalMaximum
        self.physicalMinimum = physicalMinimum
        self.physicalMaximum = physicalMaximum
        self.unitExponent = unitExponent
        self.unit = unit
        self.collectionPath = collectionPath
    }

    public var bitLength: Int { bitSize * count }

    public var isConstant: Bool { flags.contains(.constant) }

    /// Number of usages the field declares, ranges counted in full.
    public var usageCount: Int { usages.reduce(0) { $0 + $1.count } }

    /// The usage of value `index` of a variable field.
    ///
    /// Values beyond the declared usages repeat the last one: descriptors such as Honeywell's
    /// declare one Decoded Data usage for 56 bytes, and Linux reads them so (`hid_add_field`).
    public func usage(at index: Int) -> HIDUsage? {
        guard index >= 0, index < count, !usages.isEmpty else { return nil }
        var remaining = index
        for range in usages {
            if remaining < range.count { return range[remaining] }
            remaining -= range.count
        }
        return usages[usages.count - 1].last
    }

    /// The first value index of a variable field whose usage is `usage`, if a value has it.
    public func firstIndex(of usage: HIDUsage) -> Int? {
        var offset = 0
        for range in usages {
            if range.contains(usage) {
                let index = offset + Int(usage.id) - Int(range.first.id)
                return index < count ? index : nil
            }
            offset += range.count
            if offset >= count { return nil }
        }
        return nil
    }

    public func contains(_ usage: HIDUsage) -> Bool {
        usages.contains { $0.contains(usage) }
    }

    /// The first enclosing Application collection's usage: what the device says it is.
    public var applicationUsage: HIDUsage? {
        collectionPath.first { $0.type == .application }?.usage
    }
}
