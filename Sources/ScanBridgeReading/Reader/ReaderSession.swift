import ScanBridgePayloads

/// Drives a reader that must be told to read: the profile's start commands after every open
/// (each answered or timed out before the next), polling for answer-mode readers, a restart
/// when a continuous reader falls silent, and the stop commands at shutdown.
///
/// Pure: it is given times (CLOCK_MONOTONIC nanoseconds) and what the reader said, and
/// answers with bytes to send, so its timing is tested without a device.
public struct ReaderSession: Sendable {
    public enum Action: Sendable, Equatable {
        case send([UInt8], String)
        /// Something the operator should know (a command refused or unanswered, a restart).
        case notice(String)
    }

    private enum Phase: Sendable, Equatable {
        case closed
        /// Waiting for the reply to `settings.start[index]` until `deadline`.
        case starting(index: Int, deadline: UInt64)
        case active
    }

    public let settings: ReaderSettings
    private let encode: @Sendable (ReaderSettings.Command) -> [UInt8]
    private var phase = Phase.closed
    private var lastHeard: UInt64 = 0
    private var nextPoll: UInt64?

    public init(settings: ReaderSettings, encode: @escaping @Sendable (ReaderSettings.Command) -> [UInt8]) {
        self.settings = settings
        self.encode = encode
    }

    public var isActive: Bool { phase == .active }

    /// The stop commands, concatenated: written just before the port closes at shutdown.
    public var farewell: [UInt8] { settings.stop.flatMap(encode) }

    /// When ``timer(now:)`` must next run.
    public var deadline: UInt64? {
        switch phase {
        case .closed: return nil
        case .starting(_, let deadline): return deadline
        case .active:
            let quiet = settings.restartAfterQuietMilliseconds.map { lastHeard &+ UInt64($0) * 1_000_000 }
            switch (quiet, nextPoll) {
            case (let a?, let b?): return min(a, b)
            case (let a?, nil): return a
            case (nil, let b?): return b
            case (nil, nil): return nil
            }
        }
    }

    public mutating func opened(now: UInt64) -> [Action] {
        lastHeard = now
        return begin(at: 0, now: now)
    }

    public mutating func closed() {
        phase = .closed
        nextPoll = nil
    }

    /// Any byte from the reader counts as a sign of life.
    public mutating func heard(now: UInt64) {
        lastHeard = now
    }

    public mutating func reply(_ reply: ReaderReply, now: UInt64) -> [Action] {
        lastHeard = now
        guard case .starting(let index, _) = phase, settings.start[index].command == reply.command else { return [] }
        var actions: [Action] = []
        if reply.status != 0 {
            actions.append(
                .notice(
                    "reader refused start command \(hex(reply.command)) (status \(hex16(reply.status))); continuing — check the profile's reader.start"
                ))
        }
        return actions + begin(at: index + 1, now: now)
    }

    public mutating func timer(now: UInt64) -> [Action] {
        switch phase {
        case .closed:
            return []
        case .starting(let index, let deadline):
            guard now >= deadline else { return [] }
            let notice = Action.notice(
                "reader did not answer start command \(hex(settings.start[index].command)) within \(settings.replyTimeoutMilliseconds) ms; continuing"
            )
            return [notice] + begin(at: index + 1, now: now)
        case .active:
            if let quiet = settings.restartAfterQuietMilliseconds,
                now >= lastHeard &+ UInt64(quiet) * 1_000_000, !settings.start.isEmpty
            {
                lastHeard = now
                return [.notice("reader silent for \(quiet) ms; sending its start commands again")]
                    + begin(at: 0, now: now)
            }
            if let poll = settings.poll, let due = nextPoll, now >= due {
                nextPoll = now &+ UInt64(settings.pollIntervalMilliseconds) * 1_000_000
                return [.send(encode(poll), "poll \(hex(poll.command))")]
            }
            return []
        }
    }

    private mutating func begin(at index: Int, now: UInt64) -> [Action] {
        if index < settings.start.count {
            let command = settings.start[index]
            phase = .starting(index: index, deadline: now &+ UInt64(settings.replyTimeoutMilliseconds) * 1_000_000)
            return [.send(encode(command), "start \(hex(command.command))")]
        }
        phase = .active
        lastHeard = now
        if let poll = settings.poll {
            nextPoll = now &+ UInt64(settings.pollIntervalMilliseconds) * 1_000_000
            return [.send(encode(poll), "poll \(hex(poll.command))")]
        }
        return []
    }

    private func hex(_ byte: UInt8) -> String {
        "0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    private func hex16(_ value: UInt16) -> String {
        "0x" + String(value, radix: 16, uppercase: true).leftPadded(to: 4)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
