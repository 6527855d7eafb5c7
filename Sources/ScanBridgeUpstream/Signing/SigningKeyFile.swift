import Crypto
import ScanBridgeCore
import ScanBridgeWire

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's key file: a private JWK readable by its owner only.
extension SigningKey {
    /// Loads a key file, refusing one that group or others can read: whoever can read it
    /// can forge the evidence finance partners pay on.
    public static func load(path: String) throws(KeyError) -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_mode & 0o077 != 0 {
            throw .tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        if info.st_uid != geteuid() {
            throw .wrongOwner(path: path, owner: info.st_uid, user: geteuid())
        }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw .unreadable(path: path, reason: error.description) }
        guard let object = JSONFields.object(from: bytes), object["kty"]?.string == "OKP",
            object["crv"]?.string == "Ed25519"
        else { throw .malformed(path: path, reason: "expected a JSON object with kty OKP and crv Ed25519") }
        guard let d = object["d"]?.string.flatMap(Base64.decode), d.count == 32,
            let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: d)
        else { throw .malformed(path: path, reason: "d is missing or not a 32-byte base64url value") }
        let key = SigningKey(privateKey: privateKey)
        if let x = object["x"]?.string, x != key.publicJWK.x {
            throw .malformed(path: path, reason: "x does not match d")
        }
        return key
    }

    /// Writes the private JWK with mode 0600, never over an existing file.
    public func write(to path: String) throws(KeyError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array((privateJWK + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .cannotWrite(path: path, reason: reason)
        }
    }

    /// Loads the key at `path`, creating it on first use.
    public static func loadOrCreate(path: String) throws(KeyError) -> (key: SigningKey, created: Bool) {
        if access(path, F_OK) == 0 { return (try load(path: path), false) }
        let key = SigningKey()
        try key.write(to: path)
        return (key, true)
    }
}
