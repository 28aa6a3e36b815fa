import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runDir, RUN_MARKER, type ChildRecord } from './run-marker.ts';

/**
 * Every child process a test starts goes through `spawnChild` (or `runChild`, which waits for it): the child
 * carries the run's marker in its environment (and so do its own children), and its pid is recorded under the
 * run's folder. The global teardown in test/setup/leaks.ts fails the run if any of them is still alive.
 */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const dir = runDir();
  const env = { ...(options.env ?? process.env), ...(dir ? { [RUN_MARKER]: dir } : {}) };
  const child = spawn(command, args, { ...options, env });
  if (dir && child.pid) {
    const record: ChildRecord = { pid: child.pid, command: [command, ...args].join(' '), file: currentTestFile() };
    fs.writeFileSync(path.join(dir, 'children', `${child.pid}.json`), JSON.stringify(record));
  }
  return child;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end and collects its output. Rejects (with code, stdout and stderr on the error, as
 * `execFile` does) when it exits non-zero or outlives `timeoutMs` (then it is killed and awaited first).
 */
export function runChild(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<ChildResult> {
  const { timeoutMs, ...spawnOptions } = options;
  const child = spawnChild(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs) : undefined;
  return new Promise((resolve, reject) => {
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if (code === 0) return resolve(result);
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(Object.assign(new Error(`${command} ${args.join(' ')} ${why}\n${stderr.slice(-2000)}`), result));
    });
  });
}

/** Stops a child (signal, then SIGKILL after graceMs) and resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function currentTestFile(): string | undefined {
  const file = expect.getState().testPath;
  return file ? path.relative(process.cwd(), file) : undefined;
}
