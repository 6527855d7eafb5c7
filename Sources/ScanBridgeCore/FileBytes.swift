#if canImport(Glibc)
    import Glibc
#endif

/// Reads a whole file with POSIX calls: `Data(contentsOf:)` without Foundation, failing with
/// the system's reason (key files, configuration, evidence directories).
public enum FileBytes {
    public struct Failure: Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
    }

    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: SystemError.text(errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: SystemError.text(errno))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The file as UTF-8 text (`String(contentsOfFile:encoding: .utf8)`): invalid UTF-8 fails.
    public static func readText(_ path: String) throws(Failure) -> String {
        guard let text = String(validating: try read(path), as: UTF8.self) else {
            throw Failure(description: "not UTF-8 text")
        }
        return text
    }
}
