import Foundation

/// What this process has used, for tests that bound memory.
public enum ProcessMemory {
    /// The process's peak resident memory so far (`VmHWM` in /proc/self/status), bytes; nil
    /// where /proc is missing.
    public static func peak() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kb * 1024
    }
}
