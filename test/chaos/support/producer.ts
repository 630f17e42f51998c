import { setTimeout as sleep } from 'node:timers/promises';
import type { DevServer } from '../../support/cli.js';
import { PIPELINES, type Pipeline, type Step, type Workload } from './workload.js';

/** A request to a live server that takes longer is a hung server: the run fails. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The server the producers talk to, across restarts. A request that fails is sent again to the
 * next server only when the one it went to was killed on purpose; any other failure is a bug.
 */
export class Target {
  private server: DevServer | undefined;
  private generation = 0;
  private killed = 0;
  private waiters: (() => void)[] = [];

  /** A new server is up: requests waiting for one go to it. */
  set(server: DevServer): void {
    this.server = server;
    this.generation++;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Called just before SIGKILL, so that the failures it causes are recognised as expected. */
  markKilled(): void {
    this.killed = this.generation;
    this.server = undefined;
  }

  async current(): Promise<{ server: DevServer; generation: number }> {
    while (!this.server) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return { server: this.server, generation: this.generation };
  }

  wasKilled(generation: number): boolean {
    return this.killed >= generation;
  }
}

/** What happened to one step: how many times it was sent, and its answer once accepted (2xx). */
export interface StepRecord {
  /** `<pipeline>-<index>`; with `#<send>` it is each send's `x-amz-meta-chaos-send` on an upload. */
  id: string;
  step: Step;
  sends: number;
  answer?: unknown;
}

/**
 * Plays the workload's four lanes against a {@link Target}, each lane in order, as a producer
 * that retries until it gets an answer: a step is accepted when the API answered 2xx. Lanes only
 * send steps of released rounds. Knows, for the kill decision, which pipelines have work under way.
 */
export class Producer {
  readonly records: Record<Pipeline, StepRecord[]>;
  private readonly released: Record<Pipeline, number> = { statements: 0, events: 0, orders: 0, loader: 0 };
  private releaseWaiters: (() => void)[] = [];
  private readonly inFlight: Record<Pipeline, number> = { statements: 0, events: 0, orders: 0, loader: 0 };
  private readonly openTraces: Record<Pipeline, Set<string>> = {
    statements: new Set(),
    events: new Set(),
    orders: new Set(),
    loader: new Set(),
  };

  constructor(
    private readonly target: Target,
    workload: Workload,
  ) {
    this.records = Object.fromEntries(
      PIPELINES.map((p) => [p, workload.lanes[p].map((step, i) => ({ id: `${p}-${i}`, step, sends: 0 }))]),
    ) as Record<Pipeline, StepRecord[]>;
  }

  /** Lets the lanes (or one) send every step of rounds below `rounds`. */
  release(rounds: number, pipelines: readonly Pipeline[] = PIPELINES): void {
    for (const p of pipelines) this.released[p] = Math.max(this.released[p], rounds);
    for (const wake of this.releaseWaiters.splice(0)) wake();
  }

  /** Lets one lane send its next round. */
  releaseOneMore(pipeline: Pipeline): void {
    this.release(this.released[pipeline] + 1, [pipeline]);
  }

  /** Runs the four lanes; resolves when every step was accepted. */
  run(): Promise<void> {
    return Promise.all(PIPELINES.map((p) => this.lane(p))).then(() => {});
  }

  private async lane(pipeline: Pipeline): Promise<void> {
    for (const record of this.records[pipeline]) {
      while (this.released[pipeline] <= record.step.round) {
        await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
      }
      const { step } = record;
      if (step.after !== undefined) await this.settled(this.records[pipeline][step.after]);
      record.answer = await this.request(
        step.path,
        { method: step.method, headers: step.headers ?? {}, body: step.body },
        { pipeline, record },
      );
      const { traceId, executionId } = record.answer as { traceId?: string; executionId?: string };
      if (step.trace && traceId) this.openTraces[pipeline].add(traceId);
      if (step.auction && executionId) await this.follow(executionId);
    }
  }

  /** Waits until the work of an accepted upload has settled. */
  private async settled(record: StepRecord | undefined): Promise<void> {
    const { traceId } = (record?.answer ?? {}) as { traceId?: string };
    if (!traceId) throw new Error(`step ${record?.id} has no trace to wait for`);
    while (!((await this.request(`/traces/${traceId}`)) as { settled: boolean }).settled) await sleep(50);
  }

  /** Waits until an execution is no longer RUNNING (a kill leaves it FAILED, as interrupted). */
  async follow(executionId: string): Promise<{ status: string }> {
    for (;;) {
      const execution = (await this.request(`/auction/executions/${executionId}`)) as { status: string };
      if (execution.status !== 'RUNNING') return execution;
      await sleep(50);
    }
  }

  /**
   * One request, sent again after a kill until answered. A `work` request (a step) counts as
   * work under way for its pipeline while it is unanswered.
   */
  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
    work?: { pipeline: Pipeline; record: StepRecord },
  ): Promise<unknown> {
    for (;;) {
      const { server, generation } = await this.target.current();
      const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${server.token}` };
      if (work) {
        work.record.sends++;
        this.inFlight[work.pipeline]++;
        // Copies of an object keep its metadata: a moved file says which send it came from.
        if (path.startsWith('/buckets/'))
          headers['x-amz-meta-chaos-send'] = `${work.record.id}#${work.record.sends}`;
      }
      try {
        const response = await fetch(`${server.url}${path}`, {
          ...init,
          headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        if (!response.ok) {
          throw new Error(
            `${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 500)}`,
          );
        }
        return text ? JSON.parse(text) : undefined;
      } catch (error) {
        if (!this.target.wasKilled(generation)) throw error;
      } finally {
        if (work) this.inFlight[work.pipeline]--;
      }
    }
  }

  /**
   * Which pipelines have work under way on `server`: an unanswered step, an upload whose
   * processing has not settled, stream records not yet consumed, pending orders or a running
   * auction.
   */
  async busy(server: DevServer): Promise<Record<Pipeline, boolean>> {
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${server.token}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
      return (await response.json()) as T;
    };
    const unsettled = async (pipeline: Pipeline) => {
      const traces = [...this.openTraces[pipeline]];
      const states = await Promise.all(traces.map((id) => get<{ settled: boolean }>(`/traces/${id}`)));
      states.forEach((state, i) => {
        if (state.settled) this.openTraces[pipeline].delete(traces[i] as string);
      });
      return states.some((state) => !state.settled);
    };
    const [statements, loader, streams, pending, executions] = await Promise.all([
      unsettled('statements'),
      unsettled('loader'),
      get<{ streams: { consumers: { lag: number }[] }[] }>('/streams'),
      get<{ orders: unknown[] }>('/orders?status=pending&limit=1'),
      get<{ executions: { status: string }[] }>('/auction/executions?limit=1'),
    ]);
    return {
      statements: this.inFlight.statements > 0 || statements,
      events: this.inFlight.events > 0 || streams.streams.some((s) => s.consumers.some((c) => c.lag > 0)),
      orders:
        this.inFlight.orders > 0 ||
        pending.orders.length > 0 ||
        executions.executions.some((e) => e.status === 'RUNNING'),
      loader: this.inFlight.loader > 0 || loader,
    };
  }

  /** Polls until no pipeline has work under way (the lanes must be done). */
  async settle(server: DevServer, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = await this.busy(server);
      // Pending orders wait for the next auction: only the other signals count here.
      if (!busy.statements && !busy.events && !busy.loader && this.inFlight.orders === 0) return;
      if (Date.now() > deadline) throw new Error(`work did not settle: ${JSON.stringify(busy)}`);
      await sleep(100);
    }
  }
}
