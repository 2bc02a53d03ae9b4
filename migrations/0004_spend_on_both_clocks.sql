-- Spend on both clocks: a fill counts toward every day and month that either the exchange's
-- execution time or our own clock at the moment its budget was reserved (the order's
-- created_ms) falls in. When the two clocks disagree across a day or month boundary, the fill
-- is counted in both periods, so no cap can be under-counted whichever clock is ahead.
DROP TRIGGER fills_feed_spend;
DROP TABLE spend_buckets;

CREATE TABLE spend_buckets (
    instrument      TEXT    NOT NULL,
    bucket_ms       INTEGER NOT NULL,  -- the exchange's execution time, 15-minute bucket
    local_bucket_ms INTEGER NOT NULL,  -- our clock when the order's budget was reserved, 15-minute bucket
    cost_micros     INTEGER NOT NULL,
    units           INTEGER NOT NULL,
    PRIMARY KEY (instrument, bucket_ms, local_bucket_ms)
) WITHOUT ROWID;
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms);
CREATE INDEX spend_buckets_by_local_time ON spend_buckets (local_bucket_ms);

INSERT INTO spend_buckets (instrument, bucket_ms, local_bucket_ms, cost_micros, units)
SELECT f.instrument, (f.executed_ms / 900000) * 900000, (COALESCE(o.created_ms, f.recorded_ms) / 900000) * 900000,
       SUM(f.cost_micros), SUM(f.quantity)
FROM fills f LEFT JOIN orders o ON o.id = f.order_id GROUP BY 1, 2, 3;

CREATE TRIGGER fills_feed_spend AFTER INSERT ON fills
BEGIN
    INSERT INTO spend_buckets (instrument, bucket_ms, local_bucket_ms, cost_micros, units)
    VALUES (NEW.instrument, (NEW.executed_ms / 900000) * 900000,
            (COALESCE((SELECT created_ms FROM orders WHERE id = NEW.order_id), NEW.recorded_ms) / 900000) * 900000,
            NEW.cost_micros, NEW.quantity)
    ON CONFLICT (instrument, bucket_ms, local_bucket_ms) DO UPDATE SET cost_micros = cost_micros + excluded.cost_micros,
                                                                      units = units + excluded.units;
END;
