import Foundation
import PackagePlugin

/// Compiles `migrations/*.sql` and `migrations/postgres/*.sql` into the `Ledger` module, so the binary carries its schema and
/// works from any directory, with no resource bundle to lose.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        func sqlFiles(_ directory: URL) throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        let directory = context.package.directoryURL.appending(path: "migrations")
        let sqlite = try sqlFiles(directory)
        let postgres = try sqlFiles(directory.appending(path: "postgres"))
        let sqliteOutput = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        let postgresOutput = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPostgresMigrations.swift")
        let tool = try context.tool(named: "embed-text").url
        return [
            .buildCommand(
                displayName: "Embedding \(sqlite.count) ledger migrations",
                executable: tool,
                arguments: ["migrations", sqliteOutput.path] + sqlite.map(\.path),
                inputFiles: sqlite,
                outputFiles: [sqliteOutput]
            ),
            .buildCommand(
                displayName: "Embedding \(postgres.count) PostgreSQL ledger migrations",
                executable: tool,
                arguments: ["postgres-migrations", postgresOutput.path] + postgres.map(\.path),
                inputFiles: postgres,
                outputFiles: [postgresOutput]
            ),
        ]
    }
}
