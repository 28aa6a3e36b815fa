import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the fault scenarios on a private three-broker cluster (test/cluster), apart from
 * `npm test` so that its lanes do not wait on them; .ci/run calls both. No global broker: the scenarios start
 * their own cluster on ports 39092-39097.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 360_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    reporters: ['default'],
  },
});
