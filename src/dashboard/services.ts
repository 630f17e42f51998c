import type { ApiServices } from '../api/services.js';
import type { Topology } from '../topology-types.js';

/** Message counts of one queue. */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** One invocation of a function by its trigger (a queue batch or a stream batch). */
export interface FunctionRun {
  id: string;
  function: string;
  startedAt: Date;
  finishedAt: Date | null;
  records: number;
  failures: number;
  error: string | null;
}

/** A function's invocations since some time. */
export interface FunctionRunStats {
  function: string;
  runs: number;
  records: number;
  failures: number;
  lastRunAt: Date | null;
}

/**
 * What the dashboard reads and does. It is the API's services plus what only an operator looking
 * at the embedded fabric needs: queue depths and the log of function runs. The dashboard never
 * reaches past these, so it sees what the API sees.
 */
export interface DashboardServices {
  api: ApiServices;
  topology: Topology;
  queueDepths(): Promise<Record<string, QueueDepth>>;
  functionRuns: {
    recent(options: { functions?: readonly string[]; limit: number }): Promise<FunctionRun[]>;
    stats(since: Date): Promise<FunctionRunStats[]>;
  };
}
