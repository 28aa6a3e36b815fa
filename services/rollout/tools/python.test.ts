import { describe, expect, it } from 'vitest';
import { codeFrom, pythonTool, runSandboxed } from './python.ts';

const limits = { timeoutMs: 3000, memoryMb: 128 };

describe('python sandbox', () => {
  it('runs code and returns printed output', async () => {
    const out = await pythonTool(limits).run({ code: 'import math\nprint(math.factorial(10))' }, {});
    expect(out).toBe('stdout:\n3628800\n');
  });

  it('reads and writes inside its scratch folder', async () => {
    const run = await runSandboxed('open("notes.txt", "w").write("kept")\nprint(open("notes.txt").read())', limits);
    expect(run.stdout.trim()).toBe('kept');
  });

  it('accepts the reference calling convention: code in a <code> block', () => {
    expect(codeFrom({ code: '<code>\nprint(1)\n</code>' }).trim()).toBe('print(1)');
    expect(() => codeFrom({})).toThrow(/code/);
  });

  const escapes: Array<[string, string, RegExp]> = [
    ['reading /etc/passwd', 'print(open("/etc/passwd").read())', /PermissionError/],
    ['reading through a relative path', 'print(open("../../../../etc/hostname").read())', /PermissionError/],
    ['writing outside the scratch folder', 'open("/tmp/fw-sandbox-escape.txt", "w").write("x")', /PermissionError/],
    ['listing the root folder', 'import os\nprint(os.listdir("/"))', /PermissionError/],
    ['opening a socket', 'import socket\ns = socket.create_connection(("127.0.0.1", 19092), timeout=1)\nprint("connected")', /PermissionError/],
    ['loading native code', 'import ctypes\nprint(ctypes.CDLL(None))', /PermissionError/],
    ['a fork bomb', 'import os\nwhile True:\n    os.fork()', /PermissionError/],
    ['spawning a shell', 'import os\nos.system("echo escaped")', /PermissionError/],
    ['raising its own limits', 'import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))\nprint("raised")', /PermissionError/],
  ];
  for (const [name, code, error] of escapes) {
    it.each(['auto', 'audit'] as const)(`refuses ${name} (isolation %s)`, async (isolation) => {
      const run = await runSandboxed(code, { ...limits, isolation });
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toMatch(error);
      expect(run.stdout).not.toMatch(/root:|connected|escaped|raised/);
    });
  }

  it('stops a huge allocation with a MemoryError', async () => {
    const run = await runSandboxed('x = bytearray(4 * 1024 ** 3)\nprint(len(x))', limits);
    expect(run.stderr).toMatch(/MemoryError/);
    expect(run.stdout).toBe('');
  });

  it('kills an infinite loop at the time limit', async () => {
    const run = await runSandboxed('while True:\n    pass', { ...limits, timeoutMs: 1500 });
    expect(run.timedOut).toBe(true);
    expect(await pythonTool({ ...limits, timeoutMs: 1500 }).run({ code: 'while True: pass' }, {})).toMatch(/Timeout/);
  });
});
