import type { AnalyticsQuerier } from '../../analytics/querier.ts';
import { loadRoundReport, type RoundReport } from '../../analytics/report.ts';

export interface RoundSummary {
  round: number;
  model: string;
  status: string;
  rollouts: number;
  accepted: number;
  sft: number;
  cpt: number;
}

export async function listRounds(querier: AnalyticsQuerier): Promise<RoundSummary[]> {
  const db = querier.database;
  const result = await querier.query(
    `SELECT f.round AS round, m.model AS model, m.status AS status, f.rollouts AS rollouts, f.accepted AS accepted, f.sft AS sft, f.cpt AS cpt
     FROM (
       SELECT round, sumIf(records, step = 'rollouts') AS rollouts, sumIf(records, step = 'accepted') AS accepted,
         sumIf(records, step = 'sft') AS sft, sumIf(records, step = 'cpt_samples') AS cpt
       FROM ${db}.funnel GROUP BY round
     ) AS f
     LEFT JOIN (
       SELECT round, argMax(concat(model, ' ', model_version), opened_at) AS model, argMax(status, opened_at) AS status
       FROM ${db}.round_manifests FINAL GROUP BY round
     ) AS m ON m.round = f.round
     ORDER BY round DESC`,
  );
  return result.rows.map((r) => ({
    round: Number(r.round), model: String(r.model ?? ''), status: String(r.status ?? ''),
    rollouts: Number(r.rollouts), accepted: Number(r.accepted), sft: Number(r.sft), cpt: Number(r.cpt),
  }));
}

export interface RoundDetail {
  report: RoundReport;
  drops: Array<Record<string, unknown>>;
  byStyle: Array<Record<string, unknown>>;
  costByModel: Array<Record<string, unknown>>;
}

/** The funnel per stage, drops by reason, acceptance by style and cost of one round (the analytics views). */
export async function loadRound(querier: AnalyticsQuerier, round: number): Promise<RoundDetail> {
  const db = querier.database;
  const p = { round };
  const [report, drops, byStyle, costByModel] = await Promise.all([
    loadRoundReport(querier, round),
    querier.query(`SELECT stage, reason, drops FROM ${db}.drop_reasons WHERE round = {round:Int32} ORDER BY drops DESC, stage, reason`, p),
    querier.query(`SELECT style, questions, rollouts, accepted, acceptance_rate, pass_at_1, pass_at_g FROM ${db}.acceptance_by_style WHERE round = {round:Int32} ORDER BY style`, p),
    querier.query(`SELECT model, input_tokens, output_tokens, cost_usd FROM ${db}.cost_by_model WHERE round = {round:Int32} ORDER BY cost_usd DESC, model`, p),
  ]);
  return { report, drops: drops.rows, byStyle: byStyle.rows, costByModel: costByModel.rows };
}
