-- Embedded fabric workflows (a local Step Functions) and schedules (a local EventBridge Scheduler).

-- One row per execution, written RUNNING before it starts and finished when it ends.
CREATE TABLE workflow_executions (
  id            text        PRIMARY KEY,
  state_machine text        NOT NULL,
  -- Unique per state machine, as Step Functions execution names are.
  name          text        NOT NULL,
  status        text        NOT NULL
    CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT')),
  -- Who started it: a person or program ('manual') or a schedule ('scheduled', with its name).
  trigger       text        NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'scheduled')),
  schedule      text,
  input         jsonb       NOT NULL,
  output        jsonb,
  error         text,
  cause         text,
  started_at    timestamptz NOT NULL,
  stopped_at    timestamptz,
  UNIQUE (state_machine, name)
);
CREATE INDEX workflow_executions_recent ON workflow_executions (started_at DESC, id);
CREATE INDEX workflow_executions_machine ON workflow_executions (state_machine, started_at DESC);
CREATE INDEX workflow_executions_running ON workflow_executions (status) WHERE status = 'RUNNING';

-- The execution's events as the interpreter reports them, in order (`seq` is dense from 1).
CREATE TABLE workflow_history (
  execution_id  text        NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
  seq           integer     NOT NULL,
  at            timestamptz NOT NULL,
  -- ExecutionStarted, StateEntered, StateExited, StateFailed, StateRetried, StateCaught,
  -- MapIterationStarted, MapIterationSucceeded, MapIterationFailed, ParallelBranch…, ExecutionSucceeded,
  -- ExecutionFailed, ExecutionAborted, ExecutionTimeout.
  type          text        NOT NULL,
  state_name    text,
  state_type    text,
  -- The Map iteration the event belongs to (the item's index), if any.
  map_index     integer,
  input         jsonb,
  output        jsonb,
  error         text,
  cause         text,
  retry_attempt integer,
  PRIMARY KEY (execution_id, seq)
);

-- Durable state of each schedule of the topology: when it fires next and what it last started.
CREATE TABLE schedules (
  name              text        PRIMARY KEY,
  -- The expression next_run_at was computed from: a changed expression recomputes it.
  expression        text        NOT NULL,
  -- NULL when the expression fires no more (a one-time `at(…)` that has run, a past year).
  next_run_at       timestamptz,
  last_run_at       timestamptz,
  last_execution_id text,
  last_error        text,
  updated_at        timestamptz NOT NULL
);
