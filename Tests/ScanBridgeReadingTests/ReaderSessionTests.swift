import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Reader session")
struct ReaderSessionTests {
    static let ms: UInt64 = 1_000_000

    func settings() -> ReaderSettings {
        var settings = ReaderSettings()
        settings.start = [.init(command: 0x93, data: [0x00, 0x05]), .init(command: 0x2F, data: [0x00, 0x00, 0x01])]
        settings.stop = [.init(command: 0x2F, data: [0x00, 0x00, 0x02])]
        settings.replyTimeoutMilliseconds = 500
        settings.restartAfterQuietMilliseconds = 5000
        return settings
    }

    /// Commands as `[command] + data`, so the tests read without a codec.
    func session(_ settings: ReaderSettings) -> ReaderSession {
        ReaderSession(settings: settings, encode: { [$0.command] + $0.data })
    }

    func reply(_ command: UInt8, status: UInt16 = 0) -> ReaderReply {
        ReaderReply(command: command, status: status, data: [], frame: [])
    }

    @Test("start commands go one at a time, each after the previous one's reply; then the reader is active")
    func startSequence() {
        var session = session(settings())
        #expect(session.opened(now: 0) == [.send([0x93, 0x00, 0x05], "start 0x93")])
        #expect(session.reply(reply(0x22), now: 1).isEmpty, "an unrelated frame does not advance the sequence")
        #expect(session.reply(reply(0x93), now: 2 * Self.ms) == [.send([0x2F, 0x00, 0x00, 0x01], "start 0x2F")])
        #expect(!session.isActive)
        #expect(session.reply(reply(0x2F), now: 3 * Self.ms).isEmpty)
        #expect(session.isActive)
        #expect(session.farewell == [0x2F, 0x00, 0x00, 0x02])
    }

    @Test("an unanswered command times out and the sequence goes on; a refusal is reported")
    func timeouts() {
        var session = session(settings())
        _ = session.opened(now: 0)
        #expect(session.deadline == 500 * Self.ms)
        #expect(session.timer(now: 499 * Self.ms).isEmpty)
        let actions = session.timer(now: 500 * Self.ms)
        #expect(actions.count == 2)
        #expect(actions.last == .send([0x2F, 0x00, 0x00, 0x01], "start 0x2F"))
        let refused = session.reply(reply(0x2F, status: 0x0105), now: 600 * Self.ms)
        #expect(refused.count == 1)
        if case .notice(let text)? = refused.first {
            #expect(text.contains("0x0105"))
        } else {
            Issue.record("no notice")
        }
        #expect(session.isActive)
    }

    @Test("a continuous reader silent past the limit is started again; any byte counts as life")
    func quietRestart() {
        var session = session(settings())
        _ = session.opened(now: 0)
        _ = session.reply(reply(0x93), now: 0)
        _ = session.reply(reply(0x2F), now: 0)
        session.heard(now: 4000 * Self.ms)
        #expect(session.deadline == 9000 * Self.ms)
        #expect(session.timer(now: 8999 * Self.ms).isEmpty)
        let actions = session.timer(now: 9000 * Self.ms)
        #expect(actions.last == .send([0x93, 0x00, 0x05], "start 0x93"))
        #expect(!session.isActive)
    }

    @Test("an answer-mode reader is polled at its interval once started; closing stops everything")
    func polling() {
        var settings = ReaderSettings()
        settings.poll = .init(command: 0x01)
        settings.pollIntervalMilliseconds = 100
        var session = session(settings)
        #expect(session.opened(now: 0) == [.send([0x01], "poll 0x01")])
        #expect(session.deadline == 100 * Self.ms)
        #expect(session.timer(now: 100 * Self.ms) == [.send([0x01], "poll 0x01")])
        #expect(session.deadline == 200 * Self.ms)
        session.closed()
        #expect(session.deadline == nil)
        #expect(session.timer(now: 300 * Self.ms).isEmpty)
    }
}
