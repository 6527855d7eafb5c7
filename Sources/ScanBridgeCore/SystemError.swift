#if canImport(Glibc)
    import Glibc
#endif

/// The system's own words for a failed call ("No such file or directory"): what operators saw
/// through Foundation's `localizedDescription`, without Foundation.
public enum SystemError {
    public static func text(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
