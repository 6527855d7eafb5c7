import Logging
import ScanBridgeCore

/// Console sign-ins, kept in the store so any receiver of a shared store serves any request.
///
/// Signing in with a consumer's token creates a session: the cookie carries 256 random bits,
/// the store keeps only their SHA-256 with the consumer's name and an absolute expiry
/// (`lifetimeSeconds`). Every request looks the hash up joined to its consumer, so:
/// - a copy of the database does not hold a usable cookie (as with consumer tokens);
/// - revoking the consumer ends its sessions at once, on every receiver (the join finds the
///   consumer revoked), and logging out deletes the row;
/// - nothing lives in one process: no signing secret to share between receivers or rotate.
///
/// The lookup is an equality match on the hash in the primary-key index; its timing could at
/// most tell a guesser about the hash of their own guess, not about a stored session.
public struct ConsoleSessions: Sendable {
    public static let cookieName = "scanbridge_console"
    public static let lifetimeSeconds: Int64 = 12 * 3600

    public enum Outcome: Sendable, Equatable {
        case consumer(name: String)
        /// No session by that cookie: never was, expired, logged out, or its consumer revoked.
        case ended
        case storeUnavailable
    }

    let store: any ReceiverStorage
    let logger: Logger

    public init(store: any ReceiverStorage, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// A new session for `consumer`; returns the cookie's value.
    public func start(consumer: String, now: Timestamp = .now()) async throws(ReceiverStoreError) -> String {
        let cookie = ConsumerToken.generate()
        try await store.startConsoleSession(
            tokenSHA256: ConsumerToken.sha256Hex(cookie), consumer: consumer,
            expiresAt: now.adding(microseconds: Self.lifetimeSeconds * 1_000_000))
        return cookie
    }

    public func consumer(cookie: String, now: Timestamp = .now()) async -> Outcome {
        do {
            guard
                let name = try await store.consoleSessionConsumer(
                    tokenSHA256: ConsumerToken.sha256Hex(cookie), now: now)
            else { return .ended }
            return .consumer(name: name)
        } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return .storeUnavailable
        }
    }

    public func end(cookie: String, now: Timestamp = .now()) async throws(ReceiverStoreError) {
        try await store.endConsoleSession(tokenSHA256: ConsumerToken.sha256Hex(cookie), now: now)
    }

    /// `Set-Cookie` for a new session. `Secure` when the browser reached us over TLS: the
    /// receiver itself serves plain HTTP, so that is a TLS proxy in front saying so.
    static func setCookie(_ value: String, secure: Bool) -> String {
        "\(cookieName)=\(value); Path=/; Max-Age=\(lifetimeSeconds); HttpOnly; SameSite=Strict"
            + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that makes the browser forget its session cookie.
    static func clearedCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
