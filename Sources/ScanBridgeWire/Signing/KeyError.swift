public enum KeyError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case tooOpen(path: String, mode: String)
    case wrongOwner(path: String, owner: UInt32, user: UInt32)
    case malformed(path: String, reason: String)
    case alreadyExists(path: String)
    case cannotWrite(path: String, reason: String)
    /// The current key is gone while a prepared `<key>.next` waits and no stored batch carries
    /// its hand-over: a fresh key would break the chain a receiver trusts.
    case missingWithRotationPending(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read key (\(reason))"
        case .tooOpen(let path, let mode):
            "\(path): signing key has mode \(mode), readable by group or others — run `chmod 600 \(path)` (and keep it owned by the service user)"
        case .wrongOwner(let path, let owner, let user):
            "\(path): signing key is owned by uid \(owner), but the agent runs as uid \(user) — run `chown` so the service user owns it (and only it can read it)"
        case .malformed(let path, let reason):
            "\(path): not a usable Ed25519 JWK (\(reason))"
        case .alreadyExists(let path):
            "\(path): already exists — refusing to overwrite a signing key; choose another --out"
        case .cannotWrite(let path, let reason):
            "\(path): cannot write key (\(reason))"
        case .missingWithRotationPending(let path):
            "\(path): the signing key is missing while \(path).next waits for its hand-over — restore the current key file (from backup or \(path).retired-*); the agent will not start with a new key, which no receiver would trust"
        }
    }
}
