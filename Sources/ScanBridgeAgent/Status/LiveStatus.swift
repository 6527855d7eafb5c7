import FoundationEssentials

/// What a running agent knows beyond its state database (the `agent` object of its
/// `/status.json`): `scanbridge status`, a separate process, asks the agent for it on the
/// status endpoint, so the last upload error and the upstream's compression show there too.
public struct LiveStatus: Decodable, Sendable {
    public struct Upstream: Decodable, Sendable {
        public var compression: String
        public var compressionConfigured: String
        public var compressionRefused: Bool
        public var bodyBytes: Int
        public var sentBytes: Int
    }

    public struct Feedback: Decodable, Sendable {
        public var sent: Int
        public var failed: Int
        public var shown: Int
        public var unacknowledged: Int
    }

    public struct Profiles: Decodable, Sendable {
        public var bundles: String
        public var bundle: String?
        public var lastCheck: String?
        public var problem: String?
    }

    public var running: Bool
    public var lastError: String?
    public var stateWriteFailures: Int
    public var upstream: Upstream?
    public var feedback: Feedback?
    public var profiles: Profiles?

    private struct Document: Decodable {
        var agent: LiveStatus
    }

    /// The running agent's status document and its `agent` part, or `nil` when no agent
    /// answers on `listen` (not running, the endpoint off, or not on this host's loopback).
    public static func fetch(from listen: ListenAddress?) -> (status: LiveStatus, document: String)? {
        guard let listen, listen.port > 0, ["127.0.0.1", "0.0.0.0", "localhost"].contains(listen.host),
            let answer = try? LoopbackHTTP.get(port: listen.port, path: "/status.json", timeoutMilliseconds: 1000),
            answer.status == 200
        else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let document = try? decoder.decode(Document.self, from: Data(answer.body.utf8)) else { return nil }
        return (document.agent, answer.body)
    }
}
