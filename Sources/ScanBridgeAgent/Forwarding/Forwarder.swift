import Logging
import ScanBridgeCore
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire

/// Moves the outbox upstream: one batch in flight, in order, until the agent stops.
///
/// A batch is signed and stored before its first attempt and then only ever resent as
/// stored, so retries, restarts and crashes all produce the same bytes. It is acknowledged
/// only after a 2xx; a 413 shrinks it under the same `batch_seq`; any other 4xx parks it,
/// and the chain waits for an operator rather than skip it.
public struct Forwarder: Sendable {
    let agentID: String
    let keys: SigningKeys
    let batches: OutboxBatches
    let upstream: HTTPUpstream
    let limits: BatchLimits
    let retryCapMilliseconds: Int
    let doorbell: Doorbell
    let counters: AgentCounters
    let metrics: AgentMetrics?
    let storage: StorageState
    let retentionHours: Int
    let logger: Logger

    /// Rung when a batch gets through after failures (the profile bundle is checked then).
    private let reconnected: Doorbell?

    public init(
        agentID: String, keys: SigningKeys, batches: OutboxBatches, upstream: HTTPUpstream, limits: BatchLimits,
        retryCapMilliseconds: Int, doorbell: Doorbell, counters: AgentCounters, storage: StorageState,
        retentionHours: Int, logger: Logger, metrics: AgentMetrics? = nil, reconnected: Doorbell? = nil
    ) {
        self.reconnected = reconnected
        self.metrics = metrics
        self.agentID = agentID
        self.keys = keys
        self.batches = batches
        self.upstream = upstream
        self.limits = limits
        self.retryCapMilliseconds = retryCapMilliseconds
        self.doorbell = doorbell
        self.counters = counters
        self.storage = storage
        self.retentionHours = retentionHours
        self.logger = logger
    }

    public func run() async {
        var backoff = Backoff(capMilliseconds: retryCapMilliseconds)
        // An upstream nobody can connect to costs nothing to knock on: a short, capped interval
        // notices its return within a second, whatever the outage's length.
        var reconnect = Backoff(initialMilliseconds: 250, capMilliseconds: min(1000, retryCapMilliseconds))
        var announcedParked: Int64?
        var lastPrune = ContinuousClock.now
        var recordingFailed = false
        var reported = HTTPUpstream.Traffic(configured: nil)
        while !Task.isCancelled {
            if storage.isFull || ContinuousClock.now - lastPrune > .seconds(60) {
                prune(everythingAcknowledged: storage.isFull)
                lastPrune = ContinuousClock.now
            }
            let batch: StoredBatch
            do {
                guard let next = try await nextBatch() else { continue }
                batch = next
            } catch {
                logger.error("cannot build the next batch: \(error)")
                await doorbell.wait(milliseconds: backoff.nextDelayMilliseconds())
                continue
            }
            if batch.status == .parked {
                if announcedParked != batch.batchSeq {
                    announcedParked = batch.batchSeq
                    logger.error(
                        "batch \(batch.batchSeq) is parked (\(batch.lastError ?? "rejected")); forwarding waits until it is resolved upstream and the agent restarts"
                    )
                }
                counters.update { $0.parked = 1 }
                await doorbell.wait(milliseconds: nil)
                continue
            }
            counters.update { $0.batchesSent += 1 }
            let started = ContinuousClock.now
            // While the batch is in flight the next full one is built, signed and stored: a
            // backlog drains at the round trip's pace, not the sum of round trip, build and commit.
            async let storedAhead: Void = storeFollowing(batch)
            let outcome = await upstream.deliver(
                body: batch.body, signature: batch.jws, idempotencyKey: "\(agentID)/\(batch.batchSeq)",
                batchSeq: batch.batchSeq)
            metrics?.upload(took: ContinuousClock.now - started)
            noteTraffic(reported: &reported)
            await storedAhead
            if Task.isCancelled, outcome.isRetry { return }
            var delay: Int?
            do {
                try record(outcome, for: batch, backoff: &backoff)
                recordingFailed = false
                switch outcome {
                case .retry(_, let retryAfter):
                    delay = backoff.nextDelayMilliseconds(retryAfterMilliseconds: retryAfter)
                case .unreachable:
                    delay = reconnect.nextDelayMilliseconds()
                default:
                    reconnect.reset()
                }
            } catch {
                // The state database refuses writes (read-only remount, I/O error, full disk):
                // the upstream may hold the batch, but sending it again at once would only
                // repeat it as fast as the network allows. Wait as for a failed upload.
                delay = backoff.nextDelayMilliseconds()
                cannotRecord(outcome, of: batch, error: error, firstTime: !recordingFailed)
                recordingFailed = true
            }
            if let delay { try? await Task.sleep(for: .milliseconds(delay)) }
        }
    }

    /// Publishes what went upstream since `reported`, and says once that the upstream refused
    /// compression.
    private func noteTraffic(reported: inout HTTPUpstream.Traffic) {
        let traffic = upstream.traffic
        counters.update { $0.upstream = traffic }
        metrics?.uploaded(
            signedBytes: traffic.bodyBytes - reported.bodyBytes, sentBytes: traffic.sentBytes - reported.sentBytes)
        defer { reported = traffic }
        if traffic.refused, !reported.refused, let configured = traffic.configured {
            logger.warning(
                "the upstream answered 415 to a \(configured) body: batches go uncompressed for the rest of this run — enable \(configured) at the upstream, or set upstream.compression: none"
            )
        }
    }

    /// Raises the alert for a delivery whose outcome the state database would not take.
    private func cannotRecord(_ outcome: DeliveryOutcome, of batch: StoredBatch, error: any Error, firstTime: Bool) {
        let message =
            "cannot record the outcome of batch \(batch.batchSeq) in the state database (\(error)) — is the state directory writable and its disk healthy? Retrying with backoff."
        counters.update {
            $0.lastError = message
            $0.stateWriteFailures += 1
        }
        metrics?.stateWriteFailed()
        if firstTime {
            logger.critical("\(message)", metadata: ["outcome": "\(outcome)"])
        } else {
            logger.debug("\(message)")
        }
    }

    /// Frees acknowledged data: past the retention normally, all of it when storage is full
    /// (the receiver holds it; `scanbridge export` before then if local copies are wanted).
    private func prune(everythingAcknowledged: Bool) {
        let retention = Int64(retentionHours) * 3_600_000_000
        let cutoff = everythingAcknowledged ? Timestamp.now() : Timestamp.now().adding(microseconds: -retention)
        do {
            let pruned = try batches.prune(acknowledgedBefore: cutoff)
            if pruned.events > 0 {
                logger.info(
                    "pruned acknowledged data",
                    metadata: ["events": "\(pruned.events)", "batches": "\(pruned.batches)"])
            }
        } catch {
            logger.error("cannot prune acknowledged data: \(error)")
        }
    }

    private func record(_ outcome: DeliveryOutcome, for batch: StoredBatch, backoff: inout Backoff) throws {
        switch outcome {
        case .accepted(_, let repeated):
            try batches.acknowledge(batch.batchSeq, at: .now())
            metrics?.batch(repeated ? .repeat : .accepted)
            backoff.reset()
            let wasFailing = counters.update { counts in
                let failing = counts.failuresInARow > 0
                counts.acknowledged += batch.eventCount
                counts.lastError = nil
                counts.failuresInARow = 0
                return failing
            }
            if wasFailing { reconnected?.ring() }
            logger.debug(
                "batch acknowledged", metadata: ["batch_seq": "\(batch.batchSeq)", "events": "\(batch.eventCount)"])
        case .retry(let reason, _), .unreachable(let reason):
            try batches.recordFailure(batch.batchSeq, error: reason)
            metrics?.batch(.retry)
            let failures = counters.update {
                $0.retries += 1
                $0.lastError = reason
                $0.failuresInARow += 1
                return $0.failuresInARow
            }
            if failures == 1 || failures % 10 == 0 {
                logger.warning(
                    "upstream unavailable, will retry",
                    metadata: ["batch_seq": "\(batch.batchSeq)", "reason": "\(reason)"])
            }
        case .tooLarge:
            guard batch.eventCount > 1 else {
                try batches.park(batch.batchSeq, error: "HTTP 413 for a single-event batch")
                metrics?.batch(.parked)
                logger.error("upstream refuses even a single-event batch as too large; batch \(batch.batchSeq) parked")
                return
            }
            let smaller = try build(
                batchSeq: batch.batchSeq, previousSHA256: previousHash(of: batch.batchSeq),
                afterSeq: batch.firstSeq - 1, maxEvents: batch.eventCount / 2)
            try batches.shrink(smaller)
            logger.warning(
                "upstream answered 413; batch \(batch.batchSeq) rebuilt with \(smaller.eventCount) of \(batch.eventCount) events"
            )
        case .rejected(let status, let body):
            try batches.park(batch.batchSeq, error: "HTTP \(status): \(body)")
            metrics?.batch(.parked)
            counters.update {
                $0.parked += 1
                $0.lastError = "HTTP \(status)"
            }
            logger.error(
                "upstream rejected batch \(batch.batchSeq) permanently; parked until an operator resolves it",
                metadata: ["status": "\(status)", "body": "\(body)"])
        }
    }

    /// The open batch, or a new one once enough events wait or the oldest is old enough;
    /// `nil` after waiting, so the caller re-checks cancellation.
    private func nextBatch() async throws -> StoredBatch? {
        if let open = try batches.openBatch() { return open }
        let head = try batches.chainHead()
        let waiting = try batches.unbatchedSummary(after: head.lastEventSeq, limit: limits.maxEvents)
        guard waiting.count > 0, let oldest = waiting.oldest else {
            await doorbell.wait(milliseconds: nil)
            return nil
        }
        let age = Int((Timestamp.now().microsecondsSinceEpoch - oldest.microsecondsSinceEpoch) / 1000)
        if waiting.count < limits.maxEvents, age < limits.sendAfterMilliseconds {
            try? await Task.sleep(for: .milliseconds(limits.sendAfterMilliseconds - age))
            return nil
        }
        let batch = try build(
            batchSeq: head.batchSeq + 1, previousSHA256: head.sha256, afterSeq: head.lastEventSeq,
            maxEvents: min(limits.maxEvents, keys.cap(afterSeq: head.lastEventSeq) ?? .max))
        try batches.insert(batch)
        stored(batch)
        return batch
    }

    /// Builds and stores the batch after `batch` when a full one waits behind it. It is sent
    /// only after `batch` is acknowledged; a 413 for `batch` discards it unsent (see
    /// `OutboxBatches.shrink`). Left to the ordinary path when `batch` is not the newest, a key
    /// hand-over is due, or too few events wait.
    private func storeFollowing(_ batch: StoredBatch) {
        do {
            guard keys.cap(afterSeq: batch.lastSeq) == nil, try batches.chainHead().batchSeq == batch.batchSeq,
                try batches.unbatchedSummary(after: batch.lastSeq, limit: limits.maxEvents).count == limits.maxEvents
            else { return }
            let following = try build(
                batchSeq: batch.batchSeq + 1, previousSHA256: batch.sha256, afterSeq: batch.lastSeq,
                maxEvents: limits.maxEvents)
            try batches.insert(following)
            stored(following)
        } catch {
            logger.warning("cannot store the next batch ahead: \(error)")
        }
    }

    /// Tells the signing keys a batch is stored (a key hand-over completes with its batch).
    private func stored(_ batch: StoredBatch) {
        do { try keys.batched(lastSeq: batch.lastSeq) } catch {
            logger.critical(
                "key rotation: the batch holding the hand-over is stored, but the key files could not be moved: \(error)"
            )
        }
    }

    private func previousHash(of batchSeq: Int64) throws -> String? {
        batchSeq == 1 ? nil : try batches.batch(batchSeq - 1)?.sha256
    }

    private func build(batchSeq: Int64, previousSHA256: String?, afterSeq: Int64, maxEvents: Int) throws -> StoredBatch
    {
        let events = try batches.unbatchedEvents(after: afterSeq, limit: maxEvents)
        var limits = self.limits
        limits.maxEvents = maxEvents
        let count = BatchBody.fittingCount(
            eventSizes: events.map(\.body.count),
            envelope: BatchBody.envelopeSize(agentID: agentID, batchSeq: batchSeq),
            limits: limits)
        let chosen = events.prefix(count)
        let createdAt = Timestamp.now()
        let body = BatchBody.build(
            agentID: agentID, batchSeq: batchSeq, previousSHA256: previousSHA256, createdAt: createdAt,
            events: chosen.map(\.body))
        return StoredBatch(
            batchSeq: batchSeq, firstSeq: chosen.first!.seq, lastSeq: chosen.last!.seq, eventCount: chosen.count,
            body: body, sha256: BatchBody.sha256Hex(body),
            jws: try DetachedJWS.sign(body, with: keys.key(forLastSeq: chosen.last!.seq)),
            createdAt: createdAt)
    }
}
