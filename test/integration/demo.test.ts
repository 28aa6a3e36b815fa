import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const run = execChild;

describe('flywheel demo', () => {
  const env = new TestEnv();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-demo-test-'));
  afterAll(async () => {
    await env.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('runs two rounds end to end; round 2 CPT holds round 1 discards; exports match the manifests', { timeout: 480_000 }, async () => {
    const { stdout } = await run('node', ['bin/flywheel.mjs', 'demo', '--limit', '1', '--prefix', env.prefix, '--out', out], {
      cwd: projectRoot,
      env: { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
      timeout: 460_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/round 1 \(model \S+ v1, 1 bundled question\)/);
    expect(stdout).toMatch(/round 2 \(model \S+ v2, 1 bundled question\)/);
    expect(stdout).toMatch(/agent on the bundled questions: EM \d\.\d{3}, F1 \d\.\d{3}/);
    expect(stdout).toMatch(/acceptance \d+\.\d%/);
    expect(stdout).toMatch(/^recycle\s+\d+/m);
    expect(stdout).toContain('discarded_trajectory (from round 1)');

    const cpt2 = fs.readFileSync(path.join(out, 'cpt.round-2.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const recycled = cpt2.filter((c) => c.origin === 'discarded_trajectory');
    expect(recycled.length).toBeGreaterThan(0);
    expect(recycled.every((c) => c.source_round === 1 && c.round === 2)).toBe(true);
    const cpt1 = fs.readFileSync(path.join(out, 'cpt.round-1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(cpt1.some((c) => c.origin === 'discarded_trajectory')).toBe(false);
    for (const file of ['rl.round-1.parquet', 'rl.round-2.parquet', 'sft.round-1.jsonl', 'sft.round-2.jsonl']) expect(fs.existsSync(path.join(out, file))).toBe(true);
  });
});
