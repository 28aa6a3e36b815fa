import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, note, type BenchModule, type BenchResult } from './lib.ts';

/**
 * `npm run bench [-- name …]`: runs every bench/*.ts (or the named ones), each in its own Node process so that
 * one bench's clients, timers or crash cannot disturb the next, and prints one table of all figures.
 * A bench module exports `run(): Promise<BenchResult[]>` (or `main`, or a default export).
 */

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const NOT_BENCHES = new Set(['run.ts', 'lib.ts']);

export function benchNames(): string[] {
  return fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_') && !NOT_BENCHES.has(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function runOne(name: string): Promise<BenchResult[]> {
  const module = (await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href)) as BenchModule;
  const entry = module.run ?? module.main ?? module.default;
  if (typeof entry !== 'function') throw new Error(`bench/${name}.ts exports no run(), main() or default function`);
  const results = await entry();
  if (!Array.isArray(results)) throw new Error(`bench/${name}.ts returned ${typeof results}, expected BenchResult[]`);
  return results;
}

/** Child mode: run one bench, write its results as JSON to `out`. */
async function child(name: string, out: string): Promise<void> {
  const results = await runOne(name);
  fs.writeFileSync(out, JSON.stringify(results));
}

interface Outcome {
  name: string;
  results: BenchResult[];
  seconds: number;
  error?: string;
}

function runInChild(name: string, timeoutMs: number): Promise<Outcome> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-')), `${name}.json`);
  const started = Date.now();
  return new Promise((resolve) => {
    // process.execArgv carries tsx's loader flags, so the child runs TypeScript like this process does.
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', name, out], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => proc.kill('SIGTERM'), timeoutMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const failed = code !== 0 || !fs.existsSync(out);
      const error = signal ? `stopped by ${signal} after ${seconds.toFixed(0)} s (BENCH_TIMEOUT_MS=${timeoutMs})` : failed ? `exited with ${code}` : undefined;
      const results = failed ? [] : (JSON.parse(fs.readFileSync(out, 'utf8')) as BenchResult[]);
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
      resolve({ name, results, seconds, error });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await child(argv[1], argv[2]);
    process.exit(0); // results are on disk; a client or timer a bench left open must not hold the run
  }
  const available = benchNames();
  const unknown = argv.filter((a) => !available.includes(a));
  if (unknown.length) {
    console.error(`unknown bench ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  const selected = argv.length ? argv : available;
  const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
  const outcomes: Outcome[] = [];
  for (const name of selected) {
    note(`── ${name} ──`);
    const outcome = await runInChild(name, timeoutMs);
    note(`${name}: ${outcome.error ?? `${outcome.results.length} figures`} in ${outcome.seconds.toFixed(1)} s`);
    outcomes.push(outcome);
  }
  const rows = outcomes.flatMap((o) => o.results.map((r) => ({ ...r, bench: o.name })));
  console.log(`\nflywheel benchmarks (${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}); ratio = value / baseline measured in the same run`);
  console.log(formatTable(rows));
  const failed = outcomes.filter((o) => o.error);
  for (const o of failed) console.log(`! ${o.name}: ${o.error}`);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({ at: new Date().toISOString(), loadavg: os.loadavg(), outcomes }, null, 2));
  return failed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
