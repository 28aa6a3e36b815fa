import { describe, expect, it } from 'vitest';
import { sampleTrajectory } from '../../test/fixtures/trajectories.ts';
import type { AnyStage } from '../platform/runtime/stage.ts';
import { levels, type PipelineStep } from './pipeline.ts';
import { accuracy, formatTable } from './summary.ts';

const stage = (name: string, inputs: string[], outputs: string[]): PipelineStep => ({ kind: 'stage', stage: { name, inputs, outputs } as unknown as AnyStage });
const command = (name: string, inputs: string[], outputs: string[]): PipelineStep => ({ kind: 'command', command: { name, inputs, outputs, run: async () => undefined } });

describe('pipeline order', () => {
  it('puts every step after the steps producing its inputs, whatever the registration order', () => {
    const steps = [
      stage('has', ['fw.rollout.trajectories'], ['fw.has.samples', 'fw.cpt.samples']),
      stage('rollout', ['fw.fas.questions'], ['fw.rollout.trajectories']),
      stage('fas', ['fw.memory.clusters'], ['fw.fas.questions', 'fw.cpt.samples']),
      command('memory-sample', ['fw.memory.entities'], ['fw.memory.clusters']),
      stage('memory-entities', ['fw.memory.facts', 'fw.memory.entities'], ['fw.memory.entities']),
      stage('memory', ['fw.docs'], ['fw.memory.facts']),
      stage('cpt-docs', ['fw.docs'], ['fw.cpt.samples']),
      command('bundled-questions', ['fw.docs'], ['fw.fas.questions']),
      stage('ingest', ['fw.ingest.raw'], ['fw.docs']),
    ];
    const l = levels(steps);
    expect(Object.fromEntries(l)).toEqual({
      ingest: 0,
      'cpt-docs': 1,
      memory: 1,
      'bundled-questions': 1,
      'memory-entities': 2,
      'memory-sample': 3,
      fas: 4,
      rollout: 5,
      has: 6,
    });
  });
});

describe('round summary', () => {
  it('averages EM/F1 over rollouts and counts pass@G per question', () => {
    const right = sampleTrajectory({ id: 'a', question_id: 'q1' });
    const wrong = sampleTrajectory({ id: 'b', question_id: 'q1', judge: { kind: 'f1', correct: false, em: 0, f1: 0.5, rationale: '' } });
    const other = sampleTrajectory({ id: 'c', question_id: 'q2', judge: { kind: 'f1', correct: false, em: 0, f1: 0, rationale: '' } });
    const acc = accuracy([right, wrong, other, right], new Set(['q1', 'q2']));
    expect(acc).toEqual({ questions: 2, rollouts: 3, em: 1 / 3, f1: 0.5, correct: 1, passAtG: 0.5 });
    expect(accuracy([right, other], new Set(['q2'])).questions).toBe(1);
  });

  it('formats a table with right-aligned numbers', () => {
    expect(formatTable([{ stage: 'has', in: 12 }, { stage: 'rollout', in: 3 }])).toBe('stage    in\n-------  --\nhas      12\nrollout   3');
  });
});
