-- Spend on both clocks (migrations/0004_spend_on_both_clocks.sql in PostgreSQL's dialect): a
-- fill counts toward every day and month that either the exchange's execution time or our own
-- clock at the moment its budget was reserved falls in.
DROP TRIGGER fills_feed_spend ON fills;
DROP FUNCTION fills_feed_spend();
DROP TABLE spend_buckets;

CREATE TABLE spend_buckets (
    instrument      TEXT   NOT NULL,
    bucket_ms       BIGINT NOT NULL,  -- the exchange's execution time, 15-minute bucket
    local_bucket_ms BIGINT NOT NULL,  -- our clock when the order's budget was reserved, 15-minute bucket
    cost_micros     BIGINT NOT NULL,
    units           BIGINT NOT NULL,
    PRIMARY KEY (instrument, bucket_ms, local_bucket_ms)
);
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms);
CREATE INDEX spend_buckets_by_local_time ON spend_buckets (local_bucket_ms);

INSERT INTO spend_buckets (instrument, bucket_ms, local_bucket_ms, cost_micros, units)
SELECT f.instrument, (f.executed_ms / 900000) * 900000, (COALESCE(o.created_ms, f.recorded_ms) / 900000) * 900000,
       SUM(f.cost_micros), SUM(f.quantity)
FROM fills f LEFT JOIN orders o ON o.id = f.order_id GROUP BY 1, 2, 3;

CREATE FUNCTION fills_feed_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spend_buckets (instrument, bucket_ms, local_bucket_ms, cost_micros, units)
    VALUES (NEW.instrument, (NEW.executed_ms / 900000) * 900000,
            (COALESCE((SELECT created_ms FROM orders WHERE id = NEW.order_id), NEW.recorded_ms) / 900000) * 900000,
            NEW.cost_micros, NEW.quantity)
    ON CONFLICT (instrument, bucket_ms, local_bucket_ms) DO UPDATE SET cost_micros = spend_buckets.cost_micros + excluded.cost_micros,
                                                                      units = spend_buckets.units + excluded.units;
    RETURN NULL;
END
$$;
CREATE TRIGGER fills_feed_spend AFTER INSERT ON fills FOR EACH ROW EXECUTE FUNCTION fills_feed_spend();
