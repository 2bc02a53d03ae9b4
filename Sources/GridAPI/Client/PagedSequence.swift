import Logging

/// Every item of a cursor-paged list, fetched page by page as it is iterated.
///
/// Iteration ends on the last page, and also — with a warning — when the server hands back a
/// cursor already seen (a stuck or repeating cursor) or after `maxPages` pages, so a
/// misbehaving server cannot loop a client forever.
public struct PagedSequence<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item
    public typealias Failure = GridAPIError
    public typealias Fetch = @Sendable (String?) async throws(GridAPIError) -> Page<Item>

    let logger: Logger
    let endpoint: String
    let maxPages: Int
    let fetch: Fetch

    init(logger: Logger, endpoint: String, maxPages: Int = 10_000, fetch: @escaping Fetch) {
        self.logger = logger
        self.endpoint = endpoint
        self.maxPages = maxPages
        self.fetch = fetch
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: PagedSequence
        var buffer: [Item] = []
        var index = 0
        var cursor: String?
        var seen: Set<String> = []
        var pages = 0
        var finished = false

        public mutating func next() async throws(GridAPIError) -> Item? {
            while index >= buffer.count {
                if finished { return nil }
                let page = try await sequence.fetch(cursor)
                pages += 1
                buffer = page.items
                index = 0
                guard page.hasMore, let next = page.nextCursor else {
                    finished = true
                    continue
                }
                if next == cursor || !seen.insert(next).inserted {
                    sequence.logger.warning("stopping pagination: server repeated a cursor", metadata: ["endpoint": "\(sequence.endpoint)", "pages": "\(pages)"])
                    finished = true
                } else if pages >= sequence.maxPages {
                    sequence.logger.warning("stopping pagination: page limit reached", metadata: ["endpoint": "\(sequence.endpoint)", "pages": "\(pages)"])
                    finished = true
                } else if page.items.isEmpty {
                    sequence.logger.warning("stopping pagination: empty page claims more", metadata: ["endpoint": "\(sequence.endpoint)"])
                    finished = true
                }
                cursor = next
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }

    /// All items in one array.
    public func collect() async throws(GridAPIError) -> [Item] {
        var all: [Item] = []
        var iterator = makeAsyncIterator()
        while let item = try await iterator.next() { all.append(item) }
        return all
    }
}
