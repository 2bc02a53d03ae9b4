-- Spend to date reads a month of buckets by either clock (migrations/0005_spend_indexes.sql in
-- PostgreSQL's dialect): one covering index per clock.
DROP INDEX spend_buckets_by_time;
DROP INDEX spend_buckets_by_local_time;
CREATE INDEX spend_buckets_by_time ON spend_buckets (bucket_ms, local_bucket_ms, instrument) INCLUDE (cost_micros);
CREATE INDEX spend_buckets_by_local_time ON spend_buckets (local_bucket_ms, bucket_ms, instrument) INCLUDE (cost_micros);
