import ScanBridgeCore

/// What one attempt to deliver a batch came to, by DESIGN.md's response rules.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 2xx: the receiver holds the batch (a repeat of an accepted batch answers 2xx too;
    /// `repeated` when the receiver says so, as the reference receiver's `"status":"repeat"`).
    case accepted(status: Int, repeated: Bool = false)
    /// 408, 429, 5xx, timeouts, resets, refused connections: the same bytes go again later.
    case retry(reason: String, retryAfterMilliseconds: Int?)
    /// No connection could be made (refused, unreachable, connect timeout): nothing reached
    /// the upstream, so it is tried again at a short interval (noticing its return within a
    /// second) rather than the growing backoff that spares an upstream that answers.
    case unreachable(reason: String)
    /// 413: the batch is rebuilt smaller under the same `batch_seq`.
    case tooLarge
    /// Any other 4xx: parked until an operator decides.
    case rejected(status: Int, body: String)

    /// The same bytes go again later (`retry` or `unreachable`).
    public var isRetry: Bool {
        switch self {
        case .retry, .unreachable: true
        default: false
        }
    }

    public static func classify(
        status: Int, retryAfter: String?, body: String, now: Timestamp, batchSeq: Int64,
        acknowledgement: Acknowledgement = .batchSeq
    ) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            guard acknowledgement.acknowledges(body: body, batchSeq: batchSeq) else {
                return .retry(
                    reason:
                        "upstream answered \(status) without acknowledging batch \(batchSeq) — is a proxy or captive portal in the way?",
                    retryAfterMilliseconds: nil)
            }
            let repeated = body.contains(#""status":"repeat""#) || body.contains(#""status": "repeat""#)
            return .accepted(status: status, repeated: repeated)
        case 413:
            return .tooLarge
        case 408, 429, 500..<600:
            return .retry(
                reason: "HTTP \(status)" + (body.isEmpty ? "" : ": " + String(body.prefix(200))),
                retryAfterMilliseconds: retryAfter.flatMap { RetryAfter.milliseconds($0, now: now) })
        default:
            return .rejected(status: status, body: String(body.prefix(2000)))
        }
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    public static func milliseconds(_ value: String, now: Timestamp) -> Int? {
        let trimmed = value.trimmingWhitespace
        if let seconds = Int(trimmed), seconds >= 0 { return min(seconds, 86_400) * 1000 }
        guard let date = httpDate(trimmed) else { return nil }
        let delta = (date.microsecondsSinceEpoch - now.microsecondsSinceEpoch) / 1000
        return Int(max(0, min(delta, 86_400_000)))
    }

    /// IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]),
            let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3 else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: Int64(monthIndex + 1), day: day)
        return Timestamp(
            microsecondsSinceEpoch: (days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]) * 1_000_000)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
