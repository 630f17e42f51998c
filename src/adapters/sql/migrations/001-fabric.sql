-- Embedded fabric state: objects' metadata, queues, the bus log and function runs.

CREATE TABLE objects (
  bucket        text        NOT NULL,
  key           text        NOT NULL,
  size          bigint      NOT NULL,
  etag          text        NOT NULL,
  content_type  text        NOT NULL,
  metadata      jsonb       NOT NULL DEFAULT '{}',
  last_modified timestamptz NOT NULL,
  PRIMARY KEY (bucket, key)
);

CREATE TABLE queue_messages (
  id                bigserial   PRIMARY KEY,
  queue             text        NOT NULL,
  message_id        text        NOT NULL UNIQUE,
  body              text        NOT NULL,
  trace_id          text,
  receive_count     integer     NOT NULL DEFAULT 0,
  visible_at        timestamptz NOT NULL,
  sent_at           timestamptz NOT NULL,
  first_received_at timestamptz,
  -- Set while a consumer holds the message; a new receipt invalidates the old one.
  receipt           text,
  -- For a message in a DLQ: the queue it came from and why it was moved.
  source_queue      text,
  last_error        text
);
CREATE INDEX queue_messages_ready ON queue_messages (queue, visible_at, id);
CREATE INDEX queue_messages_trace ON queue_messages (trace_id);

CREATE TABLE bus_events (
  id           text        PRIMARY KEY,
  trace_id     text,
  source       text        NOT NULL,
  detail_type  text        NOT NULL,
  event        jsonb       NOT NULL,
  rules        text[]      NOT NULL,
  published_at timestamptz NOT NULL
);
CREATE INDEX bus_events_published ON bus_events (published_at);

CREATE TABLE function_runs (
  id          bigserial   PRIMARY KEY,
  function    text        NOT NULL,
  trace_ids   text[]      NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  records     integer     NOT NULL,
  failures    integer     NOT NULL DEFAULT 0,
  error       text
);
CREATE INDEX function_runs_function ON function_runs (function, started_at);
