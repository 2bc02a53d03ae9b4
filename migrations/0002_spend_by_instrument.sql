-- Spend per instrument: a strategy's caps count what its own instrument cost, the global
-- budget of the config file counts every instrument together.
DROP TRIGGER fills_feed_spend;
DROP TABLE spend_buckets;

CREATE TABLE spend_buckets (
    instrument  TEXT    NOT NULL,
    bucket_ms   INTEGER NOT NULL,
    cost_micros INTEGER NOT NULL,
    units       INTEGER NOT NULL,
    PRIMARY KEY (instrument, bucket_ms)
) WITHOUT ROWID;
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms);

INSERT INTO spend_buckets (instrument, bucket_ms, cost_micros, units)
SELECT instrument, (executed_ms / 900000) * 900000, SUM(cost_micros), SUM(quantity)
FROM fills GROUP BY 1, 2;

CREATE TRIGGER fills_feed_spend AFTER INSERT ON fills
BEGIN
    INSERT INTO spend_buckets (instrument, bucket_ms, cost_micros, units)
    VALUES (NEW.instrument, (NEW.executed_ms / 900000) * 900000, NEW.cost_micros, NEW.quantity)
    ON CONFLICT (instrument, bucket_ms) DO UPDATE SET cost_micros = cost_micros + excluded.cost_micros,
                                                     units = units + excluded.units;
END;
