import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the crash tests. Each kills `tributary dev` children with SIGKILL many
 * times (about two minutes on two cores), so they stay out of `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 10 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
