import ArgumentParser
import GridAPI

@main
struct GridKeeperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridkeeper",
        abstract: "Keeps your inference supply on The Grid stocked, at the best price and within budget.",
        discussion: """
            Credentials come from the environment, as in The Grid's docs:
              GRID_TRADING_PRIVATE_KEY   base64 Ed25519 seed (32 bytes) or secret key (64 bytes)
              GRID_TRADING_FINGERPRINT   optional; derived from the key when unset
              GRID_TRADING_BASE_URL      default https://trading.api.thegrid.ai/v1
            or from a key file (--key-file, mode 0600) created by `gridkeeper keygen`.
            """,
        version: GridKeeperVersion.current,
        subcommands: [
            DemoCommand.self, RunCommand.self, OnceCommand.self, KeygenCommand.self, VerifyCommand.self, BalancesCommand.self, MarketCommand.self, StatusCommand.self,
            HistoryCommand.self, PauseCommand.self, ResumeCommand.self, ValidateCommand.self, MigrateCommand.self, SimCommand.self,
            BacktestCommand.self, TuneCommand.self, RecordCommand.self, RecordingCommand.self,
            LedgerCommand.self, LedgerStressCommand.self,
        ]
    )
}
