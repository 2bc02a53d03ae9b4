-- What a backtest replays besides the book and balances.

-- Trades printed on the market (everyone's): the period's VWAP, and when resting limit orders
-- would have filled.
CREATE TABLE public_trades (
    id           INTEGER PRIMARY KEY,
    instrument   TEXT    NOT NULL,
    traded_ms    INTEGER NOT NULL,
    trade_id     TEXT,
    price_micros INTEGER NOT NULL CHECK (price_micros > 0),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (instrument, trade_id)
);
CREATE INDEX public_trades_by_time ON public_trades (instrument, traded_ms);

-- Consumption demand where it is known (synthetic recordings): units per hour from taken_ms
-- until the next sample, in thousandths.
CREATE TABLE burn_samples (
    instrument              TEXT    NOT NULL,
    taken_ms                INTEGER NOT NULL,
    milli_units_per_hour    INTEGER NOT NULL CHECK (milli_units_per_hour >= 0),
    PRIMARY KEY (instrument, taken_ms)
) WITHOUT ROWID;
