import FoundationEssentials
import ScanBridgeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Batches as files: `<agent_id>-<batch_seq>.json` holds the exact body bytes and
/// `<agent_id>-<batch_seq>.jws` the exact `Scanbridge-Signature` value.
///
/// This is the evidence an auditor receives and the drop format for partners that take
/// files; nothing in it needs scanbridge to be checked.
public enum EvidenceDirectory {
    public struct Entry: Sendable {
        public var agentID: String
        public var batchSeq: Int64
        public var body: [UInt8]
        public var signature: String

        public init(agentID: String, batchSeq: Int64, body: [UInt8], signature: String) {
            self.agentID = agentID
            self.batchSeq = batchSeq
            self.body = body
            self.signature = signature
        }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Writes one batch; each file appears complete or not at all (write, fsync, rename).
    public static func write(agentID: String, batchSeq: Int64, body: [UInt8], signature: String, to directory: String)
        throws(Failure)
    {
        let base = directory + "/" + agentID + "-" + String(batchSeq)
        try atomicWrite(body, to: base + ".json")
        try atomicWrite(Array(signature.utf8), to: base + ".jws")
    }

    /// Every batch in the directory, grouped by agent and ordered by `batch_seq`.
    public static func read(_ directory: String) throws(Failure) -> [String: [Entry]] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            let reason = ((error as? CocoaError)?.underlying as? POSIXError).map { SystemError.text($0.code.rawValue) }
            throw Failure(description: "\(directory): \(reason ?? String(describing: error))")
        }
        var agents: [String: [Entry]] = [:]
        for name in names where name.hasSuffix(".json") {
            let stem = String(name.dropLast(5))
            guard let dash = stem.lastIndex(of: "-"), let batchSeq = Int64(stem[stem.index(after: dash)...]) else {
                continue
            }
            let agentID = String(stem[..<dash])
            let body: [UInt8]
            let signature: String
            do {
                body = try FileBytes.read(directory + "/" + name)
                signature = try FileBytes.readText(directory + "/" + stem + ".jws")
            } catch {
                throw Failure(description: "batch \(batchSeq): \(name) or its .jws cannot be read (\(error))")
            }
            agents[agentID, default: []].append(
                Entry(
                    agentID: agentID, batchSeq: batchSeq, body: body, signature: signature.trimmingWhitespace()))
        }
        return agents.mapValues { $0.sorted { $0.batchSeq < $1.batchSeq } }
    }

    private static func atomicWrite(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "\(path): \(reason)")
        }
    }
}
