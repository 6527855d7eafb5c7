import ArgumentParser
import Foundation
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire

struct ReceiveEnrolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Trust an agent's public key (a JWK or a JWKS) for that agent only.",
        discussion: """
            The kid is the key's RFC 7638 thumbprint. Every receiver of the store trusts the key from the next \
            batch on. A key belongs to one agent; an agent may hold several keys (enrol the new one, then revoke \
            the old one to rotate).
            """)

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Option(name: .long, help: "Public Ed25519 JWK {kty, crv, x} (kid optional) or a JWKS {\"keys\": […]}.")
    var jwk: String

    /// Unconditional: an agent_id may begin with a dash.
    @Option(name: .long, parsing: .unconditional, help: "The agent_id the key signs for.")
    var agent: String

    func validate() throws {
        guard !agent.isEmpty, agent.utf8.count <= BatchIntake.maximumAgentIDBytes,
            !agent.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else {
            throw ValidationError(
                "--agent must be 1…\(BatchIntake.maximumAgentIDBytes) bytes without control characters")
        }
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let keys: TrustedKeys
        do { keys = try TrustedKeys.load(path: jwk) } catch { Failure(error.description).exit() }
        let receiverStore = await openReceiverStore(store)
        let results: [EnrolmentResult]
        do {
            results = try await receiverStore.enrol(
                keys.keys.values.sorted { $0.thumbprint < $1.thumbprint }, agentID: agent)
        } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        for result in results {
            switch result {
            case .enrolled(let kid): print("enrolled kid \(kid) for agent \(agent)")
            case .alreadyEnrolled(let kid): print("kid \(kid) was already enrolled for agent \(agent)")
            }
        }
    }
}

struct ReceiveRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Stop trusting a key: every receiver of the store refuses its batches (401 unknown_key).",
        discussion: "Batches it signed before stay stored and verifiable.")

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    /// Unconditional: a base64url thumbprint begins with a dash one time in 64.
    @Option(
        name: .long, parsing: .unconditional,
        help: "The key's kid (RFC 7638 thumbprint), as `receive agents` lists it.")
    var kid: String

    func validate() throws {
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let receiverStore = await openReceiverStore(store)
        let key: EnrolledKey
        do { key = try await receiverStore.revoke(kid: kid) } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        print("revoked kid \(key.kid) of agent \(key.agentID) at \(key.revokedAt ?? "?")")
    }
}

struct ReceiveAgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List the agents of a store: chain head, newest event, lag, gaps and keys.")

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Flag(help: "Print {\"agents\": […]} as GET /v1/agents does, each with its keys.")
    var json = false

    func validate() throws {
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let receiverStore = await openReceiverStore(store)
        let summaries: [AgentSummary]
        let keys: [EnrolledKey]
        do {
            summaries = try await receiverStore.agentSummaries()
            keys = try await receiverStore.enrolledKeys()
        } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        let keysByAgent = Dictionary(grouping: keys, by: \.agentID)
        let now = Timestamp.now()
        if json {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("agents")
            writer.beginArray()
            for summary in summaries {
                summary.write(to: &writer, now: now) { writer in
                    writer.key("keys")
                    writer.beginArray()
                    for key in keysByAgent[summary.agentID] ?? [] {
                        writer.beginObject()
                        writer.field("kid", key.kid)
                        writer.field("enrolled_at", key.enrolledAt)
                        writer.field("revoked_at", key.revokedAt)
                        writer.field("retired_after_batch_seq", key.retiredAfterBatchSeq)
                        writer.field("replaced_by", key.replacedBy)
                        writer.endObject()
                    }
                    writer.endArray()
                }
            }
            writer.endArray()
            writer.endObject()
            print(String(decoding: writer.bytes, as: UTF8.self))
            return
        }
        if summaries.isEmpty { print("no agents enrolled and no batches stored") }
        for summary in summaries {
            let lag = summary.lagSeconds(now: now).map { "\($0) s" } ?? "-"
            let gaps = summary.gaps.isEmpty ? "none" : summary.gaps.map { "\($0[0])…\($0[1])" }.joined(separator: ", ")
            print(
                "\(summary.agentID): last batch \(summary.lastBatchSeq), last event \(summary.lastEventSeq), last occurred_at \(summary.lastOccurredAt ?? "-"), lag \(lag), gaps \(gaps)"
            )
            for key in keysByAgent[summary.agentID] ?? [] {
                let state =
                    key.revokedAt.map { "revoked \($0)" }
                    ?? key.retiredAfterBatchSeq.map { "handed over to \(key.replacedBy ?? "?") after batch \($0)" }
                    ?? "active"
                print("  key \(key.kid) enrolled \(key.enrolledAt), \(state)")
            }
        }
    }
}
