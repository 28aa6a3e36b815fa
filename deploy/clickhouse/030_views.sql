-- Views for analysts. Each starts with its purpose. Tables are ReplacingMergeTree, so every view reads them
-- with FINAL: a record delivered twice counts once. {{db}} is replaced by CLICKHOUSE_DATABASE.
-- "Rollouts" are the judged trajectories of fw.rollout.trajectories (all G per question); "accepted" means
-- the judge marked the rollout correct.

-- funnel: the yield of one round, stage by stage, as rows (round, step_order, step, breakdown, records):
-- docs_in (raw documents read) → docs_kept (after filters and dedup) → facts → entities (distinct) →
-- questions (one row per style) → rollouts → accepted → sft / rl_groups / discarded → cpt_samples (one
-- row per origin). `flywheel report --round N` prints and charts it.
CREATE OR REPLACE VIEW {{db}}.funnel AS
SELECT round, toUInt8(step_order) AS step_order, step, breakdown, toUInt64(records) AS records FROM
(
  SELECT round, 1 AS step_order, 'docs_in' AS step, '' AS breakdown, count() AS records FROM {{db}}.raw_documents FINAL GROUP BY round
  UNION ALL SELECT round, 2, 'docs_kept', '', count() FROM {{db}}.documents FINAL GROUP BY round
  UNION ALL SELECT round, 3, 'facts', '', count() FROM {{db}}.facts FINAL GROUP BY round
  UNION ALL SELECT round, 4, 'entities', '', uniqExact(entity_id) FROM {{db}}.entities FINAL GROUP BY round
  UNION ALL SELECT round, 5, 'questions', style, count() FROM {{db}}.questions FINAL GROUP BY round, style
  UNION ALL SELECT round, 6, 'rollouts', '', count() FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories' GROUP BY round
  UNION ALL SELECT round, 7, 'accepted', '', countIf(judge_correct) FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories' GROUP BY round
  UNION ALL SELECT round, 8, 'sft', '', count() FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.sft.trajectories' GROUP BY round
  UNION ALL SELECT round, 9, 'rl_groups', '', count() FROM {{db}}.rl_groups FINAL GROUP BY round
  UNION ALL SELECT round, 10, 'discarded', '', count() FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.trajectories.discarded' GROUP BY round
  UNION ALL SELECT round, 11, 'cpt_samples', origin, count() FROM {{db}}.cpt_samples FINAL GROUP BY round, origin
)
ORDER BY round, step_order, breakdown;

-- drop_reasons: how many records each stage filtered out and why, per round (from fw.drops).
CREATE OR REPLACE VIEW {{db}}.drop_reasons AS
SELECT round, stage, reason, count() AS drops, uniqExact(subject_id) AS subjects
FROM {{db}}.drops FINAL
GROUP BY round, stage, reason
ORDER BY round, stage, drops DESC, reason;

-- question_outcomes: one row per question and round: its style, difficulty, difficulty operations and strategy (from
-- fw.fas.questions; style falls back to the trajectory's when the question is missing), rollouts and how
-- many the judge accepted. The building block of the acceptance and pass@k views.
CREATE OR REPLACE VIEW {{db}}.question_outcomes AS
SELECT
  t.round AS round,
  t.question_id AS question_id,
  if(q.id = '', any(t.question_style), any(q.style)) AS style,
  any(q.difficulty) AS difficulty,
  any(q.ops) AS operations,
  count() AS rollouts,
  countIf(t.judge_correct) AS correct,
  if(q.id = '', 'unknown', any(q.strategy)) AS strategy
FROM (SELECT round, question_id, question_style, judge_correct FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories') AS t
LEFT JOIN (SELECT id, style, strategy, difficulty, arrayMap(o -> tupleElement(o, 'op'), operations) AS ops FROM {{db}}.questions FINAL) AS q ON q.id = t.question_id
GROUP BY round, question_id, q.id;

-- acceptance_by_style: per round and question style, the share of rollouts the judge accepted, pass@1 (mean
-- per-question success rate) and pass@G (share of questions with at least one accepted rollout of G).
CREATE OR REPLACE VIEW {{db}}.acceptance_by_style AS
SELECT
  round, style,
  count() AS questions,
  sum(n) AS rollouts,
  sum(c) AS accepted,
  round(sum(c) / sum(n), 4) AS acceptance_rate,
  round(avg(c / n), 4) AS pass_at_1,
  round(avg(c > 0), 4) AS pass_at_g
FROM (SELECT *, rollouts AS n, correct AS c FROM {{db}}.question_outcomes)
GROUP BY round, style
ORDER BY round, style;

-- acceptance_by_operation: the same per difficulty operation (WebShaper-style atomic operations a question
-- went through; 'none' for unmodified questions) and difficulty level. A question with two operations counts
-- under both.
CREATE OR REPLACE VIEW {{db}}.acceptance_by_operation AS
SELECT
  round, operation, difficulty,
  count() AS questions,
  sum(n) AS rollouts,
  sum(c) AS accepted,
  round(sum(c) / sum(n), 4) AS acceptance_rate,
  round(avg(c / n), 4) AS pass_at_1,
  round(avg(c > 0), 4) AS pass_at_g
FROM (SELECT *, rollouts AS n, correct AS c FROM {{db}}.question_outcomes)
ARRAY JOIN if(empty(operations), ['none'], operations) AS operation
GROUP BY round, operation, difficulty
ORDER BY round, operation, difficulty;

-- pass_at_k(k = K): the unbiased pass@k estimate (1 − C(n−c, k) / C(n, k) per question, averaged) per round,
-- style and operation, over questions with at least k rollouts. Usage: SELECT * FROM pass_at_k(k = 2).
CREATE OR REPLACE VIEW {{db}}.pass_at_k AS
SELECT
  round, style, operation,
  {k:UInt32} AS k,
  count() AS questions,
  round(avg(if(rollouts - correct < {k:UInt32}, 1., 1. - arrayProduct(arrayMap(i -> (rollouts - correct - i) / (rollouts - i), range({k:UInt32}))))), 4) AS pass_at_k
FROM {{db}}.question_outcomes
ARRAY JOIN if(empty(operations), ['none'], operations) AS operation
WHERE rollouts >= {k:UInt32}
GROUP BY round, style, operation
ORDER BY round, style, operation;

-- llm_usage: every LLM-backed record's tokens, one row per record: the stage's own calls (facts, questions,
-- actions, HAS samples) and the policy's rollouts (the trajectory's usage, or the sum of its steps' tokens
-- under the policy model when the trajectory carries none).
CREATE OR REPLACE VIEW {{db}}.llm_usage AS
SELECT round, record_table, model, toInt64(input_tokens) AS input_tokens, toInt64(output_tokens) AS output_tokens, toFloat64(reported_cost_usd) AS reported_cost_usd FROM
(
  SELECT round, 'facts' AS record_table, assumeNotNull(llm_model) AS model, assumeNotNull(llm_input_tokens) AS input_tokens, assumeNotNull(llm_output_tokens) AS output_tokens, assumeNotNull(llm_cost_usd) AS reported_cost_usd FROM {{db}}.facts FINAL WHERE llm_model IS NOT NULL
  UNION ALL SELECT round, 'questions', assumeNotNull(llm_model), assumeNotNull(llm_input_tokens), assumeNotNull(llm_output_tokens), assumeNotNull(llm_cost_usd) FROM {{db}}.questions FINAL WHERE llm_model IS NOT NULL
  UNION ALL SELECT round, 'actions', assumeNotNull(llm_model), assumeNotNull(llm_input_tokens), assumeNotNull(llm_output_tokens), assumeNotNull(llm_cost_usd) FROM {{db}}.actions FINAL WHERE llm_model IS NOT NULL
  UNION ALL SELECT round, 'has_samples', assumeNotNull(llm_model), assumeNotNull(llm_input_tokens), assumeNotNull(llm_output_tokens), assumeNotNull(llm_cost_usd) FROM {{db}}.has_samples FINAL WHERE llm_model IS NOT NULL
  UNION ALL SELECT round, 'trajectories',
    if(llm_model IS NULL, policy_model, assumeNotNull(llm_model)),
    if(llm_model IS NULL, arraySum(s -> tupleElement(s, 'input_tokens'), steps), assumeNotNull(llm_input_tokens)),
    if(llm_model IS NULL, arraySum(s -> tupleElement(s, 'output_tokens'), steps), assumeNotNull(llm_output_tokens)),
    ifNull(llm_cost_usd, 0)
  FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories'
);

-- cost_by_model: tokens and USD per round and model. Cost uses model_prices (ANALYTICS_MODEL_PRICES) when the
-- model has a price, else the cost the LLM client reported; `priced` says which.
CREATE OR REPLACE VIEW {{db}}.cost_by_model AS
SELECT
  u.round AS round, u.model AS model,
  count() AS records,
  sum(u.input_tokens) AS input_tokens,
  sum(u.output_tokens) AS output_tokens,
  round(sum(if(p.model = '', u.reported_cost_usd, (u.input_tokens * p.input_usd_per_mtok + u.output_tokens * p.output_usd_per_mtok) / 1e6)), 6) AS cost_usd,
  p.model != '' AS priced
FROM {{db}}.llm_usage AS u
LEFT JOIN (SELECT * FROM {{db}}.model_prices FINAL) AS p ON p.model = u.model
GROUP BY round, model, priced
ORDER BY round, model;

-- cost_per_accepted: per round, all tokens and USD spent (every stage and the rollouts) divided by the
-- rollouts the judge accepted — what one accepted training sample cost.
CREATE OR REPLACE VIEW {{db}}.cost_per_accepted AS
SELECT
  c.round AS round,
  c.tokens AS tokens,
  c.cost_usd AS cost_usd,
  a.accepted AS accepted,
  if(a.accepted = 0, NULL, round(c.tokens / a.accepted, 1)) AS tokens_per_accepted,
  if(a.accepted = 0, NULL, round(c.cost_usd / a.accepted, 6)) AS usd_per_accepted
FROM (SELECT round, sum(input_tokens + output_tokens) AS tokens, round(sum(cost_usd), 6) AS cost_usd FROM {{db}}.cost_by_model GROUP BY round) AS c
LEFT JOIN (SELECT round, countIf(judge_correct) AS accepted FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories' GROUP BY round) AS a ON a.round = c.round
ORDER BY round;

-- dlq_counts: dead letters per failing stage, error code and original topic, with first and last failure.
CREATE OR REPLACE VIEW {{db}}.dlq_counts AS
SELECT stage, error_code, original_topic, count() AS dead_letters, min(failed_at) AS first_failed_at, max(failed_at) AS last_failed_at
FROM {{db}}.dead_letters FINAL
GROUP BY stage, error_code, original_topic
ORDER BY dead_letters DESC, stage, error_code;

-- lineage(id = 'X'): record X and every ancestor reached through parent_ids, with its table, round and
-- distance. An ancestor the sink never saw shows with an empty record_table. Usage:
-- SELECT * FROM lineage(id = 'traj_…').
CREATE OR REPLACE VIEW {{db}}.lineage AS
WITH RECURSIVE walk AS
(
  SELECT id, record_table, round, parent_ids, 0 AS depth FROM {{db}}.record_index FINAL WHERE id = {id:String}
  UNION ALL
  SELECT parent AS id, r.record_table AS record_table, r.round AS round, r.parent_ids AS parent_ids, w.depth + 1 AS depth
  FROM walk AS w
  ARRAY JOIN w.parent_ids AS parent
  LEFT JOIN (SELECT id, record_table, round, parent_ids FROM {{db}}.record_index FINAL) AS r ON r.id = parent
  WHERE w.depth < 32
)
SELECT id, record_table, round, min(depth) AS depth, any(parent_ids) AS parent_ids
FROM walk
GROUP BY id, record_table, round
ORDER BY depth, id;

-- lineage_sources(id = 'X'): only the source documents record X derives from (the documents and raw
-- documents among its ancestors).
CREATE OR REPLACE VIEW {{db}}.lineage_sources AS
SELECT l.id AS doc_id, l.record_table AS record_table, l.depth AS depth, d.title AS title, d.source_uri AS source_uri
FROM {{db}}.lineage(id = {id:String}) AS l
LEFT JOIN (SELECT id, title, source_uri FROM {{db}}.documents FINAL UNION ALL SELECT id, title, source_uri FROM {{db}}.raw_documents FINAL) AS d ON d.id = l.id
WHERE l.record_table IN ('documents', 'raw_documents')
ORDER BY depth, doc_id;

-- consumer_lag_latest: the newest lag snapshot of every consumer group, topic and partition.
CREATE OR REPLACE VIEW {{db}}.consumer_lag_latest AS
SELECT group_id, topic, partition, max(t) AS at, argMax(committed_offset, t) AS committed_offset, argMax(end_offset, t) AS end_offset, argMax(lag, t) AS lag
FROM (SELECT *, at AS t FROM {{db}}.consumer_lag)
GROUP BY group_id, topic, partition
ORDER BY group_id, topic, partition;

-- consumer_lag_by_group: total lag per consumer group at its newest snapshot (what KEDA scales on).
CREATE OR REPLACE VIEW {{db}}.consumer_lag_by_group AS
SELECT group_id, sum(l) AS lag, count() AS partitions, max(t) AS at
FROM (SELECT group_id, lag AS l, at AS t FROM {{db}}.consumer_lag_latest)
GROUP BY group_id
ORDER BY lag DESC, group_id;

-- trajectory_steps: one row per step of every trajectory (the steps array unrolled), for questions like
-- "which tool at which step" or "where do rollouts stall". Filter on kafka_topic to pick rollouts / SFT /
-- discarded.
CREATE OR REPLACE VIEW {{db}}.trajectory_steps AS
SELECT
  id AS trajectory_id, kafka_topic, round, question_id, question_style, judge_correct, termination,
  tupleElement(step, 'index') AS step_index,
  tupleElement(step, 'tool_call_name') AS tool,
  tupleElement(step, 'tool_call_arguments_json') AS arguments_json,
  tupleElement(step, 'answer') AS answer,
  length(tupleElement(step, 'tool_response')) AS response_chars,
  tupleElement(step, 'input_tokens') AS input_tokens,
  tupleElement(step, 'output_tokens') AS output_tokens
FROM {{db}}.trajectories FINAL
ARRAY JOIN steps AS step;

-- entities_latest: the newest version of every entity (fw.memory.entities is compacted state; older versions
-- may still be in the table until compaction and merges drop them).
CREATE OR REPLACE VIEW {{db}}.entities_latest AS
SELECT entity_id, argMax(name, v) AS name, argMax(entity_type, v) AS entity_type, max(v) AS version,
  argMax(length(statements), v) AS statements, argMax(length(relations), v) AS relations, argMax(round, v) AS round
FROM (SELECT *, version AS v FROM {{db}}.entities FINAL)
GROUP BY entity_id
ORDER BY entity_id;

-- contamination_by_set: decontamination hits per round and evaluation set (from fw.decontam.verdicts), counting
-- each (record, set) once by its latest verdict: hard hits were dropped, review hits are held out of exports
-- until released.
CREATE OR REPLACE VIEW {{db}}.contamination_by_set AS
SELECT round, set_name,
       countIf(tier = 'hard') AS hard, countIf(tier = 'review') AS review, countIf(tier = 'released') AS released,
       countIf(subject_topic = 'fw.fas.questions') AS questions, countIf(subject_topic = 'fw.rollout.trajectories') AS trajectories,
       countIf(subject_topic = 'fw.cpt.samples') AS cpt_samples
FROM (
  SELECT round, set_name, subject_id, argMax(tier, created_at) AS tier, any(subject_topic) AS subject_topic
  FROM {{db}}.decontam_verdicts FINAL
  GROUP BY round, set_name, subject_id
)
GROUP BY round, set_name
ORDER BY round, set_name;
