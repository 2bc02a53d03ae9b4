import AsyncHTTPClient
import Foundation
import GridAPI
import Logging
import Simulator
import Synchronization

/// Keys for tests: the RFC 8032 test vector 1 seed used by the Trading API reference.
public enum TestKeys {
    public static let referenceSeedBase64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
    public static var reference: SigningKey { try! SigningKey(base64: referenceSeedBase64) }
}

/// Records the waits a client asks for instead of sleeping.
public final class RecordingSleeper: Sendable {
    private let waits = Mutex<[Duration]>([])
    public init() {}
    public var recorded: [Duration] { waits.withLock { $0 } }
    public var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}

/// A running simulator plus a client signed with a registered key.
public struct SimulatorHarness: Sendable {
    public let exchange: SimulatedExchange
    public let baseURL: String
    public let client: GridClient
    public let sleeper: RecordingSleeper

    /// Starts a simulator on a free loopback port, runs `body`, and shuts the server down.
    /// - Parameters:
    ///   - configuration: the simulated account.
    ///   - clientClockOffset: how far the client's clock is off, seconds.
    ///   - clientSharesServerClock: the client reads the simulator's clock (skew included), so a
    ///     jump of `clock` moves both, as a pause of the whole host would.
    ///   - retry: the client's retry policy (sleeps are recorded, not waited).
    public static func with<T: Sendable>(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        clock: SimulationClock = SimulationClock(),
        adminEnabled: Bool = true,
        key: SigningKey = TestKeys.reference,
        clientClockOffset: TimeInterval = 0,
        clientSharesServerClock: Bool = false,
        retry: RetryPolicy = RetryPolicy(),
        clientConfiguration: (inout GridClient.Configuration) -> Void = { _ in },
        _ body: @Sendable (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let exchange = SimulatedExchange(configuration: configuration, clock: clock)
        let server = SimulatorServer(exchange: exchange, publicKeys: [key.publicKey], configuration: configuration, adminEnabled: adminEnabled)
        var clientConfig = GridClient.Configuration(baseURL: "http://placeholder/v1", requestTimeout: .seconds(60), retry: retry)
        clientConfiguration(&clientConfig)
        let template = clientConfig
        return try await server.withRunning { baseURL in
            var config = template
            config.baseURL = baseURL
            let sleeper = RecordingSleeper()
            let client = try GridClient(
                configuration: config, signer: RequestSigner(key: key),
                now: { (clientSharesServerClock ? clock.serverWallTime : Date()).addingTimeInterval(clientClockOffset) }, sleep: sleeper.sleep, random: { 0.5 })
            return try await body(SimulatorHarness(exchange: exchange, baseURL: baseURL, client: client, sleeper: sleeper))
        }
    }
}
