import ArgumentParser
import Foundation
import GridAPI
import Hummingbird
import Logging
import Simulator

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a simulated Grid Trading API on loopback.",
        discussion: """
            Speaks the Trading API's paths, envelopes, errors and request signatures, with the
            nine instruments' order books, a USD account, trading and consumption accounts.
            Prints the base URL as its first line once it accepts requests. Without
            --public-key it creates a throwaway test key and prints the
            GRID_TRADING_PRIVATE_KEY to use with it. Stop it with Ctrl-C.
            """
    )

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8787

    @Option(help: "Address to bind; keep it on loopback.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("public-key"), help: ArgumentHelp("Base64 Ed25519 public key allowed to sign requests (repeatable).", valueName: "b64"))
    var publicKeys: [String] = []

    @Option(help: "Starting USD credit.")
    var usd: String = "1000"

    @Option(help: "Account mode: advanced (orders allowed) or easy (orders refused, as in Auto Mode).")
    var mode: String = "advanced"

    @Flag(name: .customLong("auto-transfer"), help: "Move filled units straight to the consumption account.")
    var autoTransfer = false

    @Flag(name: .customLong("quantities-as-strings"), help: "Send quantities as JSON strings to exercise lenient clients.")
    var quantitiesAsStrings = false

    @Option(name: .customLong("log-level"), help: "Log level on stderr.")
    var logLevel: Logger.Level = .notice

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard ["advanced", "easy"].contains(mode) else { throw ValidationError("--mode must be advanced or easy, got '\(mode)'") }
        guard let amount = StrictDecimal.parse(usd), amount >= 0 else { throw ValidationError("--usd must be a decimal amount like 1000 or 250.50, got '\(usd)'") }
        for key in publicKeys where LenientBase64.decodePublicKey(key) == nil {
            throw ValidationError("--public-key must be base64 of a 32-byte Ed25519 public key")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        var keys = publicKeys.compactMap(LenientBase64.decodePublicKey)
        let generated: SigningKey? = keys.isEmpty ? SigningKey.generate() : nil
        if let generated { keys = [generated.publicKey] }
        let configuration = SimulatorConfiguration(
            accountMode: mode, autoTransfer: autoTransfer, startingUSD: StrictDecimal.parse(usd) ?? 1000,
            quantitiesAsStrings: quantitiesAsStrings)
        let exchange = SimulatedExchange(configuration: configuration)
        let server = SimulatorServer(exchange: exchange, publicKeys: keys, configuration: configuration)
        let host = self.host
        let app = server.application(host: host, port: port, logger: Logger(label: "gridkeeper.sim")) { port in
            var lines = "http://\(host):\(port)/v1\n"
            if let generated { lines += "GRID_TRADING_PRIVATE_KEY=\(generated.exportSeedBase64())\n" }
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        try await app.runService()
    }
}
