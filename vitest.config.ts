import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // the three-broker fault scenarios run apart: npm run test:cluster (vitest.cluster.config.ts)
    exclude: ['**/node_modules/**', 'test/cluster/**'],
    // One real broker serves every test file; each file works under its own random topic prefix.
    globalSetup: ['test/setup/stack.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // two cores: the broker, ClickHouse and the stages under test need the other one
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
