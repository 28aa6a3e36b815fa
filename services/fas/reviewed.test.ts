import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Questions of a demo round that passed the gate, each read and judged by a person (test/fixtures/quality/
 * questions-reviewed.jsonl): well-formed? answerable from its evidence? answer correct? worth keeping? The
 * shares are recomputed here so the README's figure is the fixture's.
 */
interface Reviewed {
  question: string;
  answer: string;
  verdict: { well_formed: boolean; answerable: boolean; correct: boolean; worth_keeping: boolean };
  reason: string;
}

const file = path.join(import.meta.dirname, '../../test/fixtures/quality/questions-reviewed.jsonl');
const reviewed: Reviewed[] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const share = (key: keyof Reviewed['verdict']) => reviewed.filter((r) => r.verdict[key]).length / reviewed.length;

describe('reviewed demo questions', () => {
  it('has at least 50 questions, each with four verdicts and a reason', () => {
    expect(reviewed.length).toBeGreaterThanOrEqual(50);
    for (const r of reviewed) {
      expect(Object.values(r.verdict).every((v) => typeof v === 'boolean'), r.question).toBe(true);
      expect(r.reason.length, r.question).toBeGreaterThan(5);
    }
  });

  it('is at least 90% good on each of the four', () => {
    const shares = { well_formed: share('well_formed'), answerable: share('answerable'), correct: share('correct'), worth_keeping: share('worth_keeping') };
    const allFour = reviewed.filter((r) => Object.values(r.verdict).every(Boolean)).length / reviewed.length;
    console.log(`reviewed ${reviewed.length}: ${Object.entries(shares).map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`).join(', ')}; good on all four ${(100 * allFour).toFixed(0)}%`);
    for (const v of Object.values(shares)) expect(v).toBeGreaterThanOrEqual(0.9);
  });
});
