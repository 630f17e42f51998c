-- Embedded fabric streams (a local Kinesis): shards, records and consumer checkpoints.

-- One row per shard, created from the topology. `next_sequence` hands out sequence numbers: a
-- producer increments it in its write transaction, which holds the row until commit, so a shard's
-- sequence order is its commit order and a reader never sees a gap that fills in later.
CREATE TABLE stream_shards (
  stream            text           NOT NULL,
  shard_id          text           NOT NULL,
  shard_count       integer        NOT NULL,
  starting_hash_key numeric(39, 0) NOT NULL,
  ending_hash_key   numeric(39, 0) NOT NULL,
  next_sequence     bigint         NOT NULL DEFAULT 1 CHECK (next_sequence >= 1),
  created_at        timestamptz    NOT NULL,
  PRIMARY KEY (stream, shard_id)
);

-- `seq` is the sequence number (shown zero-padded); dense per shard: 1, 2, 3, …
CREATE TABLE stream_records (
  stream        text        NOT NULL,
  shard_id      text        NOT NULL,
  seq           bigint      NOT NULL,
  partition_key text        NOT NULL,
  data          bytea       NOT NULL,
  trace_id      text,
  arrived_at    timestamptz NOT NULL,
  PRIMARY KEY (stream, shard_id, seq)
);

-- Where each consumer (a stream-triggered function) is on each shard, and its retry state.
CREATE TABLE stream_checkpoints (
  consumer     text        NOT NULL,
  stream       text        NOT NULL,
  shard_id     text        NOT NULL,
  -- The last sequence number processed (0: none yet).
  checkpoint   bigint      NOT NULL CHECK (checkpoint >= 0),
  -- The record whose failed attempts are counted, and how many there were.
  failing_seq  bigint,
  attempts     integer     NOT NULL DEFAULT 0,
  -- The shard is not read again before this time (retry backoff).
  retry_at     timestamptz,
  -- Bisection on a function error: the smaller batch size in force (NULL: the trigger's).
  batch_limit  integer,
  -- A failed batch retried as it was: its last sequence number.
  batch_end    bigint,
  last_error   text,
  -- One worker per (consumer, shard) at a time, even with several processes on one server.
  lease_owner  text,
  leased_until timestamptz,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (consumer, stream, shard_id)
);
