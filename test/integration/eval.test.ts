import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { runEval } from '../../services/rollout/eval/run.ts';
import { TestEnv } from '../support.ts';

const bundled = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

describe('flywheel eval through the rollout service', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('scores a 10-question slice per type and writes per-question results', async () => {
    const out = path.join(env.home, 'eval10.jsonl');
    const run = await runEval({ file: bundled, limit: 10, out, env: env.env, rolloutEnv: { ROLLOUT_G: '2' } });
    const { summary } = run;
    expect(run.results).toHaveLength(10);
    expect(summary.missing).toBe(0);
    expect(run.deadLetters).toBe(0);
    expect(Object.keys(summary.by_type).sort()).toEqual(['bridge', 'comparison']);
    expect(summary.by_type.bridge.questions + summary.by_type.comparison.questions).toBe(10);
    // sane scores for the scripted policy: it gets some right, not all; F1 credits partial answers
    expect(summary.overall.em).toBeGreaterThan(0.05);
    expect(summary.overall.em).toBeLessThan(0.9);
    expect(summary.overall.f1).toBeGreaterThanOrEqual(summary.overall.em);
    expect(summary.overall.pass_at_g).toBeGreaterThanOrEqual(summary.overall.em - 1e-9);
    expect(Object.values(summary.terminations).reduce((s, n) => s + n, 0)).toBe(20);
    expect(summary.tool_calls.search).toBeGreaterThanOrEqual(20);
    expect(summary.tool_calls.visit).toBeGreaterThan(0);

    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(10);
    const first = JSON.parse(fs.readFileSync(bundled, 'utf8').split('\n')[0]);
    expect(lines[0]).toMatchObject({ id: first.id, question: first.question, answer: first.answer, type: first.type });
    expect(lines[0].predictions).toHaveLength(2);
    expect(lines[0].trajectory_ids).toHaveLength(2);
    for (const line of lines) expect(line.em).toBeLessThanOrEqual(line.f1 + 1e-9);

    // the run's topics lived under their own prefix and are gone afterwards
    expect(run.prefix.startsWith(`${env.prefix}eval-`)).toBe(true);
    const admin = env.kafka.admin();
    await admin.connect();
    const left = (await admin.listTopics()).filter((t) => t.startsWith(run.prefix));
    await admin.disconnect();
    expect(left).toEqual([]);
  });

  it('works on another file of the format (HotpotQA original context layout, no type)', async () => {
    const file = path.join(env.home, 'mini.jsonl');
    const items = [
      { _id: 'a1', question: 'Which city is the capital of Freedonia?', answer: 'Fredville', context: [['Freedonia', ['Freedonia is a country. ', 'Its capital city is Fredville.']], ['Sylvania', ['Sylvania borders Freedonia.']]] },
      { _id: 'a2', question: 'Who founded Acme Rockets?', answer: ['Wile Coyote'], context: [['Acme Rockets', ['Acme Rockets was founded by Wile Coyote in 1949.']]] },
    ];
    fs.writeFileSync(file, items.map((i) => JSON.stringify(i)).join('\n'));
    const run = await runEval({ file, out: path.join(env.home, 'mini-out.jsonl'), env: env.env, rolloutEnv: { ROLLOUT_G: '1', ROLLOUT_MODE: 'iterresearch' } });
    expect(run.documents).toBe(3);
    expect(Object.keys(run.summary.by_type)).toEqual(['external']);
    expect(run.results.map((r) => r.id)).toEqual(['a1', 'a2']);
    expect(run.results[1].answer).toBe('Wile Coyote');
    expect(run.summary.missing).toBe(0);
    expect(run.summary.overall.f1).toBeGreaterThan(0);
  });

  it('rejects a file that is not in the format, naming the line', async () => {
    const file = path.join(env.home, 'bad.jsonl');
    fs.writeFileSync(file, '{"question": "q?", "answer": "a", "paragraphs": []}\n{"oops": 1}\n');
    await expect(runEval({ file, out: path.join(env.home, 'x.jsonl'), env: env.env })).rejects.toThrow(/bad\.jsonl:2: needs "question" and "answer"/);
  });

  it('a run that cannot start its service fails clearly and leaves no topics behind', async () => {
    await expect(runEval({ file: bundled, limit: 2, out: path.join(env.home, 'y.jsonl'), env: { ...env.env, FLYWHEEL_LLM: 'none' }, rolloutEnv: { ROLLOUT_POLICY: 'llm' } })).rejects.toThrow(/needs a model/);
    const admin = env.kafka.admin();
    await admin.connect();
    const left = (await admin.listTopics()).filter((t) => t.startsWith(`${env.prefix}eval-`));
    await admin.disconnect();
    expect(left).toEqual([]);
  });
});
