import ScanBridgeCore

/// Verifies a whole chain of stored batches: every signature, every link, every event seq.
///
/// Used by the demo's closing check and by `scanbridge verify`; the first failure names the
/// batch, as auditors need to know where the evidence breaks.
public struct ChainAudit: Sendable {
    public struct Report: Sendable, Equatable {
        public var agentID: String?
        public var batches: Int
        public var events: Int
        public var lastBatchSeq: Int64
        public var lastEventSeq: Int64
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var batchSeq: Int64
        public var reason: String
        public var description: String { "batch \(batchSeq): \(reason)" }
    }

    /// The keys given, plus every key a verified hand-over in the chain moved the agent to.
    public private(set) var trusted: TrustedKeys
    private(set) var position = ChainPosition.start
    /// Keys a hand-over replaced, with the `batch_seq` of that hand-over: the last batch they
    /// may sign.
    private var retired: [String: Int64] = [:]
    private(set) var report = Report(agentID: nil, batches: 0, events: 0, lastBatchSeq: 0, lastEventSeq: 0)

    /// `agentID`, when given, is the agent the batches are filed under; a body naming
    /// another agent fails.
    public init(trusted: TrustedKeys, agentID: String? = nil) {
        self.trusted = trusted
        report.agentID = agentID
    }

    /// Feeds the next batch in order; `label` is its `batch_seq` as the store lists it.
    public mutating func append(body: [UInt8], signature: String, label: Int64) throws(Failure) {
        let kid: String
        do {
            kid = try DetachedJWS.verify(signature, body: body, trusted: trusted)
        } catch {
            throw Failure(batchSeq: label, reason: error.description)
        }
        let batch: WireBatch
        do { batch = try WireBatch.parse(body) } catch { throw Failure(batchSeq: label, reason: error.reason) }
        if let agent = report.agentID, agent != batch.agentID {
            throw Failure(batchSeq: label, reason: "agent_id \(batch.agentID) in a chain of \(agent)")
        }
        if let handedOver = retired[kid], batch.batchSeq > handedOver {
            throw Failure(
                batchSeq: label,
                reason: "signed by key \(kid), which the hand-over in batch \(handedOver) retired")
        }
        do {
            position = try ChainViolation.check(batch, sha256: BatchBody.sha256Hex(body), following: position)
        } catch {
            throw Failure(batchSeq: label, reason: error.description)
        }
        let newKey: PublicKeyJWK?
        do {
            newKey = try trusted[kid].flatMap { signer throws(KeyHandover.Failure) in
                try KeyHandover.carried(in: batch, signer: signer)
            }
        } catch {
            throw Failure(batchSeq: label, reason: error.description)
        }
        if let newKey {
            trusted.insert(newKey)
            retired[kid] = batch.batchSeq
        }
        report.agentID = batch.agentID
        report.batches += 1
        report.events += batch.events.count
        report.lastBatchSeq = position.batchSeq
        report.lastEventSeq = position.lastEventSeq
    }

    public var result: Report { report }
}
