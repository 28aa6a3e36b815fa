import { defineConfig } from 'vitest/config';
import { clusterLane } from './test/lanes.ts';

/**
 * `npm run test:cluster`: the fault scenarios on a private three-broker cluster (test/cluster), apart from
 * `npm test` so that its lanes do not wait on them; .ci/run calls both. No shared broker: the scenarios start
 * their own cluster on ports 39092-39097.
 */
export default defineConfig({
  test: {
    include: clusterLane.include,
    exclude: ['**/node_modules/**', ...clusterLane.exclude],
    // fails the run if a process the scenarios started outlives it
    globalSetup: ['test/setup/leaks.ts'],
    testTimeout: 900_000,
    hookTimeout: 360_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    reporters: ['default'],
  },
});
