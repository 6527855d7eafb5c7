import Logging
import ScanBridgeCore
import ScanBridgeWire

/// Decides whether a bodiless request comes from an agent (`AgentRequestSignature`): it must
/// be signed by a key the receiver would take that agent's next batch from. The store's
/// enrolment decides first, as for batches: a key enrolled to the agent (by `receive enrol`
/// or by a hand-over) that is neither revoked nor handed over; a key only in a `--trust` file
/// signs for any agent.
///
/// A key its agent handed over signs nothing new: the usual reason to rotate is a leak.
public struct AgentRequestAuthenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case agent(id: String)
        case unauthorized(String)
        case storeUnavailable
    }

    let store: any ReceiverStorage
    /// Keys from `--trust` files, as the intake holds them.
    let trusted: TrustedKeys
    let logger: Logger

    public init(store: any ReceiverStorage, trusted: TrustedKeys, logger: Logger) {
        self.store = store
        self.trusted = trusted
        self.logger = logger
    }

    /// `field` reads one request header.
    public func authenticate(
        method: String, path: String, field: (String) -> String?, now: Timestamp = .now()
    ) async -> Outcome {
        // One key lookup, for the kid the signature names and only when every field is there;
        // the signature check below then sees just that key, or none.
        var keys = TrustedKeys()
        if let agentID = field(AgentRequestSignature.agentField), field(AgentRequestSignature.dateField) != nil,
            let signature = field(AgentRequestSignature.signatureField),
            let kid = try? DetachedJWS.keyID(of: signature), BatchIntake.isThumbprint(kid)
        {
            do { keys = try await self.keys(for: agentID, kid: kid) } catch {
                logger.error("receiver store failed", metadata: ["error": "\(error)"])
                return .storeUnavailable
            }
        }
        do {
            return .agent(
                id: try AgentRequestSignature.verify(
                    method: method, path: path, field: field, trustedFor: { _ in keys }, now: now))
        } catch {
            logger.notice("refused an agent request", metadata: ["path": "\(path)", "reason": "\(error)"])
            return .unauthorized(error.description)
        }
    }

    /// The key `kid` if it may sign for `agentID`, else no key.
    func keys(for agentID: String, kid: String) async throws(ReceiverStoreError) -> TrustedKeys {
        if let enrolled = try await store.enrolledKey(kid: kid) {
            guard enrolled.agentID == agentID, enrolled.revokedAt == nil, enrolled.retiredAfterBatchSeq == nil else {
                return TrustedKeys()
            }
            return TrustedKeys([enrolled.key])
        }
        return TrustedKeys(trusted[kid].map { [$0] } ?? [])
    }
}
