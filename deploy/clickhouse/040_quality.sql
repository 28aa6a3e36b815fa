-- Data quality views: what a team curating training data asks of a round. Questions are those of
-- fw.fas.questions (synthesized, or imported with strategy 'dataset'); "answerable" means at least one of the
-- question's G rollouts was judged correct. Question drops are fw.drops records whose subject is a question
-- (ids question_… from fas, q_… for imported sets): the question gate's reasons and the rollout's unanswerable.

-- answerability: per round, question style and strategy, how the G rollouts of each question went: too_easy
-- (all correct: no RL signal), useful (mixed), unanswerable (none correct: kept out of fw.rl.groups).
CREATE OR REPLACE VIEW {{db}}.answerability AS
SELECT
  round, style, strategy,
  count() AS questions,
  countIf(correct = rollouts) AS too_easy,
  countIf(correct > 0 AND correct < rollouts) AS useful,
  countIf(correct = 0) AS unanswerable,
  round(countIf(correct > 0) / count(), 4) AS share_answerable,
  round(countIf(correct = rollouts) / count(), 4) AS share_too_easy
FROM {{db}}.question_outcomes
GROUP BY round, style, strategy
ORDER BY round, style, strategy;

-- question_drops: questions dropped per round, stage and reason (the gate before publishing, or the rollout
-- stage's unanswerable).
CREATE OR REPLACE VIEW {{db}}.question_drops AS
SELECT round, stage, reason, uniqExact(subject_id) AS questions
FROM {{db}}.drops FINAL
WHERE startsWith(subject_id, 'question_') OR startsWith(subject_id, 'q_')
GROUP BY round, stage, reason
ORDER BY round, questions DESC, stage, reason;

-- question_quality: per round, style and strategy: questions published, rolled out, answerable (kept for SFT
-- and RL), too easy, unanswerable, with at least one SFT trajectory, and the shares of the rolled-out ones.
CREATE OR REPLACE VIEW {{db}}.question_quality AS
SELECT
  q.round AS round, q.style AS style, q.strategy AS strategy,
  count() AS published,
  countIf(o.rollouts > 0) AS rolled_out,
  countIf(o.correct > 0) AS answerable,
  countIf(o.rollouts > 0 AND o.correct = o.rollouts) AS too_easy,
  countIf(o.rollouts > 0 AND o.correct = 0) AS unanswerable,
  countIf(s.sft > 0) AS with_sft,
  if(countIf(o.rollouts > 0) = 0, NULL, round(countIf(o.correct > 0) / countIf(o.rollouts > 0), 4)) AS share_answerable,
  if(countIf(o.rollouts > 0) = 0, NULL, round(countIf(o.rollouts > 0 AND o.correct = o.rollouts) / countIf(o.rollouts > 0), 4)) AS share_too_easy
FROM (SELECT id, round, style, strategy FROM {{db}}.questions FINAL) AS q
LEFT JOIN (SELECT round, question_id, rollouts, correct FROM {{db}}.question_outcomes) AS o ON o.question_id = q.id AND o.round = q.round
LEFT JOIN (SELECT round, question_id, count() AS sft FROM {{db}}.trajectories FINAL WHERE kafka_topic = 'fw.sft.trajectories' GROUP BY round, question_id) AS s
  ON s.question_id = q.id AND s.round = q.round
GROUP BY round, style, strategy
ORDER BY round, style, strategy;

-- sft_process_checks: the process check of every correct rollout, per round, style and label (grounded, or
-- why not: operand_unsupported, searched_for_answer, …), and how many of them SFT kept.
CREATE OR REPLACE VIEW {{db}}.sft_process_checks AS
SELECT round, question_style AS style, if(quality_label = '', 'unchecked', quality_label) AS label, count() AS correct_rollouts, countIf(disposition = 'sft') AS kept_for_sft
FROM {{db}}.trajectories FINAL
WHERE kafka_topic = 'fw.rollout.trajectories' AND judge_correct
GROUP BY round, style, label
ORDER BY round, style, correct_rollouts DESC, label;
