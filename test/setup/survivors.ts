import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RUN_MARKER, type ChildRecord } from './run-marker.ts';

/** A process started by the tests that is still alive, and the net that caught it. */
export interface Survivor {
  pid: number;
  command: string;
  why: string;
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
  /** undefined where the environment cannot be read (no /proc, or another user's process) */
  environ?: string;
}

/**
 * Three nets, one after the other: the pids that spawnChild recorded; any process whose environment carries
 * this run's marker (children of children, and spawns that bypassed the helper); and, by command line, any
 * fixture stage of this checkout (`<root>/test/fixtures/run-stage.ts`), whoever started it.
 */
export function findSurvivors(dir: string, options: { root: string; ignore: Iterable<number> }): Survivor[] {
  const processes = listProcesses();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const ignore = new Set([process.pid, ...options.ignore]);
  // the vitest main process's own children are its pool workers (and esbuild), not something a test started
  for (const p of processes) if (p.ppid === process.pid) ignore.add(p.pid);
  const marker = `${RUN_MARKER}=${dir}\0`;
  const survivors = new Map<number, Survivor>();

  for (const file of fs.readdirSync(path.join(dir, 'children'))) {
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'children', file), 'utf8')) as ChildRecord;
    const info = byPid.get(record.pid);
    // a pid that the system has since given to another process does not carry the marker
    if (!info || ignore.has(record.pid) || (info.environ !== undefined && !info.environ.includes(marker))) continue;
    survivors.set(record.pid, { pid: record.pid, command: info.command, why: `spawned by ${record.file ?? 'a test'}` });
  }
  for (const p of processes) {
    if (ignore.has(p.pid) || survivors.has(p.pid)) continue;
    if (p.environ?.includes(marker)) survivors.set(p.pid, { pid: p.pid, command: p.command, why: 'carries this run\'s marker (a child of a child, or spawned without test/setup/children.ts)' });
    else if (p.command.includes(path.join(options.root, 'test/fixtures/run-stage.ts')) && !ofAnotherLiveRun(p, dir)) {
      survivors.set(p.pid, { pid: p.pid, command: p.command, why: 'a fixture stage of this checkout (possibly left by an earlier run)' });
    }
  }
  return [...survivors.values()];
}

/** Started by another vitest run in this checkout that is still going (its run folder still exists)? */
function ofAnotherLiveRun(p: ProcessInfo, dir: string): boolean {
  const other = new RegExp(`(?:^|\\0)${RUN_MARKER}=([^\\0]*)`).exec(p.environ ?? '')?.[1];
  return other !== undefined && other !== dir && fs.existsSync(other);
}

function listProcesses(): ProcessInfo[] {
  if (!fs.existsSync('/proc/self/stat')) return listWithPs();
  const out: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      let environ: string | undefined;
      try {
        environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      } catch {
        environ = undefined;
      }
      out.push({ pid: Number(entry), ppid: Number(ppid), command, environ });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function listWithPs(): ProcessInfo[] {
  const text = execFileSync('ps', ['-axo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return text
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3].startsWith('Z'))
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[4] }));
}

/** SIGKILL: a survivor has already outlived the suite, and a stage whose broker is gone may not heed SIGTERM. */
export function killSurvivors(survivors: Survivor[]): void {
  for (const s of survivors) {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
