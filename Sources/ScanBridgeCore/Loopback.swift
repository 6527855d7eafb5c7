/// Host names and addresses whose traffic never leaves the machine.
public enum Loopback {
    /// `localhost` (and `*.localhost`), `127.0.0.0/8` and `::1`, with or without IPv6 brackets.
    public static func contains(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
