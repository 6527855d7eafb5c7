import ArgumentParser
import Foundation
import ScanBridgeCommandSupport
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: ToolCommand.verify.abstract)

    @Option(name: .long, help: "Trusted public keys: a JWK or JWKS file (repeatable).")
    var trust: [String]

    @Option(name: .long, help: "A receiver's store: its SQLite file or a postgres:// URL.")
    var store: String?

    @Option(name: .long, help: "A directory written by `scanbridge export`.")
    var dir: String?

    func validate() throws {
        guard !trust.isEmpty else { throw ValidationError("at least one --trust FILE is required") }
        guard (store == nil) != (dir == nil) else { throw ValidationError("give exactly one of --store or --dir") }
    }

    func run() async throws {
        let trusted: TrustedKeys
        do { trusted = try TrustedKeys.load(paths: trust) } catch { Failure(error.description).exit() }
        var chains: [(agentID: String, audit: ChainAudit.Report?, failure: ChainAudit.Failure?)] = []
        if let dir {
            let entries: [String: [EvidenceDirectory.Entry]]
            do { entries = try EvidenceDirectory.read(dir) } catch { Failure(error.description).exit() }
            for (agentID, batches) in entries.sorted(by: { $0.key < $1.key }) {
                var audit = ChainAudit(trusted: trusted, agentID: agentID)
                do {
                    for entry in batches {
                        try audit.append(body: entry.body, signature: entry.signature, label: entry.batchSeq)
                    }
                    chains.append((agentID, audit.result, nil))
                } catch {
                    chains.append((agentID, nil, error))
                }
            }
        } else if let store {
            chains = await audit(store: store, trusted: trusted)
        }
        guard !chains.isEmpty else { Failure("no batches found").exit() }
        var failed = false
        for chain in chains {
            if let report = chain.audit {
                print(
                    "ok \(chain.agentID): batches 1…\(report.lastBatchSeq), events 1…\(report.lastEventSeq), every signature valid, chain unbroken"
                )
            } else if let failure = chain.failure {
                failed = true
                FileHandle.standardError.write(Data("FAIL \(chain.agentID): \(failure.description)\n".utf8))
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// Every agent's chain in a receiver store, read a page of batches at a time.
    private func audit(store: String, trusted: TrustedKeys) async -> [(
        agentID: String, audit: ChainAudit.Report?, failure: ChainAudit.Failure?
    )] {
        let location: ReceiverStoreLocation
        do { location = try ReceiverStoreLocation(store) } catch { Failure(error.description).exit() }
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            Failure("\(path): no such file").exit()
        }
        let receiver = await openReceiverStore(store)
        var chains: [(agentID: String, audit: ChainAudit.Report?, failure: ChainAudit.Failure?)] = []
        do {
            for agentID in try await receiver.agentIDsWithBatches() {
                var audit = ChainAudit(trusted: trusted, agentID: agentID)
                var after: Int64 = 0
                do {
                    while true {
                        let page = try await receiver.batches(agentID: agentID, after: after, limit: 500)
                        guard let last = page.last else { break }
                        for batch in page {
                            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
                        }
                        after = last.batchSeq
                    }
                    chains.append((agentID, audit.result, nil))
                } catch let failure as ChainAudit.Failure {
                    chains.append((agentID, nil, failure))
                }
            }
        } catch {
            await receiver.close()
            Failure(String(describing: error)).exit()
        }
        await receiver.close()
        return chains
    }
}
