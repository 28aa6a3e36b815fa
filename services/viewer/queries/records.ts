import type { AnalyticsQuerier } from '../../analytics/querier.ts';
import { NotFoundError } from '../errors.ts';

/** Tables a record id may live in (record_index.record_table); anything else is never put into SQL. */
const RECORD_TABLES = new Set([
  'raw_documents', 'documents', 'drops', 'facts', 'entities', 'clusters', 'questions', 'actions', 'trajectories',
  'rl_groups', 'tool_calls', 'has_samples', 'cpt_samples', 'eval_sets', 'decontam_verdicts', 'scores', 'round_manifests',
]);

export interface RecordRow {
  table: string;
  row: Record<string, unknown>;
}

/** One record by id, from whichever table holds it (via record_index); `topic` picks a trajectory's copy. */
export async function loadRecord(querier: AnalyticsQuerier, id: string, topic?: string): Promise<RecordRow> {
  const db = querier.database;
  // record_locations, not record_index: the index keeps one table per id, and a document's signature record
  // (fw.ingest.signatures) carries the document's id
  const index = await querier.query(`SELECT record_table FROM ${db}.record_locations WHERE id = {id:String} LIMIT 1`, { id });
  const table = String(index.rows[0]?.record_table ?? '');
  if (!RECORD_TABLES.has(table)) {
    const letter = await querier.query(`SELECT * FROM ${db}.dead_letters FINAL WHERE id = {id:String} LIMIT 1`, { id });
    if (letter.rows[0]) return { table: 'dead_letters', row: letter.rows[0] };
    throw new NotFoundError(`no record with id "${id}" in the analytics store`);
  }
  const result = await querier.query(
    `SELECT * FROM ${db}.${table} FINAL WHERE id = {id:String} ORDER BY ${table === 'trajectories' ? "kafka_topic = {topic:String} DESC, kafka_topic = 'fw.rollout.trajectories' DESC" : 'kafka_offset'} LIMIT 1`,
    { id, topic: topic ?? '' },
  );
  if (!result.rows[0]) throw new NotFoundError(`no record with id "${id}" in ${table}`);
  return { table, row: result.rows[0] };
}

/** Topics a trajectory id was written to (rollouts, SFT, discarded). */
export async function trajectoryTopics(querier: AnalyticsQuerier, id: string): Promise<string[]> {
  const r = await querier.query(`SELECT DISTINCT kafka_topic FROM ${querier.database}.trajectories WHERE id = {id:String} ORDER BY kafka_topic`, { id });
  return r.rows.map((x) => String(x.kafka_topic));
}

export interface Sibling {
  id: string;
  rollout_index: number;
  reward: number;
  correct: boolean;
  termination: string;
  prediction: string;
  tool_calls: number;
  advantage: number | null;
  in_loss: boolean | null;
  steps: Step[];
}

export interface Step {
  index: number;
  thought: string;
  report: string;
  tool_call_name: string | null;
  tool_call_arguments_json: string | null;
  tool_response: string;
  answer: string | null;
}

/** Every rollout of the trajectory's question in its round, with the group's advantages when an RL group exists. */
export async function loadGroup(querier: AnalyticsQuerier, questionId: string, round: number): Promise<{ groupId: string | null; siblings: Sibling[] }> {
  const db = querier.database;
  const [rollouts, groups] = await Promise.all([
    querier.query(
      `SELECT id, rollout_index, reward, judge_correct AS correct, termination, left(prediction, 200) AS prediction, tool_call_count AS tool_calls, steps
       FROM ${db}.trajectories FINAL
       WHERE kafka_topic = 'fw.rollout.trajectories' AND question_id = {q:String} AND round = {round:Int32}
       ORDER BY rollout_index, id`,
      { q: questionId, round },
    ),
    querier.query(
      `SELECT id, trajectory_ids, advantages, loss_mask FROM ${db}.rl_groups FINAL WHERE question_id = {q:String} AND round = {round:Int32} LIMIT 1`,
      { q: questionId, round },
    ),
  ]);
  const group = groups.rows[0] as { id: string; trajectory_ids: string[]; advantages: number[]; loss_mask: boolean[] } | undefined;
  const siblings = rollouts.rows.map((r) => {
    const i = group ? group.trajectory_ids.indexOf(String(r.id)) : -1;
    return {
      ...(r as unknown as Omit<Sibling, 'advantage' | 'in_loss' | 'steps'>),
      reward: Number(r.reward),
      steps: toSteps(r.steps),
      advantage: i >= 0 ? Number(group!.advantages[i]) : null,
      in_loss: i >= 0 ? Boolean(group!.loss_mask[i] ?? true) : null,
    };
  });
  return { groupId: group?.id ?? null, siblings };
}

/** The steps column as objects (ClickHouse returns named tuples as objects or arrays depending on settings). */
export function toSteps(value: unknown): Step[] {
  const keys = ['index', 'thought', 'report', 'tool_call_name', 'tool_call_arguments_json', 'tool_response', 'answer'] as const;
  return ((value as unknown[]) ?? []).map((s) => {
    if (Array.isArray(s)) return Object.fromEntries(keys.map((k, i) => [k, s[i]])) as unknown as Step;
    return s as Step;
  });
}
