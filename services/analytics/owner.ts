import fs from 'node:fs';
import path from 'node:path';
import { FlywheelError } from '../platform/errors.ts';

/**
 * The embedded engine (chdb) binds one data folder per process, and two processes must never open the same
 * folder. The analytics service claims the folder with an owner file (pid + query URL) next to it; other
 * commands (`flywheel sql`, `flywheel report`) read the file and query through the service while it runs,
 * or open the folder themselves when nobody owns it.
 */
export interface FolderOwner {
  pid: number;
  /** Base URL of the owner's HTTP server; POST /query runs read-only SQL. Absent when the endpoint is off. */
  url?: string;
  database: string;
  /** Who holds the folder: the analytics service, or a short-lived command (sql, report, ddl). */
  holder: string;
  since: string;
}

export class FolderBusyError extends FlywheelError {
  constructor(message: string) {
    super('CLICKHOUSE_FOLDER_BUSY', message);
  }
}

export function ownerFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.owner.json`;
}

/** The live owner of `dataDir`, if any; a file left by a dead process is removed. */
export function currentOwner(dataDir: string): FolderOwner | undefined {
  const file = ownerFile(dataDir);
  let owner: FolderOwner;
  try {
    owner = JSON.parse(fs.readFileSync(file, 'utf8')) as FolderOwner;
  } catch {
    return undefined;
  }
  if (owner.pid !== process.pid && !isAlive(owner.pid)) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  return owner;
}

/** Claims `dataDir` for this process; fails if another live process owns it. */
export function claimFolder(dataDir: string, owner: Omit<FolderOwner, 'pid' | 'since'>): () => void {
  const existing = currentOwner(dataDir);
  if (existing && existing.pid !== process.pid) {
    throw new FolderBusyError(`the embedded ClickHouse folder ${dataDir} is held by ${existing.holder} (pid ${existing.pid}${existing.url ? `, ${existing.url}` : ''}); wait for it, stop it, or set CLICKHOUSE_URL`);
  }
  const file = ownerFile(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...owner, pid: process.pid, since: new Date().toISOString() }, null, 2));
  return () => {
    if (currentOwner(dataDir)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
