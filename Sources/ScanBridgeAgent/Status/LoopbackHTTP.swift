import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 request to a loopback port, for probes that must not depend on the HTTP
/// stack they probe (`scanbridge status` asking the running agent, the bench's readiness
/// wait, the status tests).
public enum LoopbackHTTP {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func get(
        port: Int, path: String, host: String = "127.0.0.1", timeoutMilliseconds: Int = 5000
    ) throws(Failure) -> (
        status: Int, body: String
    ) {
        let answer = try request(port: port, path: path, host: host, timeoutMilliseconds: timeoutMilliseconds)
        return (answer.status, answer.body)
    }

    /// Any method without a body; `head` is the response's status line and header lines.
    public static func request(
        _ method: String = "GET", port: Int, path: String, host: String = "127.0.0.1",
        headers: [(String, String)] = [], timeoutMilliseconds: Int = 5000
    ) throws(Failure) -> (status: Int, head: String, body: String) {
        let fd = try connect(port: port, timeoutMilliseconds: timeoutMilliseconds)
        defer { close(fd) }
        let extra = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
        let length = method == "POST" ? "Content-Length: 0\r\n" : ""
        let request = Array(
            "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n\(extra)\(length)Connection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let head = text.firstRange(of: "\r\n\r\n"),
            let status = Int(text.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure(description: "not an HTTP response: \(text.prefix(120))") }
        var body = String(text[head.upperBound...])
        let headText = String(text[..<head.lowerBound])
        if headText.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return (status, headText, body)
    }

    /// A blocking socket connected to 127.0.0.1:`port`, whose reads give up after
    /// `timeoutMilliseconds`; the caller closes it.
    public static func connect(port: Int, timeoutMilliseconds: Int) throws(Failure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port) refused")
        }
        return fd
    }

    static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let line = rest.firstRange(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}
