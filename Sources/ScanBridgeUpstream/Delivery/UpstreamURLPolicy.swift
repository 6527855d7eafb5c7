import FoundationEssentials
import ScanBridgeCore

/// Where batches may go in clear text.
///
/// Batches are signed, so plain http cannot forge them, but it shows every scan to the network
/// and lets anything on the path answer for the receiver; a bearer token sent in clear is a
/// credential given away. Loopback (a local relay, the demo, tests) is the exception.
public enum UpstreamURLPolicy {
    public static func check(url: String, allowPlainHTTP: Bool, sendsBearerToken: Bool) throws(HTTPUpstream.SetupError)
    {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "http" else { return }
        let host = parsed.host ?? ""
        if Loopback.contains(host: host) { return }
        guard allowPlainHTTP else {
            throw HTTPUpstream.SetupError(
                description:
                    "upstream.url \(url) is plain http to \(host): use https, or set upstream.allow_plain_http: true if the network is trusted"
            )
        }
        if sendsBearerToken {
            throw HTTPUpstream.SetupError(
                description:
                    "upstream.bearer_token_file would send the token in clear text to \(host): use an https:// upstream.url"
            )
        }
    }
}
