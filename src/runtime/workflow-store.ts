import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { PendingHistoryEvent } from './workflow-history.js';
import {
  type Execution,
  ExecutionAlreadyExistsError,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionTrigger,
  type HistoryEvent,
  type ListExecutionsOptions,
} from './workflow-types.js';

const summaryColumns = `id, state_machine AS "stateMachine", name, status, trigger, schedule, error, cause,
  started_at AS "startedAt", stopped_at AS "stoppedAt"`;

const historyColumns = `seq, at, type, state_name AS "stateName", state_type AS "stateType", map_index AS "mapIndex",
  input, output, error, cause, retry_attempt AS "retryAttempt"`;

/** JSON text for a jsonb parameter (`$n::text::jsonb`): both drivers then store it as given. */
function json(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export interface NewExecution {
  id: string;
  stateMachine: string;
  name: string;
  trigger: ExecutionTrigger;
  schedule: string | null;
  input: unknown;
  startedAt: Date;
}

export interface ExecutionOutcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
}

/** Executions and their history in SQL (tables of migration 006-workflows). */
export class WorkflowStore {
  constructor(private readonly db: SqlClient) {}

  /** Records a new RUNNING execution. */
  async insertRunning(execution: NewExecution): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO workflow_executions (id, state_machine, name, status, trigger, schedule, input, started_at)
         VALUES ($1, $2, $3, 'RUNNING', $4, $5, $6::text::jsonb, $7)`,
        [
          execution.id,
          execution.stateMachine,
          execution.name,
          execution.trigger,
          execution.schedule,
          json(execution.input),
          execution.startedAt,
        ],
      );
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'workflow_executions_state_machine_name_key') {
        throw new ExecutionAlreadyExistsError(execution.stateMachine, execution.name);
      }
      throw error;
    }
  }

  async appendHistory(executionId: string, events: readonly PendingHistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    const column = <T>(pick: (event: PendingHistoryEvent) => T) => events.map(pick);
    await this.db.query(
      `INSERT INTO workflow_history (execution_id, seq, at, type, state_name, state_type, map_index, input, output,
         error, cause, retry_attempt)
       SELECT $1, seq, to_timestamp(at_ms / 1000.0), type, state_name, state_type, map_index, input::jsonb,
         output::jsonb, error, cause, retry_attempt
       FROM unnest($2::int[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
         $10::text[], $11::text[], $12::int[])
         AS e (seq, at_ms, type, state_name, state_type, map_index, input, output, error, cause, retry_attempt)`,
      [
        executionId,
        column((e) => e.seq),
        column((e) => e.at.getTime()),
        column((e) => e.type),
        column((e) => e.stateName),
        column((e) => e.stateType),
        column((e) => e.mapIndex),
        column((e) => e.input),
        column((e) => e.output),
        column((e) => e.error),
        column((e) => e.cause),
        column((e) => e.retryAttempt),
      ],
    );
  }

  /** Records how a RUNNING execution ended; false when it was no longer RUNNING. */
  async finish(executionId: string, outcome: ExecutionOutcome, stoppedAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE workflow_executions SET status = $2, output = $3::text::jsonb, error = $4, cause = $5, stopped_at = $6
       WHERE id = $1 AND status = 'RUNNING'`,
      [
        executionId,
        outcome.status,
        outcome.output === undefined ? null : json(outcome.output),
        outcome.error ?? null,
        outcome.cause ?? null,
        stoppedAt,
      ],
    );
    return rowCount > 0;
  }

  /**
   * Fails RUNNING executions (all of them, or those of `ids`, but none of `except`) with `error`
   * and `cause`, and
   * appends an ExecutionFailed event saying so to each history. Returns the ids failed.
   */
  async failRunning(
    error: string,
    cause: string,
    at: Date,
    which: { ids?: readonly string[]; except?: readonly string[] } = {},
  ): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `WITH failed AS (
         UPDATE workflow_executions SET status = 'FAILED', error = $1, cause = $2, stopped_at = $3
         WHERE status = 'RUNNING' AND ($4::text[] IS NULL OR id = ANY($4::text[])) AND NOT (id = ANY($5::text[]))
         RETURNING id)
       INSERT INTO workflow_history (execution_id, seq, at, type, error, cause)
       SELECT failed.id,
         COALESCE((SELECT max(h.seq) FROM workflow_history h WHERE h.execution_id = failed.id), 0) + 1,
         $3, 'ExecutionFailed', $1, $2
       FROM failed
       RETURNING execution_id AS id`,
      [error, cause, at, which.ids ?? null, which.except ?? []],
    );
    return rows.map((row) => row.id).sort();
  }

  async get(executionId: string): Promise<Execution | undefined> {
    const { rows } = await this.db.query<Execution>(
      `SELECT ${summaryColumns}, input, output FROM workflow_executions WHERE id = $1`,
      [executionId],
    );
    return rows[0];
  }

  async list(options: ListExecutionsOptions = {}): Promise<ExecutionSummary[]> {
    const { rows } = await this.db.query<ExecutionSummary>(
      `SELECT ${summaryColumns} FROM workflow_executions
       WHERE ($1::text IS NULL OR state_machine = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY started_at DESC, id DESC LIMIT $3`,
      [options.stateMachine ?? null, options.status ?? null, options.limit ?? 50],
    );
    return rows;
  }

  /** The history in order; `afterSeq` pages through a long one. */
  async history(
    executionId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<HistoryEvent[]> {
    const { rows } = await this.db.query<HistoryEvent>(
      `SELECT ${historyColumns} FROM workflow_history WHERE execution_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [executionId, options.afterSeq ?? 0, options.limit ?? 100_000],
    );
    return rows;
  }
}
