/// The served simulator's test controls: faults matched on method and path, and the log of
/// requests as the server answered them.
///
/// They are HTTP matters that `SimulatorServer`'s middleware applies; they are kept on the
/// exchange because `gridkeeper sim` (scenario faults, injected before a server exists), the
/// chaos campaign and many tests inject faults and read the log with only the exchange in hand,
/// and `/admin/state` counts the log. The rate limiter's buckets are the server's own.
extension SimulatedExchange {
    /// One request as the server saw it, for tests that count what a client sent.
    public struct RequestRecord: Sendable, Equatable {
        public var method: String
        public var path: String
        /// The status answered, or 0 when the connection was dropped.
        public var status: Int
    }

    public func inject(_ fault: Fault) { faults.append(fault) }
    public func clearFaults() { faults.removeAll() }

    /// Takes the first fault matching a request, consuming one of its uses.
    public func takeFault(method: String, path: String) -> Fault.Action? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        let action = faults[index].action
        faults[index].times -= 1
        if faults[index].times <= 0 { faults.remove(at: index) }
        return action
    }

    public func record(method: String, path: String, status: Int) {
        requestLog.append(RequestRecord(method: method, path: path, status: status))
    }
}
