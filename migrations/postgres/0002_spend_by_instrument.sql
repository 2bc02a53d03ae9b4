-- Spend per instrument (migrations/0002_spend_by_instrument.sql in PostgreSQL's dialect).
DROP TRIGGER fills_feed_spend ON fills;
DROP FUNCTION fills_feed_spend();
DROP TABLE spend_buckets;

CREATE TABLE spend_buckets (
    instrument  TEXT   NOT NULL,
    bucket_ms   BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    units       BIGINT NOT NULL,
    PRIMARY KEY (instrument, bucket_ms)
);
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms);

INSERT INTO spend_buckets (instrument, bucket_ms, cost_micros, units)
SELECT instrument, (executed_ms / 900000) * 900000, SUM(cost_micros), SUM(quantity)
FROM fills GROUP BY 1, 2;

CREATE FUNCTION fills_feed_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spend_buckets (instrument, bucket_ms, cost_micros, units)
    VALUES (NEW.instrument, (NEW.executed_ms / 900000) * 900000, NEW.cost_micros, NEW.quantity)
    ON CONFLICT (instrument, bucket_ms) DO UPDATE SET cost_micros = spend_buckets.cost_micros + excluded.cost_micros,
                                                     units = spend_buckets.units + excluded.units;
    RETURN NULL;
END
$$;
CREATE TRIGGER fills_feed_spend AFTER INSERT ON fills FOR EACH ROW EXECUTE FUNCTION fills_feed_spend();
