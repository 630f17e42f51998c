import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The trace of the work in progress: every event and message caused, directly or not, by one
 * upload shares its trace id, so `put --wait` can tell when everything it triggered has settled.
 */
const storage = new AsyncLocalStorage<string>();

export function currentTraceId(): string | undefined {
  return storage.getStore();
}

export function runInTrace<T>(traceId: string, fn: () => T): T {
  return storage.run(traceId, fn);
}
