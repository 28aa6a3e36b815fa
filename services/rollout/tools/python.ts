import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { truncate } from '../corpus/text.ts';
import { ToolInputError, type Tool } from './types.ts';

export interface PythonSandboxOptions {
  python?: string;
  timeoutMs?: number;
  memoryMb?: number;
  maxOutputChars?: number;
  /** auto: add a network namespace and an unprivileged user when running as root; audit: rely on the in-process layers only. */
  isolation?: 'auto' | 'audit';
}

const RUNNER = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'python_runner.py'), 'utf8');
const NOBODY = 65534;

export interface SandboxRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** Which OS-level layers this machine can add around the interpreter (checked once). */
let osLayers: string[] | undefined;
function availableOsLayers(): string[] {
  if (osLayers) return osLayers;
  osLayers = [];
  if (process.getuid?.() === 0) {
    if (spawnSync('unshare', ['-n', 'true']).status === 0) osLayers.push('netns');
    if (spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'true']).status === 0) osLayers.push('nobody');
  }
  return osLayers;
}

function defaultPython(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * Runs `code` in a fresh, isolated python3 (-I -S -B) whose working directory is a new scratch folder that is
 * deleted afterwards. Limits: address space, CPU seconds, file size, open files, wall clock (the process group
 * is killed). No network, no process creation, no files outside the scratch folder (audit hook; plus a network
 * namespace and the `nobody` user when running as root).
 */
export async function runSandboxed(code: string, options: PythonSandboxOptions = {}): Promise<SandboxRun> {
  const timeoutMs = options.timeoutMs ?? 10000;
  const maxOutput = options.maxOutputChars ?? 20000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-py-'));
  const layers = options.isolation === 'audit' ? [] : availableOsLayers();
  const config = JSON.stringify({
    scratch,
    memory_bytes: (options.memoryMb ?? 256) * 1024 * 1024,
    cpu_seconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    file_bytes: 16 * 1024 * 1024,
  });
  const command: string[] = [];
  if (layers.includes('netns')) command.push('unshare', '-n', '--');
  if (layers.includes('nobody')) {
    fs.chownSync(scratch, NOBODY, NOBODY);
    command.push('setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--');
  }
  command.push(options.python ?? defaultPython(), '-I', '-S', '-B', '-c', RUNNER, config);
  try {
    return await new Promise<SandboxRun>((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), { cwd: scratch, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(0, maxOutput + 1)));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(0, maxOutput + 1)));
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        // RLIMIT_CPU ends a busy loop with SIGXCPU/SIGKILL before the wall clock does
        if (signal === 'SIGXCPU' || (signal === 'SIGKILL' && !timedOut)) timedOut = true;
        resolve({ stdout: truncate(stdout, maxOutput), stderr: truncate(stderr, maxOutput), exitCode, timedOut });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(code);
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export function renderRun(run: SandboxRun, timeoutMs: number): string {
  const parts: string[] = [];
  if (run.stdout.trim()) parts.push(`stdout:\n${run.stdout}`);
  if (run.stderr.trim()) parts.push(`stderr:\n${run.stderr}`);
  if (run.timedOut) parts.push(`[Timeout] execution stopped after ${timeoutMs / 1000} s`);
  return parts.length ? parts.join('\n') : 'Finished execution.';
}

/** Extracts code from `{code}` or from a `<code>…</code>` block (the reference's calling convention). */
export function codeFrom(args: Record<string, unknown>): string {
  const raw = typeof args.code === 'string' ? args.code : '';
  const block = /<code>([\s\S]*?)<\/code>/.exec(raw);
  const code = (block ? block[1] : raw).replace(/^```(?:python|py)?\n|```\s*$/g, '');
  if (!code.trim()) throw new ToolInputError('"code" must hold the Python source to run');
  return code;
}

export function pythonTool(options: PythonSandboxOptions = {}): Tool {
  const timeoutMs = options.timeoutMs ?? 10000;
  return {
    spec: {
      name: 'PythonInterpreter',
      description:
        'Run Python 3 code in a sandbox (standard library only, no network, no files outside a scratch folder, time and memory limits). Only printed output is returned: use print().',
      parameters: { type: 'object', properties: { code: { type: 'string', description: 'The Python source to run.' } }, required: ['code'] },
    },
    async run(args) {
      return renderRun(await runSandboxed(codeFrom(args), options), timeoutMs);
    },
  };
}
