import ArgumentParser
import Foundation
import GridAPI

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair for the Trading API.",
        discussion: """
            Writes the private key (base64 seed) to FILE with mode 0600 (creating its directory with mode 0700 if needed, and saying so on stderr) and prints the public key and fingerprint to register at app.thegrid.ai → Profile → API keys. The private key is never printed. Then point GridKeeper at it with --key-file FILE, or export GRID_TRADING_PRIVATE_KEY="$(cat FILE)".
            """
    )

    @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the private key; must not exist.", valueName: "file"))
    var out: String = "gridkeeper-trading.key"

    @Flag(help: "Print the public key and fingerprint as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let key = SigningKey.generate()
            if let directory = try KeySource.write(key, to: out) {
                FileHandle.standardError.write(Data("created directory \(directory) (mode 0700)\n".utf8))
            }
            if json {
                Output.printJSON(["key_file": out, "public_key": key.publicKeyBase64, "fingerprint": key.fingerprint])
            } else {
                print("""
                    Private key written to \(out) (mode 0600). Keep it secret; back it up.

                    Register this public key with The Grid (app.thegrid.ai → Profile → API keys):
                      public key   \(key.publicKeyBase64)
                      fingerprint  \(key.fingerprint)

                    Then check everything with:
                      gridkeeper verify --key-file \(out)
                    """)
            }
        }
    }
}
