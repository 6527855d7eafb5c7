import Logging
import ScanBridgeCore
import Synchronization

/// Decides whether a request may read the feed, the agents or the metrics: its
/// `Authorization: Bearer TOKEN` must hash to a consumer of the store that is not revoked.
///
/// Nothing is cached: the store's consumers are read for every request, so a revocation holds
/// at once on every receiver of the store. Only `last_used_at` is written lazily (at most once
/// a minute per consumer and process), to keep reads from turning into writes.
public final class ConsumerAuthenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case consumer(name: String)
        case unauthorized
        case storeUnavailable
    }

    let store: any ReceiverStorage
    let logger: Logger
    private let lastTouched = Mutex<[String: ContinuousClock.Instant]>([:])
    static let touchInterval: Duration = .seconds(60)

    public init(store: any ReceiverStorage, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// `authorization` is the request's `Authorization` header, if any.
    public func authenticate(_ authorization: String?) async -> Outcome {
        guard let token = Self.bearerToken(authorization) else { return .unauthorized }
        let presented = ConsumerToken.sha256Hex(token)
        let credentials: [ConsumerCredential]
        do { credentials = try await store.activeConsumers() } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return .storeUnavailable
        }
        // Every hash is compared in full, matched or not.
        var matched: String?
        for credential in credentials where ConsumerToken.constantTimeEqual(credential.tokenSHA256, presented) {
            matched = credential.name
        }
        guard let name = matched else {
            logger.notice("refused a read without a valid consumer token")
            return .unauthorized
        }
        await touch(name)
        return .consumer(name: name)
    }

    /// The token of `Bearer TOKEN` (the scheme in any case, RFC 9110), or nil.
    static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    private func touch(_ name: String) async {
        let now = ContinuousClock.now
        let due = lastTouched.withLock { touched in
            if let last = touched[name], now - last < Self.touchInterval { return false }
            touched[name] = now
            return true
        }
        guard due else { return }
        do { try await store.markConsumerUsed(name: name, at: Timestamp.now().iso8601) } catch {
            logger.warning("could not record a consumer's last use", metadata: ["error": "\(error)"])
        }
    }
}
