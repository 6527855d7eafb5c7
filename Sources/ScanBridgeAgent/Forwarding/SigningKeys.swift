import FoundationEssentials
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The key each batch is signed with, across a key rotation.
///
/// `scanbridge keygen --rotate` leaves the new key beside the current one (`<key>.next`). At
/// start the agent commits an `agent.key_rotated` event (the hand-over, signed by both keys);
/// every batch up to and including that event is signed with the old key, and the batch that
/// carries it ends with it, so a receiver learns the new key before it sees it used. Once that
/// batch is built and stored, the files move: the old key to `<key>.retired-<kid>`, the new one
/// to `<key>`. A crash anywhere in between resumes the same plan at the next start.
public final class SigningKeys: Sendable {
    struct Handover {
        var old: SigningKey
        var new: SigningKey
        var switchAfterSeq: Int64
    }

    private struct State {
        var current: SigningKey
        /// A hand-over committed but not yet batched.
        var pending: Handover?
        /// The last finished hand-over, while its old key may still be needed (a 413 rebuilds
        /// a batch from before it, which must be signed as before).
        var finished: Handover?
    }

    private let state: Mutex<State>
    let path: String

    public init(current: SigningKey, path: String) {
        state = Mutex(State(current: current))
        self.path = path
    }

    public var current: SigningKey { state.withLock { $0.pending?.old ?? $0.current } }

    /// The key that signs a batch ending at `lastSeq`.
    func key(forLastSeq lastSeq: Int64) -> SigningKey {
        state.withLock { state in
            if let handover = state.pending ?? state.finished, lastSeq <= handover.switchAfterSeq {
                return handover.old
            }
            return state.pending?.new ?? state.current
        }
    }

    /// How many events a batch starting after `afterSeq` may hold so it does not straddle the
    /// hand-over; nil when the batch starts after it. A finished hand-over still caps: a 413
    /// on its batch puts the hand-over back in the backlog, and the rebuilt batches up to it
    /// must end there, signed by the old key, or the receiver never learns the new one.
    func cap(afterSeq: Int64) -> Int? {
        state.withLock { state in
            guard let handover = state.pending ?? state.finished, afterSeq < handover.switchAfterSeq else {
                return nil
            }
            return Int(handover.switchAfterSeq - afterSeq)
        }
    }

    /// A batch ending at `lastSeq` is stored: once it holds the hand-over, the files move.
    func batched(lastSeq: Int64) throws {
        let finished: Handover? = state.withLock { state in
            guard let handover = state.pending, lastSeq >= handover.switchAfterSeq else { return nil }
            state.current = handover.new
            state.pending = nil
            state.finished = handover
            return handover
        }
        if let finished { try Self.retire(finished.old, path: path) }
    }

    static var nextSuffix: String { ".next" }

    /// The current key at start-up, finishing a rotation that a crash cut between its two
    /// renames (`<key>` already retired, `<key>.next` not yet in place): the stored batch that
    /// carries the hand-over decides. Never a silently new key while a rotation is pending.
    static func loadCurrent(path: String, batches: OutboxBatches) throws -> (key: SigningKey, created: Bool) {
        let nextPath = path + nextSuffix
        if access(path, F_OK) != 0, access(nextPath, F_OK) == 0 {
            let next = try SigningKey.load(path: nextPath)
            guard
                let seq = try batches.lastEvent(
                    ofType: EventType.agentKeyRotated.rawValue, containing: #""new_kid":"\#(next.kid)""#),
                try batches.chainHead().lastEventSeq >= seq
            else { throw KeyError.missingWithRotationPending(path: path) }
            if rename(nextPath, path) != 0 {
                throw KeyError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        }
        return try SigningKey.loadOrCreate(path: path)
    }

    /// Moves `<key>.next` into place and keeps the old key as `<key>.retired-<kid>`.
    static func retire(_ old: SigningKey, path: String) throws {
        let retired = path + ".retired-" + old.kid
        if rename(path, retired) != 0, errno != ENOENT {
            throw KeyError.cannotWrite(path: retired, reason: String(cString: strerror(errno)))
        }
        if rename(path + nextSuffix, path) != 0 {
            throw KeyError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Resumes or starts a rotation prepared by `keygen --rotate`: commits the hand-over event
    /// once, and returns after setting the plan (or finishing a swap that only lacked the rename).
    func resumeRotation(agentID: String, outbox: OutboxWriter, batches: OutboxBatches) async throws -> Bool {
        let nextPath = path + Self.nextSuffix
        guard access(nextPath, F_OK) == 0 else {
            try recallFinished(batches: batches)
            return false
        }
        let next = try SigningKey.load(path: nextPath)
        let old = current
        var seq = try batches.lastEvent(
            ofType: EventType.agentKeyRotated.rawValue, containing: #""new_kid":"\#(next.kid)""#)
        if seq == nil {
            let data = try KeyHandover.eventData(agentID: agentID, old: old, new: next, at: .now())
            let event = PendingEvent(
                type: .agentKeyRotated, occurredAt: .now(),
                device: DeviceIdentity(id: agentID, transport: .agent), data: data, raw: nil,
                clockSynchronized: SystemClock.isSynchronized)
            seq = try await outbox.append(OutboxEntry(event: event))
        }
        guard let seq else { return false }
        state.withLock { $0.pending = Handover(old: old, new: next, switchAfterSeq: seq) }
        // The batch holding the hand-over may already exist (a crash before the rename).
        try batched(lastSeq: try batches.chainHead().lastEventSeq)
        return true
    }

    /// After a restart that followed a finished rotation: the retired key and where it stopped,
    /// for rebuilding a batch from before the hand-over.
    private func recallFinished(batches: OutboxBatches) throws {
        let current = state.withLock { $0.current }
        guard
            let seq = try batches.lastEvent(
                ofType: EventType.agentKeyRotated.rawValue, containing: #""new_kid":"\#(current.kid)""#)
        else { return }
        let retired =
            (try? FileManager.default.contentsOfDirectory(atPath: PathText.directory(of: path)))?
            .filter { $0.hasPrefix(PathText.lastComponent(of: path) + ".retired-") } ?? []
        for name in retired {
            let directory = PathText.directory(of: path)
            guard let old = try? SigningKey.load(path: directory + "/" + name),
                try batches.lastEvent(
                    ofType: EventType.agentKeyRotated.rawValue, containing: #""old_kid":"\#(old.kid)""#) == seq
            else { continue }
            state.withLock { $0.finished = Handover(old: old, new: current, switchAfterSeq: seq) }
        }
    }
}
