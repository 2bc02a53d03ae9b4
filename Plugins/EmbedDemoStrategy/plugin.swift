import Foundation
import PackagePlugin

/// Compiles `strategies/text-prime-keeper.yaml` into the `gridkeeper` executable as
/// `DemoStrategy.text`: the demo runs the shipped example from any directory, and there is no
/// copy of it to keep in step.
@main
struct EmbedDemoStrategy: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let file = context.package.directoryURL.appending(path: "strategies/text-prime-keeper.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "DemoStrategy.swift")
        return [
            .buildCommand(
                displayName: "Embedding the demo strategy \(file.lastPathComponent)",
                executable: try context.tool(named: "embed-text").url,
                arguments: ["string", output.path, "DemoStrategy", file.path],
                inputFiles: [file],
                outputFiles: [output]
            )
        ]
    }
}
