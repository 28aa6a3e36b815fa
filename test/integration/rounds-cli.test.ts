import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { sampleValues } from '../fixtures/records.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const exec = execChild;

describe('flywheel round / export commands', () => {
  const env = new TestEnv();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rounds-cli-'));
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec('node', ['bin/flywheel.mjs', ...args], { cwd: projectRoot, env: env.env, timeout: 90_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  beforeAll(() => env.createTopics());
  afterAll(async () => {
    await env.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('opens, closes, lists and exports a round; refuses what makes no sense with a one-line error', async () => {
    const early = await cli('round', 'close');
    expect(early.code).toBe(1);
    expect(early.stderr.trim()).toBe('flywheel: no round is open: run `flywheel round open --model <name>` first');

    const opened = await cli('round', 'open', '--model', 'qwen-test', '--model-version', 'ckpt-7', '--endpoint', 'http://127.0.0.1:9/v1');
    expect(opened.stdout).toContain('round 1 open: model qwen-test ckpt-7');
    expect(opened.stdout).toContain('FLYWHEEL_ROUND=1');

    const samples = [sampleValues()['fw.cpt.samples'], sampleValues()['fw.cpt.samples']];
    await env.produce('fw.cpt.samples', samples);
    const closed = await cli('round', 'close');
    expect(closed.stdout).toContain('round 1 closed');
    expect(closed.stdout).toMatch(/'fw\.cpt\.samples'\s*│\s*4\s*│\s*2/);

    const listed = await cli('round', 'list', '--json');
    const [manifest] = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(manifest).toMatchObject({ id: 'round_1', round: 1, status: 'closed', model: 'qwen-test', model_version: 'ckpt-7', policy_endpoint: 'http://127.0.0.1:9/v1', stage_models: {} }); // no stage uses a model here

    const exported = await cli('export', '--round', '1', '--format', 'cpt-jsonl', '--out', out);
    expect(exported.code).toBe(0);
    const lines = fs.readFileSync(path.join(out, 'cpt.round-1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual(samples.map((s) => s.id).sort());

    expect((await cli('export', '--round', '2', '--format', 'cpt-jsonl', '--out', out)).stderr).toContain('round 2 has no manifest');
    expect((await cli('export', '--round', '1', '--format', 'csv', '--out', out)).stderr).toMatch(/Allowed choices are cpt-jsonl, openai-sft-jsonl, verl-sft-parquet, verl-rl-parquet/);
    expect((await cli('export', '--round', 'x', '--format', 'cpt-jsonl', '--out', out)).stderr).toContain('expected a positive integer');
  });
});
