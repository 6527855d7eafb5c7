import ScanBridgeCore
import ScanBridgePayloads

/// The `data` of an `rfid.observed` event.
///
/// Every key is always present (null where it does not apply) so the shape integrators parse
/// does not change with the reader: `epc_uri`/`tag_uri` only for the EPC schemes the decoder
/// knows (the hex is kept always), `rssi_dbm` only where the protocol defines dBm.
public enum ObservationEvent {
    public static func data(_ observation: TagObservation, decodeEPC: Bool) -> [UInt8] {
        var tag: EPCTag?
        if decodeEPC, case .tag(let decoded) = EPCDecoder.decode(bytes: observation.epc) { tag = decoded }
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("epc_hex", Hex.encode(observation.epc).uppercased())
        writer.field("epc_uri", tag?.uri)
        writer.field("tag_uri", tag?.tagURI)
        writer.field("antenna", observation.antenna.map { Int64($0) })
        writer.field("rssi_dbm", observation.rssiDBm.map { Int64($0) })
        writer.field("rssi_raw", observation.rssiRaw.map { Int64($0) })
        writer.field("reads", Int64(observation.reads))
        writer.field("first_seen", observation.firstSeen.description)
        writer.field("last_seen", observation.lastSeen.description)
        writer.endObject()
        return writer.bytes
    }
}
