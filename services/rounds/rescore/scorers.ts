import { FlywheelError } from '../../platform/errors.ts';
import type { Trajectory } from '../../platform/generated/records.ts';
import type { LlmClient } from '../../platform/llm/types.ts';
import { lexicalJudge, llmJudge, type Judge } from '../../rollout/judge/judge.ts';

export type JudgeName = 'exact_f1' | 'llm';
export type RewardName = 'binary' | 'f1';

export interface ScorerOptions {
  judge: JudgeName;
  reward: RewardName;
  /** Model of the llm judge (recorded in the scorer version). */
  model?: string;
  f1Threshold?: number;
  llm?: LlmClient;
}

/** What a judge reads from a stored trajectory; a judge that needs anything else cannot re-score a closed round. */
type StoredInput = 'question' | 'reference_answer' | 'prediction';

interface JudgeSpec {
  version: string;
  reads: StoredInput[];
  /** Why the verdict depends on state a trajectory does not store (then re-scoring is refused). */
  unstoredState?: string;
  make(options: ScorerOptions): Judge;
}

const judges: Record<JudgeName, JudgeSpec> = {
  exact_f1: {
    version: '1',
    reads: ['reference_answer', 'prediction'],
    make: (o) => lexicalJudge({ f1Threshold: o.f1Threshold ?? 0.8, reward: o.reward }),
  },
  llm: {
    version: '1',
    reads: ['question', 'reference_answer', 'prediction'],
    make: (o) => {
      if (!o.llm) throw new RescoreRefusedError('the llm judge needs a model: configure FLYWHEEL_LLM / OPENAI_BASE_URL (and --model)');
      return llmJudge(o.llm);
    },
  },
};

export class RescoreRefusedError extends FlywheelError {
  constructor(message: string) {
    super('RESCORE_REFUSED', message);
  }
}

export interface Scorer {
  judge: Judge;
  /** e.g. exact_f1/f1 */
  name: string;
  /** Judge version and every setting that changes its verdicts. */
  version: string;
  /** `rescore judge=… reward=…`: the derived round's manifest records it, and finds an earlier identical run by it. */
  derivation: string;
}

export function makeScorer(options: ScorerOptions): Scorer {
  const spec = judges[options.judge];
  if (!spec) throw new RescoreRefusedError(`unknown judge "${options.judge}" (exact_f1 | llm)`);
  if (!['binary', 'f1'].includes(options.reward)) throw new RescoreRefusedError(`unknown reward "${options.reward}" (binary | f1)`);
  if (spec.unstoredState) throw new RescoreRefusedError(`judge ${options.judge} depends on state a trajectory does not store (${spec.unstoredState})`);
  // a model's verdict is binary whatever the reward says (see llmJudge)
  const reward = options.judge === 'llm' ? 'binary' : options.reward;
  const settings = options.judge === 'llm' ? `model=${options.model ?? 'default'}` : `threshold=${options.f1Threshold ?? 0.8}`;
  return {
    judge: spec.make(options),
    name: `${options.judge}/${reward}`,
    version: `${spec.version} ${settings}`,
    derivation: `rescore judge=${options.judge} reward=${reward} ${settings}`,
  };
}

/** Refuses the round when a trajectory lacks a stored input the judge reads (e.g. no reference answer). */
export function checkStoredInputs(judge: JudgeName, trajectories: Trajectory[]): void {
  for (const input of judges[judge].reads.filter((r) => r !== 'prediction')) {
    const missing = trajectories.filter((t) => !t[input].trim());
    if (missing.length) {
      throw new RescoreRefusedError(`judge ${judge} reads ${input}, which ${missing.length} trajectory(ies) did not store (e.g. ${missing[0].id}): their original verdict cannot be reproduced`);
    }
  }
}
