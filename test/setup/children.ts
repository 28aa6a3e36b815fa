import { execFile, spawn, type ChildProcess, type ExecFileOptions, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runDir, RUN_MARKER, type ChildRecord } from './run-marker.ts';

/**
 * Every child process a test starts goes through `spawnChild` or `execChild` (the promisified `execFile`): the
 * child carries the run's marker in its environment (and so do its own children), and its pid is recorded
 * under the run's folder. The global teardown in test/setup/leaks.ts fails the run if any of them outlives it.
 */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return recorded(spawn(command, args, { ...options, env: marked(options.env) }), command, args);
}

/** As `promisify(execFile)`: resolves with stdout and stderr; rejects with code, stdout and stderr on the error. */
export function execChild(command: string, args: readonly string[], options: ExecFileOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { ...options, env: marked(options.env), encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stdout, stderr })) : resolve({ stdout, stderr }),
    );
    recorded(child, command, args);
  });
}

function marked(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = runDir();
  return dir ? { ...env, [RUN_MARKER]: dir } : env;
}

function recorded(child: ChildProcess, command: string, args: readonly string[]): ChildProcess {
  const dir = runDir();
  if (dir && child.pid) {
    const record: ChildRecord = { pid: child.pid, command: [command, ...args].join(' '), file: currentTestFile() };
    fs.writeFileSync(path.join(dir, 'children', `${child.pid}.json`), JSON.stringify(record));
  }
  return child;
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
