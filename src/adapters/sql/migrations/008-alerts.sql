-- Alerts raised by the pipelines (rejected orders, auctions that gave up or failed): part of the
-- outbox, beside the emails. Kept whether or not a webhook is configured or answered.
CREATE TABLE alerts (
  id          text        PRIMARY KEY,
  kind        text        NOT NULL,
  text        text        NOT NULL,
  details     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL,
  -- delivered | failed | not-configured
  delivery    text        NOT NULL,
  attempts    integer     NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX alerts_newest ON alerts (created_at DESC, id DESC);
