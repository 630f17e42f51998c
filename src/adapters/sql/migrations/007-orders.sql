-- Orders pipeline: energy-auction orders, keyed by record_id, each with an expiry (TTL).
-- An order at or past expires_at is invisible to every read (the queries say `expires_at > now`)
-- until the purge job deletes it.

CREATE TABLE orders (
  record_id   text             PRIMARY KEY CHECK (char_length(record_id) BETWEEN 1 AND 128),
  parameter_1 text             NOT NULL,
  parameter_2 double precision NOT NULL CHECK (parameter_2 NOT IN ('NaN', 'Infinity', '-Infinity')),
  status      text             NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
  received_at timestamptz      NOT NULL,
  expires_at  timestamptz      NOT NULL CHECK (expires_at > received_at),
  -- The auction's decision: set together with a final status, cleared when the order is reposted.
  power       double precision,
  decided_at  timestamptz,
  -- Posting order: given on insert and again on every repost, so lists show the newest first and
  -- a cursor is one number.
  seq         bigserial        NOT NULL UNIQUE,
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK (status <> 'pending' OR power IS NULL)
);
-- Lists by status and the auction's pending orders read this; plain lists read the unique seq index.
CREATE INDEX orders_by_status ON orders (status, seq);
-- The purge deletes by expiry.
CREATE INDEX orders_by_expiry ON orders (expires_at);
