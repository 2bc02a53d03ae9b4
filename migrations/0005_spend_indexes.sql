-- Spend to date reads a month of buckets by either clock: one covering index per clock, so each
-- range is read from its index alone (the query adds the two ranges without an OR, which
-- SQLite could only answer by looking every row up again).
DROP INDEX spend_buckets_by_time;
DROP INDEX spend_buckets_by_local_time;
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms, local_bucket_ms, instrument, cost_micros);
CREATE INDEX spend_buckets_by_local_time ON spend_buckets (local_bucket_ms, bucket_ms, instrument, cost_micros);
