import ArgumentParser
import Foundation
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgeReceiver

/// `scanbridge receive consumer add | list | revoke`: who may read the feed, the agents and
/// the metrics of every receiver of a store.
struct ReceiveConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "Manage the bearer tokens that may read /v1/events, /v1/agents and /metrics.",
        discussion: """
            The store keeps only each token's SHA-256; a token is printed once, when it is added. Every receiver \
            of the store honours an addition or a revocation from the next request on.
            """,
        subcommands: [
            ReceiveConsumerAddCommand.self, ReceiveConsumerListCommand.self, ReceiveConsumerRevokeCommand.self,
        ])
}

/// `--store` and `--name` as the consumer commands take them.
struct ConsumerNameOptions: ParsableArguments {
    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    /// Unconditional: a name may begin with a dash.
    @Option(name: .long, parsing: .unconditional, help: "The consumer's name (say, the finance system it is).")
    var name: String

    func validate() throws {
        if let problem = ConsumerToken.problem(withName: name) { throw ValidationError("--name: \(problem)") }
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }
}

struct ReceiveConsumerAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a consumer and print its new token once (one line on stdout).")

    @OptionGroup var options: ConsumerNameOptions

    @Flag(help: "Print {\"name\": …, \"token\": …} instead of the bare token.")
    var json = false

    func run() async throws {
        let receiverStore = await openReceiverStore(options.store)
        let token = ConsumerToken.generate()
        do {
            _ = try await receiverStore.addConsumer(name: options.name, tokenSHA256: ConsumerToken.sha256Hex(token))
        } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        if json {
            printJSONObject { writer in
                writer.field("name", options.name)
                writer.field("token", token)
            }
        } else {
            print(token)
        }
        FileHandle.standardError.write(
            Data(
                "consumer \(options.name) added: the token is shown only now; send it as `Authorization: Bearer TOKEN`\n"
                    .utf8))
    }
}

struct ReceiveConsumerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List consumers: name, created_at, last_used_at, revoked.")

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Flag(help: "Print {\"consumers\": [{\"name\", \"created_at\", \"last_used_at\", \"revoked\"}, …]}.")
    var json = false

    func validate() throws {
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let receiverStore = await openReceiverStore(store)
        let consumers: [FeedConsumer]
        do { consumers = try await receiverStore.consumers() } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        if json {
            printJSONObject { writer in
                writer.key("consumers")
                writer.beginArray()
                for consumer in consumers {
                    writer.beginObject()
                    writer.field("name", consumer.name)
                    writer.field("created_at", consumer.createdAt)
                    writer.field("last_used_at", consumer.lastUsedAt)
                    writer.field("revoked", consumer.revoked)
                    writer.endObject()
                }
                writer.endArray()
            }
            return
        }
        if consumers.isEmpty { print("no consumers: the feed, agents and metrics answer 401 to everyone") }
        for consumer in consumers {
            let state = consumer.revokedAt.map { "revoked \($0)" } ?? "active"
            print(
                "\(consumer.name): created \(consumer.createdAt), last used \(consumer.lastUsedAt ?? "never"), \(state)"
            )
        }
    }
}

struct ReceiveConsumerRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Stop a consumer's token: every receiver of the store answers it 401 from the next request.")

    @OptionGroup var options: ConsumerNameOptions

    func run() async throws {
        let receiverStore = await openReceiverStore(options.store)
        let consumer: FeedConsumer
        do { consumer = try await receiverStore.revokeConsumer(name: options.name) } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        print("revoked consumer \(consumer.name) at \(consumer.revokedAt ?? "?")")
    }
}

/// Prints one JSON object on one line; `fields` writes its members.
private func printJSONObject(_ fields: (inout JSONWriter) -> Void) {
    var writer = JSONWriter()
    writer.beginObject()
    fields(&writer)
    writer.endObject()
    print(String(decoding: writer.bytes, as: UTF8.self))
}
