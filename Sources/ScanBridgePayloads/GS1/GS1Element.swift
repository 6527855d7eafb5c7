/// One Application Identifier and its data, with what the data means where GS1 defines it.
public struct GS1Element: Sendable, Hashable {
    /// The AI digits, e.g. `"3103"`.
    public let ai: String
    /// The data title from the Syntax Dictionary, e.g. `"NET WEIGHT (kg)"`.
    public let title: String
    /// The data field exactly as carried.
    public let value: String
    /// Exact decimal value of measures (31nn–36nn), amounts (390n–393n), percentages (394n), prices per unit (395n).
    public var decimal: String?
    /// UN/ECE Rec 20 unit code of a measure, e.g. `"KGM"`.
    public var unit: String?
    /// ISO 4217 numeric currency code of an amount (391n, 393n), e.g. `"978"`.
    public var currency: String?
    /// ISO 8601 date (and time, or interval) of date fields: `2026-01-01`, `2026-01` when the day is `00`,
    /// `2026-01-01T13:45`.
    public var date: String?

    public init(
        ai: String, title: String, value: String, decimal: String? = nil, unit: String? = nil,
        currency: String? = nil, date: String? = nil
    ) {
        self.ai = ai
        self.title = title
        self.value = value
        self.decimal = decimal
        self.unit = unit
        self.currency = currency
        self.date = date
    }
}
