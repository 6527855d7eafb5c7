import ArgumentParser
import Foundation
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReceiver
import ScanBridgeWire

/// `scanbridge receive bundle publish | list`: the profile bundle every receiver of a store
/// serves to its agents at `GET /v1/profile-bundle`.
struct ReceiveBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Publish the profile bundle agents fetch at GET /v1/profile-bundle; list what was published.",
        discussion: """
            The store keeps every version; the highest is current, whatever its name, so a version must be \
            greater than the current one. The receiver does not check the authority's signature (it holds no \
            authority key): agents do, and refuse a bundle their trusted authority did not sign. Check it first \
            with `scanbridge profiles verify --trust AUTHORITY_PUB.jwk BUNDLE.jws`.
            """,
        subcommands: [ReceiveBundlePublishCommand.self, ReceiveBundleListCommand.self])
}

struct ReceiveBundlePublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Make a signed profile bundle the current one of the store (every receiver serves it at once).")

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Argument(help: "The bundle, as `scanbridge profiles bundle` writes it.")
    var bundle: String

    func validate() throws {
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: bundle) else {
            Failure("\(bundle): cannot read the bundle file").exit()
        }
        // Served byte for byte as stored: the compact JWS alone, without the file's newline.
        let jws = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        let parsed: ProfileBundle
        do {
            parsed = try ProfileBundle.parse(try CompactJWS.unverifiedPayload(of: jws, type: ProfileBundle.jwsType))
        } catch {
            Failure(
                "\(bundle): not a well-formed profile bundle (\(error)) — make one with `scanbridge profiles bundle`"
            )
            .exit()
        }
        let sha256 = BatchBody.sha256Hex(Array(jws.utf8))
        let receiverStore = await openReceiverStore(store)
        let publication: BundlePublication
        do {
            publication = try await receiverStore.publishBundle(
                name: parsed.name, version: Int64(parsed.version), jws: jws, sha256: sha256)
        } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        switch publication {
        case .published(let published):
            print("published \(published.label) (sha256 \(published.sha256))")
        case .notNewer(let current):
            Failure(
                "\(bundle): version \(parsed.version) is not greater than the current bundle \(current.label) (published \(current.publishedAt)); a store has one current bundle whatever its name — sign it again with --version \(current.version + 1) or higher"
            ).exit()
        }
    }
}

struct ReceiveBundleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List published bundles, newest (the current one) first.")

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Flag(help: "Print {\"bundles\": [{\"name\", \"version\", \"sha256\", \"published_at\", \"current\"}, …]}.")
    var json = false

    func validate() throws {
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let receiverStore = await openReceiverStore(store)
        let bundles: [PublishedBundle]
        do { bundles = try await receiverStore.publishedBundles() } catch {
            await receiverStore.close()
            Failure(error.description).exit()
        }
        await receiverStore.close()
        if json {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("bundles")
            writer.beginArray()
            for (index, bundle) in bundles.enumerated() {
                writer.beginObject()
                writer.field("name", bundle.name)
                writer.field("version", bundle.version)
                writer.field("sha256", bundle.sha256)
                writer.field("published_at", bundle.publishedAt)
                writer.field("current", index == 0)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            print(String(decoding: writer.bytes, as: UTF8.self))
            return
        }
        if bundles.isEmpty { print("no bundle published: GET /v1/profile-bundle answers 404") }
        for (index, bundle) in bundles.enumerated() {
            print(
                "\(bundle.label): sha256 \(bundle.sha256), published \(bundle.publishedAt)\(index == 0 ? ", current" : "")"
            )
        }
    }
}
