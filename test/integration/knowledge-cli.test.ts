import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { knowledgeFixtures } from '../fixtures/knowledge-corpus.ts';
import { spawnChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

function flywheel(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnChild(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), ...args], { env, cwd: projectRoot });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('flywheel ingest (CLI)', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('names the file and line of a malformed input, ingests the rest, and reports what the stage kept and dropped', async () => {
    const result = await flywheel(['ingest', path.join(knowledgeFixtures, 'malformed.jsonl'), path.join(knowledgeFixtures, 'pages'), '--process', '--json'], env.env);
    expect(result.stderr).toMatch(/malformed\.jsonl:3: invalid JSON.*\(skipped; the rest is ingested\)/);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    expect(summary.produced).toEqual({ jsonl: 3, html: 3 });
    expect(summary.errors).toEqual([{ file: 'test/fixtures/knowledge/malformed.jsonl', line: 3, message: expect.stringContaining('invalid JSON') }]);
    expect(summary.stage.documents_kept).toBe(5);
    expect(summary.stage.dropped_by_reason).toEqual({ duplicate_near: 1 });
    const raw = await env.read('fw.ingest.raw');
    expect(raw.map((r) => r.title).filter(Boolean).sort()).toEqual(['Ada Moreno', 'Harbor Lighthouse', 'Port Calder']);
    expect((await env.read('fw.docs')).length).toBe(5);
  });
});
