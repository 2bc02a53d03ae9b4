import GridKeeperMacros

/// `{"data": …}` — the success envelope of single objects.
public struct DataEnvelope<Value: Codable & Sendable>: Codable, Sendable {
    public var data: Value
    public init(data: Value) { self.data = data }
}

/// Cursor paging block of current list endpoints.
@MemberwiseInit @WireCodable
public struct Paging: Codable, Sendable, Equatable {
    public var hasMore: Bool
    @EncodeNil public var nextCursor: String?
    @EncodeNil public var prevCursor: String? = nil

    /// `has_more` defaults to whether a next cursor is given.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireCodingKey.self)
        nextCursor = try c.decodeIfPresent(String.self, forKey: "next_cursor")
        prevCursor = try c.decodeIfPresent(String.self, forKey: "prev_cursor")
        hasMore = try c.decodeIfPresent(Bool.self, forKey: "has_more") ?? (nextCursor != nil)
    }
}

/// Offset paging block of legacy ("Flop") list endpoints.
@WireCodable
public struct PageMeta: Codable, Sendable, Equatable {
    public var currentPage: Int?
    public var pageSize: Int?
    public var totalCount: Int?
    public var totalPages: Int?
    public var hasNextPage: Bool?

    /// Whether another page follows.
    public var hasMore: Bool {
        if let hasNextPage { return hasNextPage }
        if let currentPage, let totalPages { return currentPage < totalPages }
        return false
    }
}

/// A list response: `{"data": [...]}` with `paging`, `meta` or neither.
@MemberwiseInit
public struct ListEnvelope<Item: Codable & Sendable>: Codable, Sendable {
    public var data: [Item]
    public var paging: Paging? = nil
    public var meta: PageMeta? = nil
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
