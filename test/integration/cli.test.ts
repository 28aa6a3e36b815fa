import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { documents } from '../fixtures/documents.ts';
import { execChild, spawnChild, stopChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const flywheel = path.join(projectRoot, 'bin/flywheel.mjs');
const run = execChild;

describe('the flywheel command', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('refuses a bad configuration before connecting, naming the variable', async () => {
    const failure = await run('node', [flywheel, 'run', 'cpt-docs'], { env: { ...env.env, STAGE_CONCURRENCY: 'lots' } }).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/STAGE_CONCURRENCY="lots"/);
    const unknown = await run('node', [flywheel, 'run', 'no-such-stage'], { env: env.env }).catch((e) => e);
    expect(unknown.stderr).toMatch(/unknown service "no-such-stage"; known: .*cpt-docs/);
  });

  it('reads a topic that was never created as empty, not as a broker error', async () => {
    const { stdout } = await run('node', [flywheel, 'decontam', 'list'], { env: env.env });
    expect(stdout).toContain('no evaluation sets registered');
  });

  it('creates the catalogue topics and lists them', async () => {
    const { stdout } = await run('node', [flywheel, 'topics', '--json'], { env: env.env });
    const rows = JSON.parse(stdout) as Array<{ topic: string; partitions: number; status: string }>;
    expect(rows.map((r) => r.topic).sort()).toEqual(topicCatalogue().all().map((t) => env.topic(t.name)).sort());
    expect(rows.every((r) => r.status === 'created' && r.partitions > 0)).toBe(true);
  });

  it('runs a service and drains on SIGTERM', async () => {
    await env.produce('fw.docs', documents(50, { prefix: 'cli', size: 300 }));
    const child = spawnChild('node', [flywheel, 'run', 'cpt-docs'], { env: { ...env.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout!.on('data', (d) => (logs += d));
    await env.drain([{ groupId: `${env.prefix}fw.cpt-docs`, inputs: ['fw.docs'] }]).catch(async (error) => {
      await stopChild(child, 'SIGKILL');
      throw error;
    });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    await sleep(10);
    expect(code).toBe(0);
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'stage stopped')).toMatchObject({ stage: 'cpt-docs', records: 50 });
    expect((await env.read('fw.cpt.samples')).length).toBe(50);
  });

  it('prints decoded records of a topic as JSON lines with their positions, filtered and limited', async () => {
    const { stdout } = await run('node', [flywheel, 'records', 'fw.cpt.samples', '--limit', '3', '--fields', 'id,origin'], { env: env.env });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Object.keys(line)).toEqual(['position', 'id', 'origin']);
    expect(lines[0].position).toMatch(/^fw\.cpt\.samples\/\d+@\d+$/);
    const one = lines[1].id as string;
    const matched = await run('node', [flywheel, 'records', 'fw.cpt.samples', '--limit', '0', '--match', one], { env: env.env });
    expect(matched.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([one]);
    const unknown = await run('node', [flywheel, 'records', 'fw.nope'], { env: env.env }).catch((e) => e);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown topic "fw.nope"/);
  });
});
