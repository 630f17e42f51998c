import type fc from 'fast-check';

/**
 * One place for how hard the fuzzers try. The default run (`npm test`, CI) is fixed: 1,000 runs
 * per property from one seed, so a failure is reproducible by anyone. `FUZZ_RUNS` raises the run
 * count for a longer search (`FUZZ_RUNS=100000 npx vitest run test/fuzz`) and `FUZZ_SEED` picks
 * another seed; a failure report prints the seed and the shrunk case to replay it.
 */

const DEFAULT_RUNS = 1_000;
const DEFAULT_SEED = 20_240_808;

function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Runs per property: `FUZZ_RUNS`, never fewer than the 1,000 the issue asks of CI. */
export const fuzzRuns = Math.max(DEFAULT_RUNS, integerFromEnv('FUZZ_RUNS', DEFAULT_RUNS));

/** The seed of every property: `FUZZ_SEED`, else a constant. */
export const fuzzSeed = integerFromEnv('FUZZ_SEED', DEFAULT_SEED);

/**
 * vitest's time limit for one fuzz test: the default minute at 1,000 runs, growing with
 * `FUZZ_RUNS` so that a long run is not cut short.
 */
export const fuzzTimeout = Math.max(60_000, fuzzRuns * 60);

/**
 * The fast-check parameters of a property, from the settings above.
 *
 * @example
 * fc.assert(fc.property(fc.string(), (text) => ...), fuzzParams());
 */
export function fuzzParams<T = void>(): fc.Parameters<T> {
  return { numRuns: fuzzRuns, seed: fuzzSeed };
}
