import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { execChild } from './children.ts';
import { runDir } from './run-marker.ts';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** The leak check itself: a vitest run whose test leaves children behind must fail, naming and killing them. */
describe('the leak check (test/setup/leaks.ts)', () => {
  it('watches this run too: the global setup gave it a folder, which workers and children inherit', () => {
    expect(runDir()).toBeDefined();
  });

  it('fails a run that leaves children running, names them, and kills them (each of the three nets)', async () => {
    const vitest = path.join(projectRoot, 'node_modules/vitest/vitest.mjs');
    const config = path.join(projectRoot, 'test/setup/leak-fixture/vitest.config.ts');
    const run = await execChild(process.execPath, [vitest, 'run', '--config', config, '--reporter=default', '--reporter=./test/setup/summary-reporter.ts'], { cwd: projectRoot, timeout: 90_000 }).then(
      () => expect.fail('the leaky run passed'),
      (failure: { code: number; stdout: string; stderr: string }) => failure,
    );
    const output = run.stdout + run.stderr;
    expect(run.code).not.toBe(0);
    expect(output).toMatch(/1 passed, 0 failed, 0 skipped; run failed \(exit code 1/); // the test passed, the teardown failed the run
    expect(output).toMatch(/3 process\(es\) started by the tests outlived them/);
    expect(output).toMatch(/fw-leak-fixture-recorded\n\s+\(spawned by test\/setup\/leak-fixture\/leaky\.fixture\.ts\)/);
    expect(output).toMatch(/fw-leak-fixture-unrecorded\n\s+\(carries this run's marker/);
    expect(output).toMatch(/fw-leak-fixture-unmarked \S+run-stage\.ts\n\s+\(a fixture stage of this checkout/);
    expect(output).not.toMatch(/fw-leak-fixture-stopped/);

    const pids = [...output.matchAll(/pid (\d+): .*fw-leak-fixture/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    // killed: gone, or a zombie until whoever inherited it reaps it
    await vi.waitFor(() => expect(pids.filter(running)).toEqual([]), { timeout: 10_000 });
  });
});
