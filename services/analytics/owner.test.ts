import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimFolder, currentOwner, FolderBusyError, ownerFile } from './owner.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-owner-'));
const dataDir = path.join(dir, 'clickhouse');
afterEach(() => fs.rmSync(ownerFile(dataDir), { force: true }));

describe('one owner per embedded ClickHouse folder', () => {
  it('claims, reports and releases the folder', () => {
    const release = claimFolder(dataDir, { database: 'db', holder: 'test', url: 'http://127.0.0.1:1' });
    expect(currentOwner(dataDir)).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:1', holder: 'test' });
    release();
    expect(currentOwner(dataDir)).toBeUndefined();
  });

  it('refuses a second live process, naming it', () => {
    fs.writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.ppid, database: 'db', holder: 'the analytics service', since: '' }));
    expect(() => claimFolder(dataDir, { database: 'db', holder: 'me' })).toThrow(FolderBusyError);
    expect(() => claimFolder(dataDir, { database: 'db', holder: 'me' })).toThrow(/held by the analytics service \(pid \d+\)/);
  });

  it('takes over from an owner that died without cleaning up', () => {
    fs.writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: 2 ** 22 + 12345, database: 'db', holder: 'gone', since: '' }));
    expect(currentOwner(dataDir)).toBeUndefined();
    claimFolder(dataDir, { database: 'db', holder: 'me' })();
  });
});
