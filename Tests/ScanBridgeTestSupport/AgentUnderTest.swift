import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeUpstream
import ScanBridgeWire
import ServiceLifecycle
import Synchronization
import Testing

/// An in-process agent reading a pty and forwarding to `url`.
struct AgentUnderTest {
    let agent: Agent
    let terminal: PseudoTerminal
    let task: Task<Void, any Error>
    let key: SigningKey

    func scan(_ count: Int, from start: Int = 0) throws {
        var text = ""
        for index in start..<start + count {
            text += "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", index)) + "\r\n"
        }
        try terminal.write(Array(text.utf8))
    }

    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

/// Creates the agent's key first, so the receiver can trust it before the agent starts.
struct AgentKeyHolder {
    let directory = TestSupport.temporaryDirectory("holder")
    let key = SigningKey()

    init() throws {
        try key.write(to: directory + "/key.jwk")
    }

    func agent(
        url: String, timeoutMilliseconds: Int = 3000, compression: ContentCoding? = .gzip
    ) throws -> AgentUnderTest {
        try AgentUnderTest(
            url: url, keyPath: directory + "/key.jwk", timeoutMilliseconds: timeoutMilliseconds,
            compression: compression)
    }
}

extension AgentUnderTest {
    init(url: String, keyPath: String, timeoutMilliseconds: Int = 3000, compression: ContentCoding? = .gzip) throws {
        let directory = TestSupport.temporaryDirectory("agent")
        key = try SigningKey.load(path: keyPath)
        terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory, signingKeyPath: keyPath)
        var upstream = AgentConfiguration.Upstream(url: url)
        upstream.batchLimits = .init(maxEvents: 50, maxBytes: 256 * 1024, maxAgeMilliseconds: 50)
        upstream.retryCapMilliseconds = 400
        upstream.timeoutMilliseconds = timeoutMilliseconds
        upstream.compression = compression
        configuration.upstream = upstream
        configuration.devices = [.init(path: terminal.devicePath, baud: 115_200, id: "pty")]
        var logger = Logger(label: "agent")
        logger.logLevel = .critical
        agent = try Agent(configuration: configuration, logger: logger)
        let agent = self.agent
        task = Task { try await agent.run() }
    }
}
