public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case io(path: String, reason: String)
    case agentIDMismatch(stored: String, configured: String)
    case diskFull(path: String)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "\(path): cannot open the state database (\(reason)) — does state_dir exist and is it writable by this user?"
        case .io(let path, let reason):
            "\(path): \(reason)"
        case .agentIDMismatch(let stored, let configured):
            "agent_id is \"\(configured)\" in the config but this state database belongs to \"\(stored)\" — remove agent_id from the config or point state_dir elsewhere"
        case .diskFull(let path):
            "\(path): disk full — scans are not being stored; free space on this filesystem"
        case .inconsistent(let what):
            "state database inconsistent: \(what)"
        }
    }
}
