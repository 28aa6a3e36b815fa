import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import type { TopicName } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const run = execChild;

/** Everything a round writes, except the manifests themselves (their times differ) and the dead letters (none). */
const compared = topicCatalogue()
  .all()
  .map((t) => t.name as TopicName)
  .filter((t) => t !== 'fw.rounds' && t !== 'fw.dlq');

describe('pipelined round', () => {
  const levels = new TestEnv();
  const pipelined = new TestEnv();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-pipelined-test-'));
  afterAll(async () => {
    await Promise.all([levels.cleanup(), pipelined.cleanup()]);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('writes the same records (counts and ids, topic by topic) as the level-by-level run of the same two rounds', { timeout: 600_000 }, async () => {
    const demo = (env: TestEnv, extra: string[]) =>
      run('node', ['bin/flywheel.mjs', 'demo', '--limit', '1', '--prefix', env.prefix, '--out', path.join(out, env.prefix), ...extra], {
        cwd: projectRoot,
        env: { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
        timeout: 580_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    const [a, b] = await Promise.all([demo(levels, ['--levels']), demo(pipelined, [])]);
    expect(a.stdout).toContain('(level by level)');
    expect(b.stdout).toContain('(pipelined)');

    const differences: string[] = [];
    const orderDependent = new Set(['fw.memory.facts', 'fw.memory.entities']);
    let total = 0;
    for (const topic of compared) {
      // an entity record's id names the facts merged so far, so intermediate versions record the order facts from
      // different partitions arrived in (which varies between any two runs, level by level too): compare entities
      // by key, and the count of versions below
      const key = (v: unknown) => (topic === 'fw.memory.entities' ? (v as { entity_id: string }).entity_id : (v as { id: string }).id);
      const [x, y] = await Promise.all([levels.read(topic), pipelined.read(topic)]);
      if (x.length !== y.length) differences.push(`${topic}: ${x.length} records level by level, ${y.length} pipelined`);
      const [before, after] = [x, y].map((values) => [...new Set(values.map(key))].sort());
      total += y.length;
      // memory resolves a mention against the entities it has seen so far ("Huber" → "Liezel Huber"), so which
      // facts carry which entity id depends on the order documents arrive in, in any two runs: counts only there
      // (a known issue of issue 10's entity resolution; everything downstream is compared by id)
      if (orderDependent.has(topic)) continue;
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        const only = (a: string[], b: string[]) => a.filter((id) => !b.includes(id));
        differences.push(`${topic}: only level by level ${only(before, after).slice(0, 5).join(' ')}; only pipelined ${only(after, before).slice(0, 5).join(' ')} (${only(after, before).length})`);
      }
    }
    expect(differences).toEqual([]);
    expect(total).toBeGreaterThan(100);
  });
});
