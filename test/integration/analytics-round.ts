import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { sampleValues } from '../fixtures/records.ts';

/**
 * A small, fully known round for the analytics views: every number the views should return is written
 * out in `expected` by hand, not computed by the code under test.
 *
 * Lineage: raw_1 → doc_1 → fact_1 (ed_wood) ┐
 *          raw_2 → doc_2 → fact_2 (plan_9)  ┴→ cluster_1 → q_fact → rollouts → sft / rl / discarded → cpt
 *          raw_3 → dropped by ingest (too_short)
 */
export function knownRound(round: number) {
  const s = sampleValues();
  const meta = (id: string, parents: string[] = []) => ({ id, round, parent_ids: parents, producer: { service: 'test', version: '1', instance: 'i' }, created_at: 1_700_000_000_000 });
  const usage = (model: string, input: number, output: number, cost: number) => ({ model, endpoint: '', prompt_template_hash: 'p', input_tokens: input, output_tokens: output, calls: 1, cached_calls: 0, cost_usd: cost });

  const raw = ['raw_1', 'raw_2', 'raw_3'].map((id) => ({ ...s['fw.ingest.raw'], ...meta(id) }));
  const docs = [
    { ...s['fw.docs'], ...meta('doc_1', ['raw_1']), title: 'Ed Wood', source_uri: 'data/a.jsonl:1' },
    { ...s['fw.docs'], ...meta('doc_2', ['raw_2']), title: 'Plan 9', source_uri: 'data/a.jsonl:2' },
  ];
  // the ingest stage writes each kept document's dedup state under the document's own id and parents
  const signatures = docs.map((d) => ({ ...s['fw.ingest.signatures'], ...meta(d.id, d.parent_ids) }));
  const drops = [
    { ...s['fw.drops'], ...meta('drop_1', ['raw_3']), stage: 'ingest', reason: 'too_short', subject_id: 'raw_3' },
    { ...s['fw.drops'], ...meta('drop_2', ['q_num']), stage: 'rollout', reason: 'no_answer', subject_id: 'q_num' },
    { ...s['fw.drops'], ...meta('drop_3', ['q_hard']), stage: 'rollout', reason: 'no_answer', subject_id: 'q_hard' },
    { ...s['fw.drops'], ...meta('drop_4', ['cluster_1']), stage: 'fas', reason: 'answer_in_question', subject_id: 'question_gated' },
  ];
  const facts = [
    // LLM extraction: 1000 in / 100 out tokens on priced-model, reported cost ignored because a price is configured
    { ...s['fw.memory.facts'], ...meta('fact_1', ['doc_1']), entity_id: 'ed_wood', doc_id: 'doc_1', llm: usage('priced-model', 1000, 100, 99) },
    { ...s['fw.memory.facts'], ...meta('fact_2', ['doc_2']), entity_id: 'plan_9', doc_id: 'doc_2', llm: null },
    { ...s['fw.memory.facts'], ...meta('fact_3', ['doc_1']), entity_id: 'ed_wood', doc_id: 'doc_1', llm: null },
  ];
  const entities = [
    { ...s['fw.memory.entities'], ...meta('ent_ed_v1', ['fact_1']), entity_id: 'ed_wood', version: 1 },
    { ...s['fw.memory.entities'], ...meta('ent_ed_v2', ['fact_1', 'fact_3']), entity_id: 'ed_wood', version: 2 },
    { ...s['fw.memory.entities'], ...meta('ent_p9_v1', ['fact_2']), entity_id: 'plan_9', version: 1 },
  ];
  const clusters = [{ ...s['fw.memory.clusters'], ...meta('cluster_1', ['ent_ed_v2', 'ent_p9_v1']) }];
  const question = (id: string, style: string, ops: string[], difficulty: number, llm: ReturnType<typeof usage> | null) => ({
    ...s['fw.fas.questions'], ...meta(id, ['cluster_1']), style, difficulty, llm,
    operations: ops.map((op) => ({ op, detail: '' })),
  });
  const questions = [
    question('q_fact', 'factual', [], 1, usage('unpriced-model', 200, 50, 0.01)),
    question('q_num', 'numeric', ['blur_number'], 2, null),
    question('q_hard', 'factual', ['describe_entity', 'merge_entities'], 3, null),
  ];
  // rollouts: q_fact 1 of 2 correct, q_num 2 of 2, q_hard 0 of 2 → accepted 3 of 6
  const traj = (id: string, questionId: string, style: string, correct: boolean, disposition: string, label = correct ? 'grounded' : '') => ({
    ...s['fw.rollout.trajectories'], ...meta(id, [questionId]), question_id: questionId, question_style: style, disposition, quality_label: label,
    judge: { kind: 'exact', correct, em: correct ? 1 : 0, f1: correct ? 1 : 0, rationale: '' }, reward: correct ? 1 : 0,
    llm: null, // policy tokens come from the steps: 2 steps × (10 in, 5 out) = 20 in, 10 out under model "scripted"
  });
  const rollouts = [
    traj('t_fact_0', 'q_fact', 'factual', true, 'sft'),
    traj('t_fact_1', 'q_fact', 'factual', false, 'discarded'),
    traj('t_num_0', 'q_num', 'numeric', true, 'sft'),
    traj('t_num_1', 'q_num', 'numeric', true, 'rl_only', 'operand_unsupported'), // correct, but failed the process check
    traj('t_hard_0', 'q_hard', 'factual', false, 'discarded'),
    traj('t_hard_1', 'q_hard', 'factual', false, 'discarded'),
  ];
  const sft = rollouts.filter((t) => t.disposition === 'sft');
  const discarded = rollouts.filter((t) => t.disposition !== 'sft');
  const rlGroups = [
    { ...s['fw.rl.groups'], ...meta('grp_fact', ['t_fact_0', 't_fact_1']), question_id: 'q_fact' },
    { ...s['fw.rl.groups'], ...meta('grp_num', ['t_num_0', 't_num_1']), question_id: 'q_num' },
  ];
  const cpt = [
    { ...s['fw.cpt.samples'], ...meta('cpt_doc_1', ['doc_1']), origin: 'document' },
    { ...s['fw.cpt.samples'], ...meta('cpt_doc_2', ['doc_2']), origin: 'document' },
    { ...s['fw.cpt.samples'], ...meta('cpt_disc_1', ['t_fact_1']), origin: 'discarded_trajectory' },
  ];
  const dlq = [
    { ...s['fw.dlq'], id: 'dlq_a', stage: 'memory', error_code: 'POISON_RECORD', original_topic: 'fw.docs' },
    { ...s['fw.dlq'], id: 'dlq_b', stage: 'memory', error_code: 'POISON_RECORD', original_topic: 'fw.docs' },
    { ...s['fw.dlq'], id: 'dlq_c', stage: 'rollout', error_code: 'DECODE_FAILED', original_topic: 'fw.fas.questions' },
  ];

  const records: { [T in TopicName]?: Array<TopicValues[T]> } = {
    'fw.ingest.raw': raw,
    'fw.docs': docs,
    'fw.ingest.signatures': signatures,
    'fw.drops': drops,
    'fw.memory.facts': facts,
    'fw.memory.entities': entities,
    'fw.memory.clusters': clusters,
    'fw.fas.questions': questions,
    'fw.rollout.trajectories': rollouts,
    'fw.sft.trajectories': sft,
    'fw.trajectories.discarded': discarded,
    'fw.rl.groups': rlGroups,
    'fw.cpt.samples': cpt,
    'fw.dlq': dlq,
  };

  const expected = {
    funnel: [
      ['docs_in', '', 3], ['docs_kept', '', 2], ['facts', '', 3], ['entities', '', 2],
      ['questions', 'factual', 2], ['questions', 'numeric', 1],
      ['rollouts', '', 6], ['accepted', '', 3], ['sft', '', 2], ['rl_groups', '', 2], ['discarded', '', 4],
      ['cpt_samples', 'discarded_trajectory', 1], ['cpt_samples', 'document', 2],
    ],
    dropReasons: [
      { stage: 'fas', reason: 'answer_in_question', drops: 1 },
      { stage: 'ingest', reason: 'too_short', drops: 1 },
      { stage: 'rollout', reason: 'no_answer', drops: 2 },
    ],
    // factual: q_fact 1/2, q_hard 0/2 → rate 1/4, pass@1 (0.5 + 0)/2, pass@G 1/2; numeric: q_num 2/2
    byStyle: [
      { style: 'factual', questions: 2, rollouts: 4, accepted: 1, acceptance_rate: 0.25, pass_at_1: 0.25, pass_at_g: 0.5 },
      { style: 'numeric', questions: 1, rollouts: 2, accepted: 2, acceptance_rate: 1, pass_at_1: 1, pass_at_g: 1 },
    ],
    byOperation: [
      { operation: 'blur_number', difficulty: 2, questions: 1, accepted: 2, acceptance_rate: 1 },
      { operation: 'describe_entity', difficulty: 3, questions: 1, accepted: 0, acceptance_rate: 0 },
      { operation: 'merge_entities', difficulty: 3, questions: 1, accepted: 0, acceptance_rate: 0 },
      { operation: 'none', difficulty: 1, questions: 1, accepted: 1, acceptance_rate: 0.5 },
    ],
    // pass@2 with n = 2: q_fact 1 − C(1,2)/C(2,2) = 1, q_hard 0 → factual 0.5; numeric 1
    passAt2: { factual: 0.5, numeric: 1 },
    // q_fact 1/2 useful, q_hard 0/2 unanswerable (factual); q_num 2/2 too easy (numeric); all strategy 'template'
    answerability: [
      { style: 'factual', strategy: 'template', questions: 2, too_easy: 0, useful: 1, unanswerable: 1, share_answerable: 0.5, share_too_easy: 0 },
      { style: 'numeric', strategy: 'template', questions: 1, too_easy: 1, useful: 0, unanswerable: 0, share_answerable: 1, share_too_easy: 1 },
    ],
    questionQuality: [
      { style: 'factual', strategy: 'template', published: 2, rolled_out: 2, answerable: 1, too_easy: 0, unanswerable: 1, with_sft: 1, share_answerable: 0.5, share_too_easy: 0 },
      { style: 'numeric', strategy: 'template', published: 1, rolled_out: 1, answerable: 1, too_easy: 1, unanswerable: 0, with_sft: 1, share_answerable: 1, share_too_easy: 1 },
    ],
    // question_gated (fas gate), q_num and q_hard (rollout no_answer); raw_3 is not a question
    questionDrops: [
      { stage: 'rollout', reason: 'no_answer', questions: 2 },
      { stage: 'fas', reason: 'answer_in_question', questions: 1 },
    ],
    processChecks: [
      { style: 'factual', label: 'grounded', correct_rollouts: 1, kept_for_sft: 1 },
      { style: 'numeric', label: 'grounded', correct_rollouts: 1, kept_for_sft: 1 },
      { style: 'numeric', label: 'operand_unsupported', correct_rollouts: 1, kept_for_sft: 0 },
    ],
    prices: { 'priced-model': { input: 2, output: 10 } },
    // priced-model: (1000 × 2 + 100 × 10) / 1e6 = 0.003; unpriced-model: reported 0.01; scripted: 0 (6 rollouts × 30 tokens)
    costByModel: [
      { model: 'priced-model', input_tokens: 1000, output_tokens: 100, cost_usd: 0.003, priced: 1 },
      { model: 'scripted', input_tokens: 120, output_tokens: 60, cost_usd: 0, priced: 0 },
      { model: 'unpriced-model', input_tokens: 200, output_tokens: 50, cost_usd: 0.01, priced: 0 },
    ],
    // tokens 1100 + 250 + 180 = 1530; cost 0.013; per accepted (3): 510 tokens, 0.004333 USD
    costPerAccepted: { tokens: 1530, cost_usd: 0.013, accepted: 3, tokens_per_accepted: 510, usd_per_accepted: 0.004333 },
    dlq: [
      { stage: 'memory', error_code: 'POISON_RECORD', dead_letters: 2 },
      { stage: 'rollout', error_code: 'DECODE_FAILED', dead_letters: 1 },
    ],
    lineageOf: 'cpt_disc_1',
    // cpt_disc_1 → t_fact_1 → q_fact → cluster_1 → ent_ed_v2, ent_p9_v1 → fact_1, fact_3, fact_2 → doc_1, doc_2 → raw_1, raw_2
    lineage: [
      ['cpt_disc_1', 0], ['t_fact_1', 1], ['q_fact', 2], ['cluster_1', 3], ['ent_ed_v2', 4], ['ent_p9_v1', 4],
      ['fact_1', 5], ['fact_2', 5], ['fact_3', 5], ['doc_1', 6], ['doc_2', 6], ['raw_1', 7], ['raw_2', 7],
    ],
    sources: ['doc_1', 'doc_2', 'raw_1', 'raw_2'],
  };
  return { records, expected };
}
