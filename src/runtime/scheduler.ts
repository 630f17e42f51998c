import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Clock } from '../ports/clock.js';
import type { ScheduleSpec } from '../topology.js';
import {
  InvalidScheduleExpressionError,
  parseScheduleExpression,
  type ScheduleExpression,
} from './schedule-expression.js';

/** Starts a state machine execution; returns its id. */
export type StartExecution = (
  stateMachine: string,
  input: unknown,
  options: { trigger: 'scheduled'; schedule: string },
) => Promise<string>;

export interface SchedulerOptions {
  db: SqlClient;
  clock: Clock;
  /** The topology's schedules, each expression already overridden by configuration if it is. */
  schedules: Readonly<Record<string, ScheduleSpec>>;
  start: StartExecution;
  log?: { error(message: string, fields?: Record<string, unknown>): void };
}

/** A schedule with its durable state. */
export interface ScheduleState {
  name: string;
  description: string;
  expression: string;
  stateMachine: string;
  /** Null when the schedule has not been ticked yet, or fires no more. */
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastExecutionId: string | null;
  lastError: string | null;
}

/** What one tick started. */
export interface ScheduledRun {
  schedule: string;
  /** The slot that was due (the earliest missed one, after downtime). */
  dueAt: Date;
  executionId?: string;
  error?: string;
}

interface ScheduleRow {
  name: string;
  expression: string;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_execution_id: string | null;
  last_error: string | null;
}

/**
 * The embedded fabric's EventBridge Scheduler: starts a state machine execution when a schedule
 * of the topology is due, on the fabric's clock. Each schedule's next run is kept in SQL.
 *
 * Missed runs: a tick starts ONE execution for a due schedule, however many slots passed, and
 * sets its next run to the first fire time after now (not after the missed slot). A server that
 * was down for ten hours of an hourly schedule runs it once on its first tick, then hourly again:
 * no burst of catch-up runs. (AWS's flexible time windows and retry policies have no equivalent.)
 *
 * A schedule seen for the first time, or whose expression changed in configuration, gets its
 * next run computed from now, without running. A slot is claimed in SQL before its execution
 * starts, so two workers on one database start it once; a crash between the two loses that run
 * rather than doubling it.
 */
export class Scheduler {
  private readonly expressions = new Map<string, ScheduleExpression>();
  private readonly log: NonNullable<SchedulerOptions['log']>;
  private ticking: Promise<ScheduledRun[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  /** Throws {@link InvalidScheduleExpressionError} (naming the schedule) for a bad expression. */
  constructor(private readonly options: SchedulerOptions) {
    this.log = options.log ?? { error: (message, fields) => console.error(message, fields ?? '') };
    for (const [name, spec] of Object.entries(options.schedules)) {
      try {
        this.expressions.set(name, parseScheduleExpression(spec.expression));
      } catch (error) {
        if (error instanceof InvalidScheduleExpressionError) {
          throw new InvalidScheduleExpressionError(error.expression, `${error.problem} (schedule "${name}")`);
        }
        throw error;
      }
    }
  }

  /** Starts the schedules that are due. Concurrent calls share one tick. */
  tick(): Promise<ScheduledRun[]> {
    this.ticking ??= this.runDue().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Ticks in the background every `intervalMs` (default 1 s) until {@link stop}; never keeps the process alive. */
  start(options: { intervalMs?: number } = {}): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      try {
        await this.tick();
      } catch (error) {
        this.log.error('scheduler tick failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if (this.running) this.timer = setTimeout(loop, options.intervalMs ?? 1000).unref();
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking?.catch(() => {});
  }

  async list(): Promise<ScheduleState[]> {
    const rows = await this.rows();
    return Object.entries(this.options.schedules).map(([name, spec]) => {
      const row = rows.get(name);
      const current = row?.expression === spec.expression ? row : undefined;
      return {
        name,
        description: spec.description,
        expression: spec.expression,
        stateMachine: spec.target.stateMachine,
        nextRunAt: current?.next_run_at ?? null,
        lastRunAt: row?.last_run_at ?? null,
        lastExecutionId: row?.last_execution_id ?? null,
        lastError: row?.last_error ?? null,
      };
    });
  }

  private async rows(): Promise<Map<string, ScheduleRow>> {
    const { rows } = await this.options.db.query<ScheduleRow>(
      `SELECT name, expression, next_run_at, last_run_at, last_execution_id, last_error
       FROM schedules WHERE name = ANY($1::text[])`,
      [[...this.expressions.keys()]],
    );
    return new Map(rows.map((row) => [row.name, row]));
  }

  private async runDue(): Promise<ScheduledRun[]> {
    const { db, clock, schedules } = this.options;
    const now = clock.now();
    const rows = await this.rows();
    const runs: ScheduledRun[] = [];
    for (const [name, expression] of this.expressions) {
      const spec = schedules[name]!;
      const row = rows.get(name);
      const next = expression.next(now) ?? null;
      if (!row || row.expression !== spec.expression) {
        await db.query(
          `INSERT INTO schedules (name, expression, next_run_at, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET expression = excluded.expression, next_run_at = excluded.next_run_at,
             updated_at = excluded.updated_at`,
          [name, spec.expression, next, now],
        );
        continue;
      }
      if (!row.next_run_at || row.next_run_at > now) continue;
      const { rowCount } = await db.query(
        `UPDATE schedules SET next_run_at = $2, last_run_at = $3, updated_at = $3
         WHERE name = $1 AND next_run_at = $4 AND expression = $5`,
        [name, next, now, row.next_run_at, spec.expression],
      );
      if (rowCount === 0) continue;
      runs.push(await this.startRun(name, spec, row.next_run_at));
    }
    return runs;
  }

  private async startRun(name: string, spec: ScheduleSpec, dueAt: Date): Promise<ScheduledRun> {
    const { db, clock, start } = this.options;
    try {
      const executionId = await start(spec.target.stateMachine, spec.target.input ?? {}, {
        trigger: 'scheduled',
        schedule: name,
      });
      await db.query(
        'UPDATE schedules SET last_execution_id = $2, last_error = NULL, updated_at = $3 WHERE name = $1',
        [name, executionId, clock.now()],
      );
      return { schedule: name, dueAt, executionId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error('a scheduled execution could not start', { schedule: name, error: message });
      await db.query('UPDATE schedules SET last_error = $2, updated_at = $3 WHERE name = $1', [
        name,
        message,
        clock.now(),
      ]);
      return { schedule: name, dueAt, error: message };
    }
  }
}
