import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Minutes-long, hundreds of MB: `npm run test:heavy` (vitest.heavy.config.ts); repeated
    // SIGKILLs: `npm run test:chaos` (vitest.chaos.config.ts).
    exclude: [...configDefaults.exclude, 'test/heavy/**', 'test/chaos/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on a 2-core CI machine. Most files
    // wait on child processes, servers and a browser, so two at once use the machine better.
    maxWorkers: 2,
  },
});
