import GRDB
import ScanBridgeCore

/// What `scanbridge status` reports, read straight from the state database (safe while the
/// agent runs: WAL readers never block the writer).
public struct OutboxStatus: Sendable {
    public struct Device: Sendable {
        public var id: String
        public var counts: [String: Int64]
        public var lastEventAt: Timestamp?
    }

    public struct ParkedBatch: Sendable {
        public var batchSeq: Int64
        public var status: String
        public var error: String?
    }

    public var agentID: String?
    public var lastSeq: Int64
    public var acknowledgedSeq: Int64
    public var backlogEvents: Int64
    public var oldestUnsentAt: Timestamp?
    public var lastAcknowledgedAt: Timestamp?
    public var pendingBatches: Int
    public var parked: [ParkedBatch]
    public var quarantineHeld: Int
    public var quarantineReleased: Int
    public var quarantineDiscarded: Int
    public var alerts: [QuarantineStore.Alert]
    public var devices: [Device]

    public static func read(_ database: StateDatabase) throws(StoreError) -> OutboxStatus {
        do {
            return try database.pool.read { db in
                let agentID = try String.fetchOne(db, sql: "SELECT agent_id FROM agent WHERE id = 1")
                let lastSeq = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
                let acknowledged = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT max(last_seq) AS seq, max(acked_at_us) AS at FROM batches WHERE status = 'acknowledged'"
                )
                let acknowledgedSeq: Int64 = acknowledged?["seq"] ?? 0
                let oldest = try Int64.fetchOne(
                    db, sql: "SELECT stored_at_us FROM events WHERE seq > ? ORDER BY seq LIMIT 1",
                    arguments: [acknowledgedSeq])
                let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM batches WHERE status = 'pending'") ?? 0
                let parked = try Row.fetchAll(
                    db,
                    sql: "SELECT batch_seq, status, last_error FROM batches WHERE status = 'parked' ORDER BY batch_seq"
                ).map { ParkedBatch(batchSeq: $0["batch_seq"], status: $0["status"], error: $0["last_error"]) }
                var quarantine: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM quarantine GROUP BY status") {
                    quarantine[row["status"]] = row["n"]
                }
                let alerts = try QuarantineStore.openAlerts(db)
                var devices: [String: Device] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT device_id, type, count, last_at_us FROM device_counts") {
                    let id: String = row["device_id"]
                    var device = devices[id] ?? Device(id: id, counts: [:], lastEventAt: nil)
                    device.counts[row["type"]] = row["count"]
                    let last = Timestamp(microsecondsSinceEpoch: row["last_at_us"])
                    device.lastEventAt = max(device.lastEventAt ?? last, last)
                    devices[id] = device
                }
                let ackedAt: Int64? = acknowledged?["at"]
                return OutboxStatus(
                    agentID: agentID, lastSeq: lastSeq, acknowledgedSeq: acknowledgedSeq,
                    backlogEvents: lastSeq - acknowledgedSeq,
                    oldestUnsentAt: oldest.map(Timestamp.init(microsecondsSinceEpoch:)),
                    lastAcknowledgedAt: ackedAt.map(Timestamp.init(microsecondsSinceEpoch:)),
                    pendingBatches: pending, parked: parked, quarantineHeld: quarantine["held"] ?? 0,
                    quarantineReleased: quarantine["released"] ?? 0, quarantineDiscarded: quarantine["discarded"] ?? 0,
                    alerts: alerts,
                    devices: devices.values.sorted { $0.id < $1.id })
            }
        } catch {
            throw StoreError.classify(error, path: database.path)
        }
    }

    /// What a running agent knows beyond the database (its endpoint's `/status.json`).
    public struct Live: Sendable {
        public var lastError: String?
        public var stateWriteFailures: Int
        /// The upstream link, when one is configured.
        public var upstream: Upstream?

        /// How batches travel: the coding in use (`none` after the upstream refused the
        /// configured one with 415) and the bytes before and after it.
        public struct Upstream: Sendable {
            public var compression: String
            public var compressionConfigured: String
            public var compressionRefused: Bool
            public var bodyBytes: Int
            public var sentBytes: Int

            public init(
                compression: String, compressionConfigured: String, compressionRefused: Bool, bodyBytes: Int,
                sentBytes: Int
            ) {
                self.compression = compression
                self.compressionConfigured = compressionConfigured
                self.compressionRefused = compressionRefused
                self.bodyBytes = bodyBytes
                self.sentBytes = sentBytes
            }
        }

        /// Feedback to the people at the devices: signals written to a device, refused by one,
        /// shown on the status page, and held scans on the page not acknowledged yet.
        public struct Feedback: Sendable {
            public var sent: Int
            public var failed: Int
            public var shown: Int
            public var unacknowledged: Int

            public init(sent: Int, failed: Int, shown: Int, unacknowledged: Int) {
                self.sent = sent
                self.failed = failed
                self.shown = shown
                self.unacknowledged = unacknowledged
            }
        }

        public var feedback: Feedback?

        /// Profile bundles: `ignored` (no authority trusted) or the one in force, the last
        /// successful check and the last problem.
        public struct Profiles: Sendable {
            public var bundles: String
            public var bundle: String?
            public var sha256: String?
            public var lastCheck: Timestamp?
            public var problem: String?

            public init(bundles: String, bundle: String?, sha256: String?, lastCheck: Timestamp?, problem: String?) {
                self.bundles = bundles
                self.bundle = bundle
                self.sha256 = sha256
                self.lastCheck = lastCheck
                self.problem = problem
            }
        }

        public var profiles: Profiles?

        public init(
            lastError: String?, stateWriteFailures: Int, upstream: Upstream? = nil, feedback: Feedback? = nil,
            profiles: Profiles? = nil
        ) {
            self.lastError = lastError
            self.stateWriteFailures = stateWriteFailures
            self.upstream = upstream
            self.feedback = feedback
            self.profiles = profiles
        }
    }

    public func json(now: Timestamp, live: Live? = nil) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        if let live {
            writer.key("agent")
            writer.beginObject()
            writer.field("running", true)
            writer.field("last_error", live.lastError)
            writer.field("state_write_failures", Int64(live.stateWriteFailures))
            if let upstream = live.upstream {
                writer.key("upstream")
                writer.beginObject()
                writer.field("compression", upstream.compression)
                writer.field("compression_configured", upstream.compressionConfigured)
                writer.field("compression_refused", upstream.compressionRefused)
                writer.field("body_bytes", Int64(upstream.bodyBytes))
                writer.field("sent_bytes", Int64(upstream.sentBytes))
                writer.endObject()
            }
            if let feedback = live.feedback {
                writer.key("feedback")
                writer.beginObject()
                writer.field("sent", Int64(feedback.sent))
                writer.field("failed", Int64(feedback.failed))
                writer.field("shown", Int64(feedback.shown))
                writer.field("unacknowledged", Int64(feedback.unacknowledged))
                writer.endObject()
            }
            if let profiles = live.profiles {
                writer.key("profiles")
                writer.beginObject()
                writer.field("bundles", profiles.bundles)
                writer.field("bundle", profiles.bundle)
                writer.field("sha256", profiles.sha256)
                writer.field("last_check", profiles.lastCheck?.iso8601)
                writer.field("problem", profiles.problem)
                writer.endObject()
            }
            writer.endObject()
        }
        writer.field("agent_id", agentID)
        writer.field("last_seq", lastSeq)
        writer.field("acknowledged_seq", acknowledgedSeq)
        writer.field("backlog_events", backlogEvents)
        writer.key("oldest_unsent_age_s")
        if let oldestUnsentAt {
            writer.raw(Array(Self.seconds(now.microsecondsSinceEpoch - oldestUnsentAt.microsecondsSinceEpoch).utf8))
        } else {
            writer.integer(0)
        }
        writer.field("last_ack_at", lastAcknowledgedAt?.iso8601)
        writer.field("pending_batches", Int64(pendingBatches))
        writer.key("parked")
        writer.beginArray()
        for batch in parked {
            writer.beginObject()
            writer.field("batch_seq", batch.batchSeq)
            writer.field("status", batch.status)
            writer.field("error", batch.error)
            writer.endObject()
        }
        writer.endArray()
        writer.field("quarantine_held", Int64(quarantineHeld))
        writer.key("quarantine")
        writer.beginObject()
        writer.field("held", Int64(quarantineHeld))
        writer.field("released", Int64(quarantineReleased))
        writer.field("discarded", Int64(quarantineDiscarded))
        writer.endObject()
        writer.field("drift_alerts_open", Int64(alerts.count))
        writer.key("alerts")
        writer.beginArray()
        for alert in alerts {
            writer.beginObject()
            writer.field("id", alert.id)
            writer.field("device", alert.deviceID)
            writer.field("kind", alert.kind)
            writer.field("detail", alert.detail)
            writer.field("raised_at", alert.raisedAt.iso8601)
            writer.endObject()
        }
        writer.endArray()
        writer.key("devices")
        writer.beginArray()
        for device in devices {
            writer.beginObject()
            writer.field("id", device.id)
            writer.key("counts")
            writer.beginObject()
            for (type, count) in device.counts.sorted(by: { $0.key < $1.key }) { writer.field(type, count) }
            writer.endObject()
            writer.field("last_event_at", device.lastEventAt?.iso8601)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Seconds with millisecond precision, as an exact decimal literal.
    public static func seconds(_ microseconds: Int64) -> String {
        let millis = max(0, microseconds / 1000)
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
