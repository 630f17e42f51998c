import type { Backend } from '../backend.js';

/** Runs a command body against a backend; in-process, the triggered work settles before exit. */
export type Run = (body: (backend: Backend) => Promise<void>) => Promise<void>;
