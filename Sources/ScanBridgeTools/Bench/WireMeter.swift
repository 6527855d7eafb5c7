import HTTPTypes
import Hummingbird
import ScanBridgeReceiver
import Synchronization

/// Counts what the batch requests cost on the wire: the request line, the header fields and
/// the body as sent (`Content-Length`, compressed when the agent compresses).
final class WireMeter: RouterMiddleware, Sendable {
    typealias Context = ReceiverRequestContext

    private let total = Atomic<Int>(0)

    var bytes: Int { total.load(ordering: .relaxed) }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // "POST /v1/scan-batches HTTP/1.1\r\n", each "name: value\r\n", the blank line.
        var size = request.method.rawValue.utf8.count + request.uri.path.utf8.count + 12
        for field in request.headers { size += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        size += 2 + (request.headers[.contentLength].flatMap { Int($0) } ?? 0)
        total.add(size, ordering: .relaxed)
        return try await next(request, context)
    }
}
