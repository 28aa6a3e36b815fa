import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { projectRoot } from '../../services/platform/paths.ts';
import { spawnChild, stopChild } from '../setup/children.ts';

/**
 * Fault-injection helpers for the reliability suite: stage processes run as real children
 * (`node bin/flywheel.mjs run <stage>`), killed with SIGKILL and restarted; results go into one table.
 */

const cli = path.join(projectRoot, 'bin', 'flywheel.mjs');

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const live = new Set<StageProcess>();

/** Kills every stage process this file started that is still running: for afterAll, whatever the test did. */
export async function stopStages(): Promise<void> {
  await Promise.all([...live].map((s) => s.kill('SIGKILL')));
}

/** One `flywheel run <stage>` child process, with its JSON log lines parsed as they arrive. */
export class StageProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  memberId?: string;
  private readonly lines: LogLine[] = [];
  private readonly waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  private stderr = '';

  constructor(stage: string, env: NodeJS.ProcessEnv) {
    this.child = spawnChild(process.execPath, [cli, 'run', stage], {
      cwd: projectRoot,
      env: { ...env, HTTP_PORT: '0', LOG_LEVEL: env.FW_CHILD_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => this.onLine(text));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    if (line.msg === 'joined consumer group') this.memberId = String(line.memberId);
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (w.match(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first log line (past or future) that matches; rejects on exit or timeout. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      void this.exited.then(({ code, signal }) => reject(new Error(`stage exited (${code ?? signal}) before the log line; stderr: ${this.stderr}`)));
      this.waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  joined(timeoutMs?: number): Promise<LogLine> {
    return this.waitFor((l) => l.msg === 'joined consumer group', timeoutMs);
  }

  /** The log lines so far that match. */
  logged(match: (l: LogLine) => boolean): LogLine[] {
    return this.lines.filter(match);
  }

  errors(): LogLine[] {
    return this.lines.filter((l) => l.level >= 50);
  }

  /** The last warnings and errors, one line each: for a failure message. */
  trouble(limit = 15): string {
    const lines = this.lines.filter((l) => l.level >= 40).slice(-limit);
    return lines.map((l) => `${l.msg} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, name: undefined, level: undefined }).slice(0, 300)}`).join('\n');
  }

  /** Sends `signal`, and SIGKILL if the stage has not exited graceMs later. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 60_000): Promise<void> {
    await stopChild(this.child, signal, graceMs);
    await this.exited;
  }
}

/**
 * Removes members that were SIGKILLed from their consumer group, as the group coordinator would once their
 * session (30 s in the runtime) expires. Without it every kill would stall the run for a session timeout;
 * what happens to their open transactions (fenced and aborted by the next owner of the transactional id)
 * is untouched, and that is what the suite tests.
 */
export async function evictMembers(kafka: Kafka, groupId: string, keep: Set<string> = new Set()): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let dead: string[] = [];
  try {
    const { groups } = await admin.describeGroups([groupId]);
    dead = (groups[0]?.members ?? []).map((m) => m.memberId).filter((id) => !keep.has(id));
  } finally {
    await admin.disconnect();
  }
  if (dead.length === 0) return 0;
  const createCluster = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!createCluster) throw new Error('kafkajs internals changed: cannot reach the cluster to evict dead members');
  const cluster = (kafka as unknown as Record<symbol, (o: object) => any>)[createCluster]({});
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    for (const memberId of dead) await coordinator.leaveGroup({ groupId, memberId }).catch(() => undefined);
  } finally {
    await cluster.disconnect();
  }
  return dead.length;
}

export interface Tally {
  recordsIn: number;
  recordsOut: number;
  lost: number;
  duplicated: number;
}

/** Compares the ids a run must produce with the ids it did produce. */
export function tally(expected: Iterable<string>, produced: Iterable<string>): Tally & { missing: string[] } {
  const want = new Set(expected);
  const counts = new Map<string, number>();
  let recordsOut = 0;
  for (const id of produced) {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    recordsOut++;
  }
  const missing = [...want].filter((id) => !counts.has(id));
  const duplicated = [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return { recordsIn: want.size, recordsOut, lost: missing.length, duplicated, missing: missing.slice(0, 10) };
}

export interface ReportRow extends Tally {
  fault: string;
  injected: number;
}

/** Prints the suite's table: one row per fault scenario. */
export function printReport(title: string, rows: ReportRow[]): void {
  const header = ['fault', 'injected', 'records in', 'records out', 'lost', 'duplicated'];
  const body = rows.map((r) => [r.fault, String(r.injected), String(r.recordsIn), String(r.recordsOut), String(r.lost), String(r.duplicated)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  console.log([`\n${title}`, line(header), rule, ...body.map(line)].join('\n'));
}

export function randomBetween(minMs: number, maxMs: number): number {
  return minMs + Math.floor(Math.random() * (maxMs - minMs));
}

export { sleep };
