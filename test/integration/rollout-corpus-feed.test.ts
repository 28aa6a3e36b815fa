import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document, Question } from '../../services/platform/generated/records.ts';
import { contentId, sha256 } from '../../services/platform/records.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import { waitForQuestions } from '../../services/rollout/eval/run.ts';
import { rolloutStage } from '../../services/rollout/stage.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

const doc = (title: string, text: string): Document => ({
  ...fixtureMeta('doc'),
  id: contentId('doc', sha256(text)),
  source_kind: 'qa',
  source_uri: 'test',
  url: '',
  title,
  text,
  lang: 'en',
  content_hash: sha256(text),
  quality: {},
});

const question = (text: string, answer: string): Question => ({
  ...fixtureMeta('q'),
  id: contentId('question', text),
  question: text,
  answer,
  style: 'factual',
  evidence: [],
  entity_ids: [],
  operations: [],
  difficulty: 1,
  cluster_id: '',
  strategy: 'template',
  llm: null,
});

describe('the rollout corpus follows fw.docs', () => {
  const env = new TestEnv({ ROLLOUT_G: '1' });
  let running: RunningStage;
  const early = doc('Freedonia', 'Freedonia is a small country. Its capital city is Fredville, founded in 1820.');
  const late = doc('Sylvania', 'Sylvania is a neighbouring country of Freedonia. The capital city of Sylvania is Sylvaport.');

  beforeAll(async () => {
    await env.createTopics();
    await env.produce('fw.docs', [early]);
    running = await startStage(rolloutStage, { env: env.env, http: false, progressEveryMs: 0 });
  });
  const corpusSize = async () => (await running.metrics.registry.getSingleMetric('flywheel_rollout_corpus_documents')?.get())?.values[0]?.value ?? 0;
  afterAll(async () => {
    await running.stop();
    await env.cleanup();
  });

  it('answers from documents indexed at start-up and from documents that arrive while it runs', async () => {
    expect(await corpusSize()).toBe(1);
    await env.produce('fw.fas.questions', [question('What is the capital city of Freedonia?', 'Fredville')]);
    await waitForQuestions(running, 1, 1, 60_000);
    await env.produce('fw.docs', [late]);
    // the feed indexes new documents as they arrive: wait until the corpus gauge shows the second one
    for (let i = 0; i < 120 && (await corpusSize()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await corpusSize()).toBe(2);
    await env.produce('fw.fas.questions', [question('What is the capital city of Sylvania?', 'Sylvaport')]);
    await waitForQuestions(running, 2, 1, 60_000);

    const trajectories = await env.read('fw.rollout.trajectories');
    expect(trajectories).toHaveLength(2);
    const byQuestion = (text: string) => trajectories.find((t) => t.question === text)!;
    const visited = (text: string) => byQuestion(text).steps.filter((s) => s.tool_call?.name === 'visit').map((s) => JSON.parse(s.tool_call!.arguments_json).url);
    expect(visited('What is the capital city of Freedonia?')).toContain(`local://doc/${early.id}`);
    expect(visited('What is the capital city of Sylvania?')).toContain(`local://doc/${late.id}`);
    expect(byQuestion('What is the capital city of Sylvania?').prediction).toBe('Sylvaport');
  });
});
