import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Admin } from 'kafkajs';
import { pathToFileURL } from 'node:url';

/**
 * One figure of a benchmark. `baseline` is a figure measured in the same run (never a stored number: these
 * machines are noisy), and `ratio` = value / baseline.value, so > 1 means "more than the baseline" — better
 * for a rate (records/s), worse for a cost (µs/op, bytes).
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
}

/** The convention every bench/*.ts follows: `export async function run(): Promise<BenchResult[]>`. */
export type BenchModule = { run?: () => Promise<BenchResult[]>; main?: () => Promise<BenchResult[]>; default?: () => Promise<BenchResult[]> };

/** A result with its ratio against `baseline` filled in. */
export function compared(name: string, value: number, unit: string, baseline?: BenchResult | { name: string; value: number }): BenchResult {
  if (!baseline) return { name, value, unit };
  const base = { name: baseline.name, value: baseline.value };
  return { name, value, unit, baseline: base, ratio: base.value > 0 ? value / base.value : undefined };
}

/** Positive integer from the environment, or `fallback`; a bad value stops the bench naming the variable. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive integer`);
  return value;
}

/** Runs `fn` in batches for at least `ms`; returns operations per second. */
function spin(fn: () => void, ms: number, batch: number): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (ops / elapsed) * 1000;
}

/**
 * Operations per second of each case, measured in interleaved rounds (A B C, A B C, …) and reported as the best
 * round: on a shared, noisy machine the fastest round is the one least disturbed by other processes, and
 * interleaving exposes every case to the same disturbances.
 */
export function compareOps<K extends string>(cases: Record<K, () => void>, options: { totalMs?: number; rounds?: number; batch?: number } = {}): Record<K, number> {
  const keys = Object.keys(cases) as K[];
  const rounds = options.rounds ?? 5;
  const batch = options.batch ?? 50;
  const perRound = Math.max(20, (options.totalMs ?? 1000) / rounds);
  for (const key of keys) spin(cases[key], Math.min(100, perRound), batch); // warm-up: let the JIT settle
  const best = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) best[key] = Math.max(best[key], spin(cases[key], perRound, batch));
  }
  return best;
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const precise = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

export function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? number.format(Math.round(value)) : precise.format(value);
}

/** Renders results as an aligned plain-text table (one row per figure). */
export function formatTable(rows: Array<BenchResult & { bench?: string }>): string {
  const header = ['bench', 'figure', 'value', 'unit', 'baseline (same run)', 'baseline value', 'ratio'];
  const cells = rows.map((r) => [
    r.bench ?? '',
    r.name,
    formatValue(r.value),
    r.unit,
    r.baseline?.name ?? '',
    r.baseline ? formatValue(r.baseline.value) : '',
    r.ratio === undefined ? '' : `${precise.format(r.ratio)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const numeric = new Set([2, 5, 6]);
  const line = (c: string[]) => c.map((v, i) => (numeric.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function printTable(rows: Array<BenchResult & { bench?: string }>, title?: string): void {
  if (title) console.log(`\n${title}`);
  console.log(formatTable(rows));
}

const started = performance.now();
/** Progress line on stderr (seconds since start), so stdout keeps only tables. */
export function note(message: string): void {
  process.stderr.write(`[bench +${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/**
 * The machine now: the 1-minute load average, and how long a fixed single-threaded loop takes. The loop measures
 * the host, not this process: on these shared 2-core machines it took 450-1,000 ms for 3e8 steps from one minute to
 * the next on an idle machine, so figures of two runs compare only with the host's speed beside them.
 */
export function machineNow(): string {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < 3e7; i++) sum += i % 7;
  if (sum < 0) throw new Error('unreachable');
  return `load ${os.loadavg()[0].toFixed(1)}, host loop ${(performance.now() - start).toFixed(0)} ms`;
}

/** Runs `run` and prints its table when the file is started directly (`npx tsx bench/serde.ts`). */
export function runIfMain(moduleUrl: string, title: string, run: () => Promise<BenchResult[]>): void {
  if (!process.argv[1] || pathToFileURL(process.argv[1]).href !== moduleUrl) return;
  run()
    .then((results) => printTable(results, title))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}

/** Deletes the topics and consumer groups a bench created under its random `prefix` (failures are noted, not thrown). */
export async function deleteBenchTopics(admin: Admin, prefix: string): Promise<void> {
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch((error) => note(`could not delete ${mine.join(', ')}: ${error}`));
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
  if (groups.length) await admin.deleteGroups(groups).catch((error) => note(`could not delete groups ${groups.join(', ')}: ${error}`));
}

/** Starts V8's sampling CPU profiler in this thread; the returned function stops it and writes a .cpuprofile to `file`. */
export async function startCpuProfile(intervalMicros = 500): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return async (file) => {
    writeFileSync(file, JSON.stringify((await session.post('Profiler.stop')).profile));
    session.disconnect();
  };
}

/** CPU seconds a process has used (utime + stime of /proc/<pid>/stat); 0 when it is gone or not Linux. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ, 100 on Linux)
  } catch {
    return 0;
  }
}

/** The local broker's JVM, by the port it listens on (its CPU is part of what the benched work costs the machine). */
export function localBrokerPid(): number | undefined {
  try {
    const port = new URL(`tcp://${(process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')[0]}`).port;
    const line = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    return Number(/pid=(\d+)/.exec(line)?.[1]) || undefined;
  } catch {
    return undefined;
  }
}
