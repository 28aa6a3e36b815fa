import type { JudgedRollout } from '../group.ts';
import { normalizeForMatch } from './attribute.ts';

/**
 * Near-duplicate SFT samples: FAS makes a template question and its multi-hop variants over one statement, so
 * several questions end in the same answer read from the same sentence. The first question to reach it keeps
 * its sample; later ones are labelled `duplicate_sample` (they stay RL/CPT material). Best effort: the memory is
 * this process's (bounded, oldest forgotten first), so a restart or a second instance can let a duplicate through.
 */
export class SftDedupe {
  private readonly seen = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  /** Marks this question's grounded rollouts whose evidence an earlier question already gave; remembers the rest. */
  apply(questionId: string, rollouts: JudgedRollout[]): void {
    for (const r of rollouts) {
      const key = r.process?.grounded && r.process.evidenceKey ? `${normalizeForMatch(r.run.prediction)}|${r.process.evidenceKey}` : undefined;
      if (!key) continue;
      const owner = this.seen.get(key);
      if (owner !== undefined && owner !== questionId) {
        r.process = { grounded: false, label: 'duplicate_sample', detail: `the same answer from the same evidence as question ${owner}` };
        continue;
      }
      if (owner === undefined) {
        this.seen.set(key, questionId);
        if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
      }
    }
  }
}
