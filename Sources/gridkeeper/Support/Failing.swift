import ArgumentParser
import Daemon
import GridAPI

/// Runs a command body, turning known failures into a message on stderr and an exit code.
func reportingFailures<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as CommandFailure {
        Output.printError(failure.message)
        throw ExitCode(failure.exitCode)
    } catch let error as DeploymentError {
        Output.printError(error.description)
        throw ExitCode(error.exitStatus)
    } catch let error as GridAPIError {
        Output.printError(error.description)
        throw ExitCode(1)
    } catch let error as KeyError {
        Output.printError(error.description)
        throw ExitCode(1)
    }
}
