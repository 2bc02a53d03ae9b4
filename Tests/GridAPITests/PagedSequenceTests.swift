import Logging
import Synchronization
import Testing

@testable import GridAPI

@Suite struct PagedSequenceTests {
    /// Serves pages from a script: cursor in → page out; records the cursors asked for.
    final class Script: Sendable {
        let pages: [String?: Page<Int>]
        let asked = Mutex<[String?]>([])
        init(_ pages: [String?: Page<Int>]) { self.pages = pages }

        func sequence(maxPages: Int = 10_000) -> PagedSequence<Int> {
            PagedSequence(logger: Logger(label: "test"), endpoint: "GET /v1/test", maxPages: maxPages) { cursor throws(GridAPIError) in
                self.asked.withLock { $0.append(cursor) }
                guard let page = self.pages[cursor] else { throw .rejected(endpoint: "GET /v1/test", status: 400, detail: "invalid cursor") }
                return page
            }
        }
    }

    @Test func followsCursorsToTheLastPage() async throws {
        let script = Script([
            nil: Page(items: [1, 2], nextCursor: "a", hasMore: true),
            "a": Page(items: [3, 4], nextCursor: "b", hasMore: true),
            "b": Page(items: [5], nextCursor: nil, hasMore: false),
        ])
        #expect(try await script.sequence().collect() == [1, 2, 3, 4, 5])
        #expect(script.asked.withLock { $0 } == [nil, "a", "b"])
    }

    @Test func stopsOnACursorThatDoesNotMove() async throws {
        let script = Script([
            nil: Page(items: [1], nextCursor: "a", hasMore: true),
            "a": Page(items: [2], nextCursor: "a", hasMore: true),
        ])
        #expect(try await script.sequence().collect() == [1, 2])
        #expect(script.asked.withLock { $0 } == [nil, "a"])
    }

    @Test func stopsOnACursorThatComesBackLater() async throws {
        let script = Script([
            nil: Page(items: [1], nextCursor: "a", hasMore: true),
            "a": Page(items: [2], nextCursor: "b", hasMore: true),
            "b": Page(items: [3], nextCursor: "a", hasMore: true),
        ])
        #expect(try await script.sequence().collect() == [1, 2, 3])
        #expect(script.asked.withLock { $0 }.count == 3)
    }

    @Test func stopsOnAnEmptyPageThatClaimsMore() async throws {
        let script = Script([
            nil: Page(items: [1], nextCursor: "a", hasMore: true),
            "a": Page(items: [], nextCursor: "b", hasMore: true),
        ])
        #expect(try await script.sequence().collect() == [1])
        #expect(script.asked.withLock { $0 }.count == 2)
    }

    @Test func stopsAtThePageLimit() async throws {
        let script = Script([
            nil: Page(items: [1], nextCursor: "a", hasMore: true),
            "a": Page(items: [2], nextCursor: "b", hasMore: true),
            "b": Page(items: [3], nextCursor: "c", hasMore: true),
        ])
        #expect(try await script.sequence(maxPages: 2).collect() == [1, 2])
    }

    @Test func errorsSurfaceFromTheFailingPage() async throws {
        let script = Script([nil: Page(items: [1], nextCursor: "gone", hasMore: true)])
        await #expect(throws: GridAPIError.self) { try await script.sequence().collect() }
    }
}
