import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectRoot } from '../../platform/paths.ts';

/**
 * The SFT trajectories of two-round demos (`flywheel demo --limit 30 --rounds 2`, scripted policy), each read by a
 * person and judged: correct? grounded (the answer or every operand comes from a tool response about the asked
 * attribute)? sound reasoning? worth keeping as a training sample (a malformed question or a near-duplicate of
 * an earlier sample is not)? `scripts/review-sft.ts` prints a round for review.
 */
const review = z.object({
  round: z.number().int().min(1),
  id: z.string().startsWith('traj_'),
  style: z.string(),
  question: z.string().min(1),
  reference: z.string(),
  answer: z.string().min(1),
  tools: z.string(),
  check: z.string(),
  correct: z.boolean(),
  grounded: z.boolean(),
  sound: z.boolean(),
  worth_keeping: z.boolean(),
  duplicate_of: z.string().nullable(),
  reason: z.string().min(10),
});

const fixtures = {
  // the final code, with the question gate of issue 10's question side merged
  final: 'test/fixtures/quality/sft-reviewed.jsonl',
  // the same review before that gate was merged (malformed and near-duplicate questions still reached rollouts)
  beforeGate: 'test/fixtures/quality/sft-reviewed-before-gate.jsonl',
};

function load(relative: string) {
  const file = path.join(projectRoot, relative);
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line, i) => {
    const parsed = review.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return parsed.data;
  });
}

const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');

for (const [name, relative] of Object.entries(fixtures)) {
  const rows = load(relative);
  const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
  const figure = (n: number) => `${n} of ${rows.length} (${((100 * n) / rows.length).toFixed(1)}%)`;

  describe(`reviewed SFT trajectories of a demo (${name})`, () => {
    it('holds at least 20 distinct reviewed trajectories, all of which passed the process check', () => {
      expect(rows.length).toBeGreaterThanOrEqual(20);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(rows.every((r) => r.check === 'grounded')).toBe(true);
    });

    it('keeps only samples that are correct, grounded and sound; a duplicate points at an earlier kept sample', () => {
      for (const r of rows.filter((x) => x.worth_keeping)) expect(r.correct && r.grounded && r.sound, r.id).toBe(true);
      rows.forEach((r, i) => {
        if (!r.duplicate_of) return;
        const original = rows.findIndex((x) => x.id === r.duplicate_of);
        expect(original, r.id).toBeGreaterThanOrEqual(0);
        expect(original, r.id).toBeLessThan(i);
        expect(rows[original].worth_keeping).toBe(true);
        expect(r.worth_keeping).toBe(false);
      });
    });

    it('is at least 80% worth keeping, and the README states the figures', () => {
      const keep = count((r) => r.worth_keeping);
      expect(keep / rows.length).toBeGreaterThanOrEqual(0.8);
      expect(readme).toContain(`worth keeping ${figure(keep)}`);
      expect(readme).toContain(`correct ${figure(count((r) => r.correct))}`);
      expect(readme).toContain(`grounded ${figure(count((r) => r.grounded))}`);
      expect(readme).toContain(`sound ${figure(count((r) => r.sound))}`);
    });
  });
}
