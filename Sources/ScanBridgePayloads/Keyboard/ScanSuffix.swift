/// The key a scanner is configured to type after each scan, which tells the decoder the scan is complete.
///
/// `.none`: the scanner types no suffix, so a scan ends when no key arrives for the inter-key gap.
public enum ScanSuffix: String, Sendable, CaseIterable {
    case enter
    case tab
    case none
}
