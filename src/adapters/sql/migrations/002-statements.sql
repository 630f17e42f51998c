-- Statements pipeline: stored transactions, account holders and per-file ingest reports.

-- Idempotency key: (account_id, transaction_id). Money in integer cents.
CREATE TABLE statement_transactions (
  account_id     text   NOT NULL,
  transaction_id text   NOT NULL,
  date           date   NOT NULL,
  amount_cents   bigint NOT NULL,
  PRIMARY KEY (account_id, transaction_id)
);
-- Monthly totals read all of one account's rows: the primary key's leading account_id serves them.
-- A covering (account_id, date) INCLUDE (amount_cents) index was measured: it made 1M inserts ~50%
-- slower and no aggregation faster (PGlite has no autovacuum, so index-only scans still visit the heap).

-- 'registry' entries are set explicitly and win over 'file' ones remembered from CSV columns.
CREATE TABLE statement_accounts (
  account_id text        PRIMARY KEY,
  email      text        NOT NULL,
  name       text        NOT NULL,
  source     text        NOT NULL CHECK (source IN ('registry', 'file')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE statement_file_reports (
  file_id     text        PRIMARY KEY,
  bucket      text        NOT NULL,
  key         text        NOT NULL,
  etag        text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('processed', 'rejected')),
  error       text,
  accepted    integer     NOT NULL,
  inserted    integer     NOT NULL,
  duplicates  integer     NOT NULL,
  -- Every rejected line; `rejected` keeps only the first ones ([{line, reason}, …] in line order).
  rejected_count integer  NOT NULL,
  rejected    jsonb       NOT NULL DEFAULT '[]',
  accounts    text[]      NOT NULL DEFAULT '{}',
  finished_at timestamptz NOT NULL
);
