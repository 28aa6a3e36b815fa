import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser } from 'linkedom';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../../services/platform/clickhouse.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { findDeployTools } from '../../scripts/k8s/tools.ts';

/**
 * The container image and the ClickHouse analyst account: the Dockerfile passes hadolint and runs as a
 * non-root user; the analyst profile refuses writes and DDL in a real ClickHouse engine.
 */
const dockerfile = path.join(projectRoot, 'deploy', 'docker', 'Dockerfile');
const tools = findDeployTools();

describe('security: Dockerfile', () => {
  it.skipIf(!tools.hadolint)(`passes hadolint${tools.hadolint ? '' : ' (SKIPPED: hadolint missing; run deploy/k8s/tools/install.sh)'}`, () => {
    const run = spawnSync(tools.hadolint!, ['--format', 'tty', dockerfile], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.skipIf(!tools.hadolint)('hadolint can fail: a root, unpinned, shell-form Dockerfile is rejected', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-docker-'));
    const bad = path.join(dir, 'Dockerfile');
    fs.writeFileSync(bad, 'FROM node:latest\nRUN apt-get update && apt-get install -y curl\nRUN cd /app\nCMD node bin/flywheel.mjs\n');
    try {
      const run = spawnSync(tools.hadolint!, [bad], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toMatch(/DL3007|DL3008|DL3003|DL3025/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is multi-stage, drops root in the final stage, and starts one service by argument', () => {
    const text = fs.readFileSync(dockerfile, 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages[stages.length - 1];
    const user = final.match(/^USER\s+(\S+)/m)?.[1];
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(final).toMatch(/^ENTRYPOINT \["node", "bin\/flywheel\.mjs"\]/m);
    expect(final).toMatch(/^EXPOSE 9464/m);
    const ignore = fs.readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8').split('\n');
    for (const kept of ['.git', '.flywheel', 'node_modules', '.env']) expect(ignore).toContain(kept);
  });
});

describe('security: ClickHouse read-only analyst', () => {
  const usersFile = path.join(projectRoot, 'deploy', 'clickhouse', 'users-readonly.xml');
  const xml = new DOMParser().parseFromString(fs.readFileSync(usersFile, 'utf8'), 'text/xml');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ch-ro-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('users-readonly.xml: SELECT-only grant, read-only profile, no password in the file', () => {
    const analyst = xml.querySelector('users > analyst')!;
    expect(analyst).toBeTruthy();
    const profileName = analyst.querySelector('profile')!.textContent!.trim();
    const profile = xml.querySelector(`profiles > ${profileName}`)!;
    expect(Number(profile.querySelector('readonly')!.textContent)).toBeGreaterThanOrEqual(1);
    expect(profile.querySelector('constraints > readonly > const')).toBeTruthy();
    const grants = [...analyst.querySelectorAll('grants > query')].map((q) => q.textContent!.trim());
    expect(grants.length).toBeGreaterThan(0);
    for (const grant of grants) expect(grant).toMatch(/^GRANT SELECT ON \w+\.\* *$/);
    expect(analyst.querySelector('password')).toBeNull();
    expect(analyst.querySelector('password_sha256_hex')!.getAttribute('from_env')).toBeTruthy();
    expect(analyst.querySelector('access_management')!.textContent!.trim()).toBe('0');
  });

  it("the profile's read-only level refuses writes and DDL in a real ClickHouse (chdb), and still answers SELECT", async () => {
    const level = xml.querySelector('profiles > flywheel_analyst > readonly')!.textContent!.trim();
    const { client } = await createClickHouse({ FLYWHEEL_HOME: dataDir }, { dataDir });
    try {
      await client.command({ query: 'CREATE DATABASE IF NOT EXISTS ro_probe' });
      await client.command({ query: 'CREATE TABLE ro_probe.t (id String) ENGINE = ReplacingMergeTree ORDER BY id' });
      await client.command({ query: "INSERT INTO ro_probe.t VALUES ('a')" });
      const analyst = { readonly: level } as Record<string, string>;
      for (const statement of ["INSERT INTO ro_probe.t VALUES ('b')", 'DROP TABLE ro_probe.t', 'CREATE TABLE ro_probe.u (x UInt8) ENGINE = Memory', 'ALTER TABLE ro_probe.t DELETE WHERE 1', 'TRUNCATE TABLE ro_probe.t']) {
        await expect(client.command({ query: statement, clickhouse_settings: analyst as never }), statement).rejects.toThrow(/readonly/i);
      }
      const rows = await (await client.query({ query: 'SELECT count() AS n FROM ro_probe.t', format: 'JSONEachRow', clickhouse_settings: analyst as never })).json<{ n: string }>();
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  // Known gap (reported): createClickHouse(..., { readonly: true }) applies readonly=1 only when CLICKHOUSE_URL
  // names a server; on the embedded engine the option is ignored, so a "read-only" entry point can write.
  it.fails('createClickHouse({ readonly: true }) on the embedded engine refuses writes (known gap)', async () => {
    const { client } = await createClickHouse({ FLYWHEEL_HOME: dataDir }, { dataDir, readonly: true });
    try {
      await expect(client.command({ query: 'CREATE TABLE IF NOT EXISTS ro_probe.w (x UInt8) ENGINE = Memory' })).rejects.toThrow(/readonly/i);
    } finally {
      await client.close();
    }
  }, 60_000);
});
