-- Events pipeline: stored events in per-client ingestion order, rejected records, consumer groups
-- and the clients that read them.

-- One row per client: the last ingestion sequence number given out. A store transaction updates it
-- before inserting, which serialises the writers of one client until they commit: commit order is
-- sequence order, so a reader holding a cursor never later misses an event that commits behind it.
CREATE TABLE event_sequences (
  client   text   PRIMARY KEY,
  last_seq bigint NOT NULL CHECK (last_seq >= 0)
);

CREATE TABLE events (
  -- The UUID `ID`, lowercased: the idempotency key.
  id              text        PRIMARY KEY CHECK (id = lower(id)),
  client          text        NOT NULL,
  -- Ingestion order within the client (from event_sequences); numbers may skip, never reorder.
  seq             bigint      NOT NULL,
  source          text        NOT NULL,
  type            text        NOT NULL,
  account_id      text        NOT NULL,
  customer_id     text        NOT NULL,
  -- `Event.Time` as an instant (whole milliseconds) and exactly as sent.
  event_time      timestamptz NOT NULL,
  time_text       text        NOT NULL,
  payload         jsonb       NOT NULL,
  fingerprint     text        NOT NULL,
  schema_version  text        NOT NULL,
  shard_id        text        NOT NULL,
  sequence_number text        NOT NULL,
  arrived_at      timestamptz NOT NULL,
  stored_at       timestamptz NOT NULL,
  UNIQUE (client, seq)
);
-- The feed reads the unique (client, seq) index; queries sort by (event_time, id).
CREATE INDEX events_by_time ON events (client, event_time, id);
CREATE INDEX events_by_account ON events (client, account_id, event_time, id);

CREATE TABLE events_rejected (
  id              bigserial   PRIMARY KEY,
  client          text,
  event_id        text,
  stage           text        NOT NULL CHECK (stage IN ('ingest', 'validation', 'conflict')),
  reasons         jsonb       NOT NULL,
  raw             text        NOT NULL,
  -- The stream position, absent for records refused before the stream. NULLs never collide, so a
  -- replayed position is recorded once while every ingest-stage refusal is kept.
  shard_id        text,
  sequence_number text,
  arrived_at      timestamptz,
  rejected_at     timestamptz NOT NULL,
  UNIQUE (shard_id, sequence_number),
  CHECK ((shard_id IS NULL) = (sequence_number IS NULL) AND (shard_id IS NULL) = (arrived_at IS NULL))
);
CREATE INDEX events_rejected_by_client ON events_rejected (client, id);

-- A named group's checkpoint in one client's feed, as sequence numbers (0: the start).
CREATE TABLE event_consumers (
  client           text        NOT NULL,
  name             text        NOT NULL,
  committed_seq    bigint      NOT NULL DEFAULT 0,
  delivered_seq    bigint      NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  PRIMARY KEY (client, name),
  CHECK (committed_seq <= delivered_seq)
);

-- Only a hash of each client's token is kept.
CREATE TABLE event_clients (
  name       text        PRIMARY KEY,
  token_hash text        NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  rotated_at timestamptz
);
