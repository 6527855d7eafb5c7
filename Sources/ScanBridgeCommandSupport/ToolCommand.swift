/// The commands that live in the `scanbridge-tools` executable, not in the agent's: the
/// reference receiver, the chain audit (it reads receiver stores), the demo, the benches and
/// the simulators. The agent lists them in its help and hands a command line naming one over
/// to `scanbridge-tools` (the agent's `ToolDispatch`); both take the one-line abstracts from
/// here, so the two helps cannot disagree.
public enum ToolCommand: String, CaseIterable, Sendable {
    case demo, receive, verify, simulate, bench

    /// The executable that holds these commands, installed beside `scanbridge`.
    public static let executableName = "scanbridge-tools"

    public var abstract: String {
        switch self {
        case .demo:
            "Run the whole path with no hardware: simulated scanner on a pty, agent, loopback receiver, an outage."
        case .receive:
            "Reference upstream: verify signed batches and their chain, store them, serve the feed."
        case .verify:
            "Prove a chain: every signature, prev_sha256 link, batch_seq 1…N and event seq without gaps."
        case .simulate:
            "Imitate a serial RFID reader or barcode scanner on a pseudo-terminal (prints its path)."
        case .bench:
            "Measure the agent (the default) or the receiver."
        }
    }

    /// The tool command a command line (without argv[0]) asks for: `demo …`, or `help demo`.
    public static func named(in arguments: ArraySlice<String>) -> ToolCommand? {
        guard let first = arguments.first else { return nil }
        if first == "help", let second = arguments.dropFirst().first { return ToolCommand(rawValue: second) }
        return ToolCommand(rawValue: first)
    }
}
