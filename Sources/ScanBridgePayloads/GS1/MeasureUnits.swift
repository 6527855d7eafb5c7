/// UN/ECE Recommendation 20 unit codes for the measures of AIs 31nn–36nn.
///
/// Keyed by the first three digits of the AI; the fourth digit is the decimal point position. Each entry follows the
/// AI's data title in the GS1 General Specifications (§3.6): 313n is "HEIGHT (m)" (depth, thickness, height or third
/// dimension), 357n is "NET VOLUME (oz)" in US fluid ounces, 360n/362n are US quarts, 361n/363n US gallons.
public enum MeasureUnits {
    public static func unitCode(forAI ai: String) -> String? {
        guard ai.utf8.count == 4 else { return nil }
        return byPrefix[String(ai.prefix(3))]
    }

    static let byPrefix: [String: String] = [
        "310": "KGM", "311": "MTR", "312": "MTR", "313": "MTR", "314": "MTK", "315": "LTR", "316": "MTQ",
        "320": "LBR", "321": "INH", "322": "FOT", "323": "YRD", "324": "INH", "325": "FOT", "326": "YRD",
        "327": "INH", "328": "FOT", "329": "YRD",
        "330": "KGM", "331": "MTR", "332": "MTR", "333": "MTR", "334": "MTK", "335": "LTR", "336": "MTQ",
        "337": "28",  // kilogram per square metre
        "340": "LBR", "341": "INH", "342": "FOT", "343": "YRD", "344": "INH", "345": "FOT", "346": "YRD",
        "347": "INH", "348": "FOT", "349": "YRD",
        "350": "INK", "351": "FTK", "352": "YDK", "353": "INK", "354": "FTK", "355": "YDK",
        "356": "APZ",  // troy ounce
        "357": "OZA",  // fluid ounce (US)
        "360": "QTL", "361": "GLL", "362": "QTL", "363": "GLL",  // liquid quart (US), gallon (US)
        "364": "INQ", "365": "FTQ", "366": "YDQ", "367": "INQ", "368": "FTQ", "369": "YDQ",
    ]
}
