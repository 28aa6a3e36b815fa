import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The gate on human-written questions (the bundled HotpotQA questions, their supporting paragraphs as
 * evidence): most must pass — what it drops there are mostly real defects of those items (no "?", lower-case
 * start, "Which case was decided first …? → 1964") — so the gate does not simply reject what templates cannot write.
 */
describe('question gate calibration on HotpotQA', () => {
  it('keeps at least 85% of the bundled human-written questions', () => {
    const root = path.join(import.meta.dirname, '../../..');
    const out = execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/gate-calibration.ts'], { cwd: root, encoding: 'utf8' });
    const [, kept, total] = /kept (\d+) of (\d+)/.exec(out)!;
    console.log(out.trim().split('\n').pop());
    expect(Number(kept) / Number(total)).toBeGreaterThanOrEqual(0.85);
  });
});
