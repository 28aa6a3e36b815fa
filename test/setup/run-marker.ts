import fs from 'node:fs';
import path from 'node:path';

/** The environment variable that carries the run's folder to every process the tests start (and theirs). */
export const RUN_MARKER = 'FLYWHEEL_TEST_RUN';

/** The run's folder (made by the global setup in test/setup/leaks.ts), or undefined outside a vitest run. */
export function runDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[RUN_MARKER];
  return dir && fs.existsSync(path.join(dir, 'children')) ? dir : undefined;
}

/** What test/setup/children.ts records, one file per child under `<run>/children/`. */
export interface ChildRecord {
  pid: number;
  command: string;
  /** the test file that started it */
  file?: string;
}
