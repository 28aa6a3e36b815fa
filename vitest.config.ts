import { defineConfig } from 'vitest/config';
import { brokerLane, unitLane } from './test/lanes.ts';

const common = {
  testTimeout: 120_000,
  hookTimeout: 180_000,
  pool: 'forks' as const,
};

/**
 * Two lanes (test/lanes.ts says which file goes where). `npm test` runs both; `npm run test:unit` runs only
 * the tests that need no broker, and never starts one.
 */
export default defineConfig({
  test: {
    // runs once for whichever lanes run: fails the run if a process the tests started outlives it
    globalSetup: ['test/setup/leaks.ts'],
    reporters: ['default'],
    // two cores: the broker, ClickHouse and the stages under test need the other one (shared by both lanes)
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        test: {
          ...common,
          name: 'unit',
          include: unitLane.include,
          exclude: ['**/node_modules/**', ...unitLane.exclude],
          // files share a worker (no fresh module graph per file): much less start-up; unit tests leave no global state
          isolate: false,
          // a unit test that reaches for Kafka fails (connection refused) instead of quietly using a running broker
          env: { KAFKA_BROKERS: '127.0.0.1:1' },
        },
      },
      {
        test: {
          ...common,
          name: 'broker',
          include: brokerLane.include,
          exclude: ['**/node_modules/**', ...brokerLane.exclude],
          // one real broker serves every test file; each file works under its own random topic prefix
          globalSetup: ['test/setup/stack.ts'],
        },
      },
    ],
  },
});
