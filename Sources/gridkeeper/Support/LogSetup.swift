import Logging
import Synchronization

/// Sends logs to stderr; only the first call has an effect.
enum LogSetup {
    private static let bootstrapped = Mutex(false)

    static func bootstrap(level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

import ArgumentParser

extension Logger.Level: @retroactive ExpressibleByArgument {}
