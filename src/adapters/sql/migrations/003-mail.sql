-- Every email the local mailers handled: the outbox keeps them all (the dashboard and the
-- `outbox` command read them back, `raw` exports as .eml); the SMTP mailer records what it sent.

CREATE TABLE outbox (
  id          text        PRIMARY KEY,
  sender      text        NOT NULL,
  recipients  text[]      NOT NULL,
  subject     text        NOT NULL,
  html        text        NOT NULL,
  text        text        NOT NULL,
  raw         bytea       NOT NULL,
  created_at  timestamptz NOT NULL,
  transport   text        NOT NULL CHECK (transport IN ('outbox', 'smtp'))
);
CREATE INDEX outbox_newest ON outbox (created_at DESC, id DESC);
