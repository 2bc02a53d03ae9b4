import Foundation
import Synchronization

/// A progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: Sendable {
    private let label: String
    private let enabled: Bool
    private let lastDrawn = Mutex(Date.distantPast)

    init(_ label: String) {
        self.label = label
        enabled = isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int, of total: Int, unit: String) {
        guard enabled, total > 0 else { return }
        let now = Date()
        let draw = lastDrawn.withLock { last in
            guard done >= total || now.timeIntervalSince(last) > 0.1 else { return false }
            last = now
            return true
        }
        guard draw else { return }
        let fraction = min(1, Double(done) / Double(total))
        let filled = Int(fraction * 30)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(Int(fraction * 100))%  \(done)/\(total) \(unit)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
