import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScanBridgeCore
import ScanBridgeWire

/// `GET /v1/profile-bundle`: the current profile bundle (`receive bundle publish`), for agents
/// of the store and for consumers (an integrator checking what the fleet is told).
///
/// An agent signs the request with its batch key (`AgentRequestSignature`), so nothing new is
/// enrolled; a consumer sends its bearer token. Nobody else reads it: which devices and
/// firmware a fleet runs is not for anyone who can reach the receiver. The `ETag` is the
/// SHA-256 of the body, so an agent polling with `If-None-Match` costs a 304 and no bytes
/// until something new is published.
struct ProfileBundleRoute: Sendable {
    static let path = "/v1/profile-bundle"

    let store: any ReceiverStorage
    let agents: AgentRequestAuthenticator
    let consumers: ConsumerAuthenticator
    let logger: Logger

    func add(to router: Router<ReceiverRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ -> Response in
            await answer(request)
        }
    }

    func answer(_ request: Request) async -> Response {
        switch await authenticate(request) {
        case .agent, .consumer: break
        case .unauthorized(let detail):
            var response = ReceiverServer.json(.json(401, ["error": "unauthorized", "detail": detail]))
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        case .storeUnavailable: return ReceiverServer.json(.storeUnavailable)
        }
        let bundle: PublishedBundle
        do {
            guard let current = try await store.currentBundle() else {
                return ReceiverServer.json(404, #"{"error":"no_bundle"}"#)
            }
            bundle = current
        } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return ReceiverServer.json(.storeUnavailable)
        }
        let etag = "\"\(bundle.sha256)\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "no-cache"]
        if Self.matches(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/jose"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: bundle.jws)))
    }

    enum Reader {
        case agent(String)
        case consumer(String)
        case unauthorized(String)
        case storeUnavailable
    }

    /// A request carrying `Scanbridge-Agent` is an agent's; one with `Authorization` and no
    /// such field, a consumer's; anything else is told what a signed request needs.
    func authenticate(_ request: Request) async -> Reader {
        let authorization = request.headers[.authorization]
        if let authorization, request.headers[HTTPField.Name(AgentRequestSignature.agentField)!] == nil {
            switch await consumers.authenticate(authorization) {
            case .consumer(let name): return .consumer(name)
            case .unauthorized: return .unauthorized("not a valid consumer token")
            case .storeUnavailable: return .storeUnavailable
            }
        }
        let outcome = await agents.authenticate(method: "GET", path: Self.path) { name in
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }
        switch outcome {
        case .agent(let id): return .agent(id)
        case .unauthorized(let detail): return .unauthorized(detail)
        case .storeUnavailable: return .storeUnavailable
        }
    }

    /// RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly (a `W/` prefix ignored).
    static func matches(_ ifNoneMatch: String?, etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        return ifNoneMatch.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            return tag == etag
        }
    }
}
