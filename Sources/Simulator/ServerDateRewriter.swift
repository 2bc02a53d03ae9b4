import GridAPI
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Stamps each response's `Date` header with the simulator's server time, so a skewed
/// server clock is visible to clients exactly as a real one would be.
final class ServerDateRewriter: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let clock: SimulationClock

    init(clock: SimulationClock) { self.clock = clock }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        if case .head(var head) = part {
            head.headerFields[.date] = HTTPDate.format(clock.serverWallTime)
            part = .head(head)
        }
        context.write(wrapOutboundOut(part), promise: promise)
    }
}
