import type { ExecutionHistoryEvent } from '../../api/services.js';

/** One time a state ran: entered, maybe failed, retried or caught, and exited (or not yet). */
export interface StateRun {
  /** The Map iteration it ran in; null at the top level. */
  mapIndex: number | null;
  /** 1 the first time the state ran in its iteration, 2 the next (a loop enters it again)… */
  visit: number;
  enteredAt: Date;
  exitedAt: Date | null;
  input: unknown;
  output: unknown;
  /** Each failure, in order: a retried or caught one too. */
  errors: { error: string | null; cause: string | null }[];
  retries: number;
  caught: boolean;
  /** Entered and not yet exited: running now, or where the execution stopped. */
  open: boolean;
}

/** What a state did in one execution. */
export interface StateActivity {
  runs: StateRun[];
  /** For a Map: its iterations, counted from MapIteration* events. */
  iterations?: { started: number; succeeded: number; failed: number };
}

/**
 * Groups an execution's history by state: each time a state ran, with its input, output and
 * errors, paired per Map iteration (`mapIndex`) so that concurrent iterations do not mix.
 */
export function groupStateRuns(history: readonly ExecutionHistoryEvent[]): Map<string, StateActivity> {
  const states = new Map<string, StateActivity>();
  const openRuns = new Map<string, StateRun>();
  const visits = new Map<string, number>();
  const activity = (name: string) => {
    let found = states.get(name);
    if (!found) {
      found = { runs: [] };
      states.set(name, found);
    }
    return found;
  };
  for (const event of history) {
    const name = event.stateName;
    if (!name) continue;
    const key = `${name}#${event.mapIndex ?? ''}`;
    if (event.type.startsWith('MapIteration')) {
      const map = activity(name);
      map.iterations ??= { started: 0, succeeded: 0, failed: 0 };
      const counts = map.iterations;
      if (event.type === 'MapIterationStarted') counts.started += 1;
      if (event.type === 'MapIterationSucceeded') counts.succeeded += 1;
      if (event.type === 'MapIterationFailed') counts.failed += 1;
      continue;
    }
    if (event.type === 'StateEntered') {
      const visit = (visits.get(key) ?? 0) + 1;
      visits.set(key, visit);
      const run: StateRun = {
        mapIndex: event.mapIndex ?? null,
        visit,
        enteredAt: event.timestamp,
        exitedAt: null,
        input: event.input ?? null,
        output: null,
        errors: [],
        retries: 0,
        caught: false,
        open: true,
      };
      activity(name).runs.push(run);
      openRuns.set(key, run);
      continue;
    }
    const run = openRuns.get(key);
    if (!run) continue;
    if (event.type === 'StateFailed')
      run.errors.push({ error: event.error ?? null, cause: event.cause ?? null });
    if (event.type === 'StateRetried') run.retries += 1;
    if (event.type === 'StateCaught') run.caught = true;
    if (event.type === 'StateExited') {
      run.output = event.output ?? null;
      run.exitedAt = event.timestamp;
      run.open = false;
      openRuns.delete(key);
    }
  }
  return states;
}
