/// `{"data": …}` — the success envelope of single objects.
public struct DataEnvelope<Value: Codable & Sendable>: Codable, Sendable {
    public var data: Value
    public init(data: Value) { self.data = data }
}

/// Cursor paging block of current list endpoints.
public struct Paging: Codable, Sendable, Equatable {
    public var hasMore: Bool
    public var nextCursor: String?
    public var prevCursor: String?

    public init(hasMore: Bool, nextCursor: String?, prevCursor: String? = nil) {
        self.hasMore = hasMore
        self.nextCursor = nextCursor
        self.prevCursor = prevCursor
    }

    enum CodingKeys: String, CodingKey {
        case hasMore = "has_more", nextCursor = "next_cursor", prevCursor = "prev_cursor"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nextCursor = try c.decodeIfPresent(String.self, forKey: .nextCursor)
        prevCursor = try c.decodeIfPresent(String.self, forKey: .prevCursor)
        hasMore = try c.decodeIfPresent(Bool.self, forKey: .hasMore) ?? (nextCursor != nil)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hasMore, forKey: .hasMore)
        try c.encode(nextCursor, forKey: .nextCursor)
        try c.encode(prevCursor, forKey: .prevCursor)
    }
}

/// Offset paging block of legacy ("Flop") list endpoints.
public struct PageMeta: Codable, Sendable, Equatable {
    public var currentPage: Int?
    public var pageSize: Int?
    public var totalCount: Int?
    public var totalPages: Int?
    public var hasNextPage: Bool?

    enum CodingKeys: String, CodingKey {
        case currentPage = "current_page", pageSize = "page_size", totalCount = "total_count"
        case totalPages = "total_pages", hasNextPage = "has_next_page"
    }

    /// Whether another page follows.
    public var hasMore: Bool {
        if let hasNextPage { return hasNextPage }
        if let currentPage, let totalPages { return currentPage < totalPages }
        return false
    }
}

/// A list response: `{"data": [...]}` with `paging`, `meta` or neither.
public struct ListEnvelope<Item: Codable & Sendable>: Codable, Sendable {
    public var data: [Item]
    public var paging: Paging?
    public var meta: PageMeta?

    public init(data: [Item], paging: Paging? = nil, meta: PageMeta? = nil) {
        self.data = data
        self.paging = paging
        self.meta = meta
    }
}

/// One page of a list, as the client hands it out.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Cursor of the next page; `nil` on the last page.
    public var nextCursor: String?
    public var hasMore: Bool
}

/// An error body in any of the shapes seen: `{"errors":{"detail"}}` (documented),
/// `{"error":{"code","message"}}` (CLI mock) or `{"message"}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Errors: Codable, Sendable, Equatable {
        public var detail: String?
        public init(detail: String?) { self.detail = detail }
    }
    public struct ErrorObject: Codable, Sendable, Equatable {
        public var code: String?
        public var message: String?
    }

    public var errors: Errors?
    public var error: ErrorObject?
    public var message: String?

    public init(detail: String) { errors = Errors(detail: detail) }

    /// The most specific text available: `errors.detail`, then `error.message`, then `message`.
    public var text: String? { errors?.detail ?? error?.message ?? error?.code ?? message }
}
