import Foundation
import Hummingbird
import Logging
import NIOCore

/// `/healthz`, `/status` (JSON) and `/metrics` (Prometheus) on loopback for the daemon.
public enum StatusServer {
    /// - Parameter onListening: called with the bound port.
    public static func application(state: DaemonState, metrics: EngineMetrics, host: String, port: Int, logger: Logger,
                                   onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            let status = await state.status()
            let text = status.healthy ? "ok\n" : "trading stopped\n"
            return Response(status: status.healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("/status") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let data = (try? encoder.encode(await state.status())) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "gridkeeper"),
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
