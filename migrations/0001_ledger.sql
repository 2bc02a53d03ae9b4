-- GridKeeper ledger, version 1.
-- Money: integer micro-dollars (*_micros). Units: whole integers. Time: integer ms since the
-- Unix epoch, UTC (*_ms). Rows that record what happened are never updated except where a
-- state column says so (orders, reservations, transfers).

-- One row per evaluation of a strategy.
CREATE TABLE cycles (
    id              INTEGER PRIMARY KEY,
    started_ms      INTEGER NOT NULL,
    mode            TEXT    NOT NULL CHECK (mode IN ('live', 'dry', 'paper', 'backtest')),
    strategy        TEXT    NOT NULL,
    instrument      TEXT    NOT NULL,
    snapshot_digest TEXT    NOT NULL,
    decision_count  INTEGER NOT NULL CHECK (decision_count >= 0),
    note            TEXT
);
CREATE INDEX cycles_by_time ON cycles (started_ms);

-- Every rule of every cycle: what it saw, whether it fired, what it asked for and why.
CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES cycles (id),
    position      INTEGER NOT NULL,
    rule          TEXT    NOT NULL,
    outcome       TEXT    NOT NULL CHECK (outcome IN ('fired', 'skipped', 'blocked', 'adjusted')),
    action        TEXT    CHECK (action IN ('buy', 'transfer', 'cancel')),
    quantity      INTEGER CHECK (quantity >= 0),
    price_micros  INTEGER CHECK (price_micros >= 0),
    reason        TEXT    NOT NULL,
    inputs        TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (cycle_id, position)
);

-- Budget held before any order is sent; consumed by fills, released when the order ends.
CREATE TABLE budget_reservations (
    id              INTEGER PRIMARY KEY,
    client_order_id TEXT    NOT NULL UNIQUE,
    decision_id     INTEGER REFERENCES decisions (id),
    instrument      TEXT    NOT NULL,
    amount_micros   INTEGER NOT NULL CHECK (amount_micros >= 0),
    spent_micros    INTEGER NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
    state           TEXT    NOT NULL CHECK (state IN ('open', 'consumed', 'released')),
    created_ms      INTEGER NOT NULL,
    settled_ms      INTEGER
);
CREATE INDEX budget_reservations_open ON budget_reservations (state) WHERE state = 'open';

-- Orders by their deterministic client_order_id; the exchange id arrives once known.
CREATE TABLE orders (
    id                 INTEGER PRIMARY KEY,
    client_order_id    TEXT    NOT NULL UNIQUE,
    exchange_order_id  TEXT    UNIQUE,
    reservation_id     INTEGER REFERENCES budget_reservations (id),
    decision_id        INTEGER REFERENCES decisions (id),
    mode               TEXT    NOT NULL CHECK (mode IN ('live', 'dry', 'paper', 'backtest')),
    instrument         TEXT    NOT NULL,
    market_id          TEXT,
    side               TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    type               TEXT    NOT NULL CHECK (type IN ('limit', 'market')),
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    limit_price_micros INTEGER CHECK (limit_price_micros > 0),
    filled_quantity    INTEGER NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'unknown', 'open', 'partially_filled', 'filled',
                                                        'cancelled', 'rejected', 'expired')),
    state_reason       TEXT,
    created_ms         INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL,
    cancel_after_ms    INTEGER
);
CREATE INDEX orders_open ON orders (instrument, state) WHERE state IN ('pending', 'unknown', 'open', 'partially_filled');

-- Fills, once each (trade_id is the exchange's).
CREATE TABLE fills (
    id              INTEGER PRIMARY KEY,
    trade_id        TEXT    NOT NULL UNIQUE,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    instrument      TEXT    NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    price_micros    INTEGER NOT NULL CHECK (price_micros >= 0),
    fee_micros      INTEGER NOT NULL DEFAULT 0 CHECK (fee_micros >= 0),
    cost_micros     INTEGER NOT NULL CHECK (cost_micros >= 0),  -- price × quantity + fee
    executed_ms     INTEGER NOT NULL,
    recorded_ms     INTEGER NOT NULL
);
CREATE INDEX fills_by_time ON fills (executed_ms);
CREATE INDEX fills_by_order ON fills (order_id);

-- Spend in 15-minute buckets, kept by trigger, so spend-to-date in any time zone
-- (offsets are multiples of 15 minutes) reads at most a month of buckets.
CREATE TABLE spend_buckets (
    bucket_ms   INTEGER PRIMARY KEY,
    cost_micros INTEGER NOT NULL,
    units       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER fills_feed_spend AFTER INSERT ON fills
BEGIN
    INSERT INTO spend_buckets (bucket_ms, cost_micros, units)
    VALUES ((NEW.executed_ms / 900000) * 900000, NEW.cost_micros, NEW.quantity)
    ON CONFLICT (bucket_ms) DO UPDATE SET cost_micros = cost_micros + excluded.cost_micros,
                                         units = units + excluded.units;
END;

-- Units moved between the trading and consumption accounts.
CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    transfer_id TEXT    UNIQUE,
    decision_id INTEGER REFERENCES decisions (id),
    mode        TEXT    NOT NULL CHECK (mode IN ('live', 'dry', 'paper', 'backtest')),
    instrument  TEXT    NOT NULL,
    direction   TEXT    NOT NULL CHECK (direction IN ('to_consumption', 'to_trading')),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    state       TEXT    NOT NULL CHECK (state IN ('requested', 'done', 'unknown', 'failed')),
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);

-- Balances as observed each cycle (USD on the instrument '*' row).
CREATE TABLE balance_snapshots (
    instrument        TEXT    NOT NULL,
    taken_ms          INTEGER NOT NULL,
    usd_micros        INTEGER,
    trading_units     INTEGER,
    consumption_units INTEGER,
    PRIMARY KEY (instrument, taken_ms)
) WITHOUT ROWID;

-- Top of book and a few levels, compactly: `depth` packs the levels below the top as varints
-- (count of further bids; then per level the zig-zag price step in micros from the level
-- above and the quantity; bids, then asks).
CREATE TABLE market_snapshots (
    instrument       TEXT    NOT NULL,
    taken_ms         INTEGER NOT NULL,
    bid_micros       INTEGER,
    bid_quantity     INTEGER,
    ask_micros       INTEGER,
    ask_quantity     INTEGER,
    last_micros      INTEGER,
    depth            BLOB,
    PRIMARY KEY (instrument, taken_ms)
) WITHOUT ROWID;

-- The kill switch, append-only: the newest row is in force.
CREATE TABLE kill_switch (
    id         INTEGER PRIMARY KEY,
    engaged    INTEGER NOT NULL CHECK (engaged IN (0, 1)),
    reason     TEXT    NOT NULL,
    changed_ms INTEGER NOT NULL,
    changed_by TEXT    NOT NULL
);
