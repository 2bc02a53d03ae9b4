-- Leadership with fencing (PostgreSQL only): which of several daemons on one ledger runs
-- cycles, and a database that refuses the writes of one that no longer does.

-- The lease: one row. A daemon leads while `expires_at` (the database's clock) is ahead; each
-- new holder takes the next token, so tokens only ever increase.
CREATE TABLE leadership (
    id          INTEGER     PRIMARY KEY CHECK (id = 1),
    holder      TEXT        NOT NULL,
    token       BIGINT      NOT NULL CHECK (token > 0),
    acquired_at TIMESTAMPTZ NOT NULL,
    renewed_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- Every change of leader, append-only.
CREATE TABLE leadership_changes (
    token       BIGINT      PRIMARY KEY,
    holder      TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    previous    TEXT
);

-- The token each trading write carries.
ALTER TABLE cycles ADD COLUMN fence_token BIGINT;
ALTER TABLE budget_reservations ADD COLUMN fence_token BIGINT;
ALTER TABLE orders ADD COLUMN fence_token BIGINT;
ALTER TABLE fills ADD COLUMN fence_token BIGINT;
ALTER TABLE transfers ADD COLUMN fence_token BIGINT;

-- Refuses a trading write unless it carries the current token of a lease that has not
-- expired. `FOR SHARE` orders the check against a takeover: a write either commits before the
-- new holder's token is set, or waits for it and is refused. A ledger nobody has led (a copy
-- being filled, a single `once`) accepts writes without a token.
CREATE FUNCTION check_fencing_token() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lease leadership%ROWTYPE;
BEGIN
    SELECT * INTO lease FROM leadership WHERE id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    IF NEW.fence_token IS NULL OR NEW.fence_token <> lease.token OR lease.expires_at <= clock_timestamp() THEN
        RAISE EXCEPTION 'stale fencing token % on %: the lease is held by % with token % until %',
            COALESCE(NEW.fence_token::TEXT, 'none'), TG_TABLE_NAME, lease.holder, lease.token, lease.expires_at
            USING ERRCODE = 'GK001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER cycles_fenced BEFORE INSERT ON cycles FOR EACH ROW EXECUTE FUNCTION check_fencing_token();
CREATE TRIGGER budget_reservations_fenced BEFORE INSERT OR UPDATE ON budget_reservations FOR EACH ROW EXECUTE FUNCTION check_fencing_token();
CREATE TRIGGER orders_fenced BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION check_fencing_token();
CREATE TRIGGER fills_fenced BEFORE INSERT ON fills FOR EACH ROW EXECUTE FUNCTION check_fencing_token();
CREATE TRIGGER transfers_fenced BEFORE INSERT OR UPDATE ON transfers FOR EACH ROW EXECUTE FUNCTION check_fencing_token();
