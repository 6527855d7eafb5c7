import ArgumentParser
import Foundation
import ScanBridgeUpstream

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove a chain: every signature, prev_sha256 link, batch_seq 1…N and event seq without gaps.")

    @Option(name: .long, help: "Trusted public keys: a JWK or JWKS file (repeatable).")
    var trust: [String]

    @Option(name: .long, help: "A receiver's SQLite store.")
    var store: String?

    @Option(name: .long, help: "A directory written by `scanbridge export`.")
    var dir: String?

    func validate() throws {
        guard !trust.isEmpty else { throw ValidationError("at least one --trust FILE is required") }
        guard (store == nil) != (dir == nil) else { throw ValidationError("give exactly one of --store or --dir") }
    }

    func run() throws {
        let trusted: TrustedKeys
        do { trusted = try TrustedKeys.load(paths: trust) } catch { Failure(error.description).exit() }
        var chains: [String: [EvidenceDirectory.Entry]] = [:]
        do {
            if let dir {
                chains = try EvidenceDirectory.read(dir)
            } else if let store {
                guard FileManager.default.fileExists(atPath: store) else { Failure("\(store): no such file").exit() }
                let receiver = try ReceiverStore(path: store)
                for agentID in try receiver.agentIDs() {
                    chains[agentID] = try receiver.batches(agentID: agentID).map {
                        .init(agentID: agentID, batchSeq: $0.batchSeq, body: $0.body, signature: $0.signature)
                    }
                }
            }
        } catch {
            Failure(String(describing: error)).exit()
        }
        guard !chains.isEmpty else { Failure("no batches found").exit() }
        var failed = false
        for (agentID, entries) in chains.sorted(by: { $0.key < $1.key }) {
            var audit = ChainAudit(trusted: trusted, agentID: agentID)
            do {
                for entry in entries {
                    try audit.append(body: entry.body, signature: entry.signature, label: entry.batchSeq)
                }
                let report = audit.result
                print(
                    "ok \(agentID): batches 1…\(report.lastBatchSeq), events 1…\(report.lastEventSeq), every signature valid, chain unbroken"
                )
            } catch {
                failed = true
                FileHandle.standardError.write(Data("FAIL \(agentID): \(error.description)\n".utf8))
            }
        }
        if failed { throw ExitCode.failure }
    }
}
