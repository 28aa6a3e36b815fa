import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** A run of its own for test/setup/leaks.test.ts: the leak check around one file that leaves children behind. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/setup/leak-fixture/leaky.fixture.ts'],
    globalSetup: ['test/setup/leaks.ts'],
    pool: 'forks',
  },
});
