import { defineConfig } from 'vitest/config';

/**
 * `npm run test:heavy`: tests too slow or too big for `npm test` (minutes, hundreds of MB of
 * generated data), each file in its own fork with `--expose-gc` so memory assertions can start
 * from a collected heap.
 */
export default defineConfig({
  test: {
    include: ['test/heavy/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
  },
});
