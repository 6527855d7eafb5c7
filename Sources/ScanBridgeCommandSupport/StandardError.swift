#if canImport(Glibc)
    import Glibc
#endif

/// Writes to standard error straight through `write(2)`: what `FileHandle.standardError` did,
/// without the full Foundation that FileHandle lives in (the agent imports FoundationEssentials
/// only), and without C's `stderr` global, which strict concurrency does not let Swift touch.
public enum StandardError {
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
