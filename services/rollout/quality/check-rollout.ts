import type { Question } from '../../platform/generated/records.ts';
import { addUsage } from '../../platform/llm/types.ts';
import type { RolloutRun } from '../agent/loop.ts';
import type { Judge, JudgeResult } from '../judge/judge.ts';
import { checkProcess, type ProcessVerdict } from './process-check.ts';
import { toolSummary } from './summary.ts';

/**
 * The process check of one correct rollout: the deterministic grounding check first; when it passes and the
 * judge is a model, the judge also grades the reasoning (its tokens are added to the rollout's judge usage).
 */
export async function checkRollout(judge: Judge, question: Question, run: RolloutRun, judged: JudgeResult, signal?: AbortSignal): Promise<ProcessVerdict> {
  // a synthesized question built over several statements (a hop): each must be read, not guessed past
  const hops = question.strategy !== 'dataset' && question.evidence.length > 1 ? question.evidence : undefined;
  const verdict = checkProcess({ question: question.question, prediction: run.prediction, steps: run.steps, hops });
  if (!verdict.grounded || !judge.gradeReasoning) return verdict;
  const grade = await judge.gradeReasoning(
    { question: question.question, reference: question.answer, prediction: run.prediction, tools: toolSummary(run.steps), thoughts: run.steps.map((s) => s.thought), evidence: verdict.detail },
    signal,
  );
  if (grade.llm) judged.llm = judged.llm ? addUsage(judged.llm, grade.llm) : grade.llm;
  return grade.sound ? { ...verdict, detail: `${verdict.detail} | judge: ${grade.rationale}` } : { grounded: false, label: 'judge_unsound', detail: grade.rationale || 'the judge found the reasoning unsound' };
}
