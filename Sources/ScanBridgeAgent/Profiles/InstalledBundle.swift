import FoundationEssentials
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeWire

#if canImport(Glibc)
    import Glibc
#endif

/// A verified profile bundle, as kept in the state directory (`profile-bundle.jws`, the JWS
/// exactly as received), so the profiles in force survive a restart without the upstream.
public struct InstalledBundle: Sendable {
    public static let fileName = "profile-bundle.jws"

    public let jws: String
    public let bundle: ProfileBundle
    /// Of the JWS text: what `profiles.updated` names, so anyone can match it to the published one.
    public let sha256: String
    public let kid: String

    /// Why a bundle is not used; the one in force stays.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case signature(DetachedJWS.Failure)
        case invalid(ProfileLoadError)
        case rollback(installed: String, offered: String)

        public var description: String {
            switch self {
            case .signature(let failure):
                "profile bundle refused: \(failure) — is its authority's public key in profiles.trust?"
            case .invalid(let error): "profile bundle refused: \(error)"
            case .rollback(let installed, let offered):
                "profile bundle \(offered) refused: \(installed) is already in force (a bundle never goes back a version)"
            }
        }
    }

    /// Verifies `jws` against the authorities and reads it.
    public static func verify(_ jws: String, trusted: TrustedKeys) throws(Refusal) -> InstalledBundle {
        let text = jws.trimmingWhitespace()
        let verified: (payload: [UInt8], kid: String)
        do { verified = try CompactJWS.verify(text, type: ProfileBundle.jwsType, trusted: trusted) } catch {
            throw .signature(error)
        }
        let bundle: ProfileBundle
        do { bundle = try ProfileBundle.parse(verified.payload) } catch { throw .invalid(error) }
        return InstalledBundle(
            jws: text, bundle: bundle, sha256: BatchBody.sha256Hex(Array(text.utf8)), kid: verified.kid)
    }

    /// Whether `offered` may replace this one: only a greater version, and the same document
    /// again is no change at all (nil).
    public func admits(_ offered: InstalledBundle) throws(Refusal) -> Bool {
        if offered.sha256 == sha256 { return false }
        guard offered.bundle.version > bundle.version else {
            throw .rollback(
                installed: "\(bundle.name)@\(bundle.version)",
                offered: "\(offered.bundle.name)@\(offered.bundle.version)")
        }
        return true
    }

    /// The stored bundle, verified again (an authority removed from `profiles.trust` un-trusts
    /// it); nil when there is none.
    public static func load(stateDirectory: String, trusted: TrustedKeys) throws(Refusal) -> InstalledBundle? {
        guard let data = FileManager.default.contents(atPath: stateDirectory + "/" + fileName) else { return nil }
        return try verify(String(decoding: data, as: UTF8.self), trusted: trusted)
    }

    /// Written beside, flushed, then renamed over the old one: a crash leaves one or the other.
    public struct SaveFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public func save(stateDirectory: String) throws(SaveFailure) {
        let path = stateDirectory + "/" + Self.fileName
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SaveFailure(description: "\(temporary): \(SystemError.text(errno))") }
        let bytes = Array((jws + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            throw SaveFailure(
                description: "\(temporary): \(SystemError.text(written < 0 || synced != 0 ? errno : EIO))")
        }
        guard rename(temporary, path) == 0 else {
            throw SaveFailure(description: "\(path): \(SystemError.text(errno))")
        }
    }
}
