import ArgumentParser
import FoundationEssentials
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeStore
import ScanBridgeUpstream

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the agent's batches as <agent_id>-<batch_seq>.json (exact body) and .jws (exact signature).")

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "Directory to write into (created if missing).")
    var to: String

    @Option(name: [.customLong("from-batch"), .customLong("from")], help: "First batch_seq to export.")
    var fromBatch: Int64 = 1

    func run() throws {
        let configuration = options.load()
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            Failure("\(configuration.databasePath): no state database — is --config the agent's config?").exit()
        }
        do {
            try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
            let database = try StateDatabase(path: configuration.databasePath)
            let agentID = try database.agentID()
            let batches = OutboxBatches(database: database)
            var next = fromBatch
            var written = 0
            while true {
                let page = try batches.batches(from: next, limit: 500)
                if page.isEmpty { break }
                for batch in page {
                    try EvidenceDirectory.write(
                        agentID: agentID, batchSeq: batch.batchSeq, body: batch.body, signature: batch.jws, to: to)
                    written += 1
                }
                next = page.last!.batchSeq + 1
            }
            print("exported \(written) batches of \(agentID) to \(to)")
        } catch {
            Failure(String(describing: error)).exit()
        }
    }
}
