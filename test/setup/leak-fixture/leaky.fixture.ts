import { spawn } from 'node:child_process';
import path from 'node:path';
import { it } from 'vitest';
import { projectRoot } from '../../../services/platform/paths.ts';
import { spawnChild, stopChild } from '../children.ts';

/** Run by test/setup/leaks.test.ts only (not a *.test.ts file): starts four children and stops only one. */
const sleeper = (name: string) => ['-e', 'setInterval(() => {}, 1000)', name];

it('leaves three children running', async () => {
  const tidy = spawnChild(process.execPath, sleeper('fw-leak-fixture-stopped'), { stdio: 'ignore' });
  await stopChild(tidy);
  spawnChild(process.execPath, sleeper('fw-leak-fixture-recorded'), { stdio: 'ignore' }).unref();
  // bypasses the helper: only the marker it inherits from the worker's environment gives it away
  spawn(process.execPath, sleeper('fw-leak-fixture-unrecorded'), { stdio: 'ignore', detached: true }).unref();
  // neither recorded nor marked: only its command line (a fixture stage of this checkout) gives it away
  const stage = path.join(projectRoot, 'test/fixtures/run-stage.ts');
  spawn(process.execPath, [...sleeper('fw-leak-fixture-unmarked'), stage], { stdio: 'ignore', detached: true, env: { PATH: process.env.PATH } }).unref();
});
