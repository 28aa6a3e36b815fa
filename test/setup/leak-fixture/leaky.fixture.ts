import { spawn } from 'node:child_process';
import { it } from 'vitest';
import { spawnChild, stopChild } from '../children.ts';

/** Run by test/setup/leaks.test.ts only (not a *.test.ts file): starts three children and stops only one. */
const sleeper = (name: string) => ['-e', 'setInterval(() => {}, 1000)', name];

it('leaves two children running', async () => {
  const tidy = spawnChild(process.execPath, sleeper('fw-leak-fixture-stopped'), { stdio: 'ignore' });
  await stopChild(tidy);
  spawnChild(process.execPath, sleeper('fw-leak-fixture-recorded'), { stdio: 'ignore' }).unref();
  // bypasses the helper: only the marker it inherits from the worker's environment gives it away
  spawn(process.execPath, sleeper('fw-leak-fixture-unrecorded'), { stdio: 'ignore', detached: true }).unref();
});
