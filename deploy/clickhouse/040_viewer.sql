-- Views for the data viewer (`flywheel ui`, services/viewer) and `flywheel lineage`. {{db}} is replaced by
-- CLICKHOUSE_DATABASE.

-- record_locations: where every record sits in Kafka (logical topic, partition, offset) with a short label,
-- one row per copy (a trajectory is on up to three topics). Filter on id: each branch reads by its sort key.
CREATE OR REPLACE VIEW {{db}}.record_locations AS
SELECT id, 'raw_documents' AS record_table, kafka_topic, kafka_partition, kafka_offset, left(title, 120) AS label FROM {{db}}.raw_documents
UNION ALL SELECT id, 'documents', kafka_topic, kafka_partition, kafka_offset, left(title, 120) FROM {{db}}.documents
UNION ALL SELECT id, 'drops', kafka_topic, kafka_partition, kafka_offset, concat(stage, ': ', reason) FROM {{db}}.drops
UNION ALL SELECT id, 'facts', kafka_topic, kafka_partition, kafka_offset, left(statement, 120) FROM {{db}}.facts
UNION ALL SELECT id, 'entities', kafka_topic, kafka_partition, kafka_offset, concat(name, ' v', toString(version)) FROM {{db}}.entities
UNION ALL SELECT id, 'clusters', kafka_topic, kafka_partition, kafka_offset, concat(kind, ', ', toString(length(entities)), ' entities') FROM {{db}}.clusters
UNION ALL SELECT id, 'questions', kafka_topic, kafka_partition, kafka_offset, left(question, 120) FROM {{db}}.questions
UNION ALL SELECT id, 'actions', kafka_topic, kafka_partition, kafka_offset, concat(kind, ': ', left(text, 100)) FROM {{db}}.actions
UNION ALL SELECT id, 'trajectories', kafka_topic, kafka_partition, kafka_offset, left(question, 120) FROM {{db}}.trajectories
UNION ALL SELECT id, 'rl_groups', kafka_topic, kafka_partition, kafka_offset, left(question, 120) FROM {{db}}.rl_groups
UNION ALL SELECT id, 'tool_calls', kafka_topic, kafka_partition, kafka_offset, concat(tool, ' at step ', toString(step_index)) FROM {{db}}.tool_calls
UNION ALL SELECT id, 'has_samples', kafka_topic, kafka_partition, kafka_offset, concat('step ', toString(step_index), ', ', toString(length(options)), ' options') FROM {{db}}.has_samples
UNION ALL SELECT id, 'cpt_samples', kafka_topic, kafka_partition, kafka_offset, concat(origin, ': ', left(text, 100)) FROM {{db}}.cpt_samples
UNION ALL SELECT id, 'eval_sets', kafka_topic, kafka_partition, kafka_offset, concat(name, ', ', toString(length(items)), ' items') FROM {{db}}.eval_sets
UNION ALL SELECT id, 'decontam_verdicts', kafka_topic, kafka_partition, kafka_offset, concat(tier, ': ', set_name, ' (', rule, ')') FROM {{db}}.decontam_verdicts
UNION ALL SELECT id, 'scores', kafka_topic, kafka_partition, kafka_offset, concat(scorer, ' ', toString(reward)) FROM {{db}}.scores
UNION ALL SELECT id, 'round_manifests', kafka_topic, kafka_partition, kafka_offset, concat('round ', toString(round), ' ', status) FROM {{db}}.round_manifests;

-- lineage_children(id = 'X'): record X and every record derived from it (directly or not) through
-- parent_ids, down to the training samples, with its distance. The mirror of lineage(id = 'X').
CREATE OR REPLACE VIEW {{db}}.lineage_children AS
WITH RECURSIVE walk AS
(
  SELECT id, record_table, round, parent_ids, 0 AS depth FROM {{db}}.record_index FINAL WHERE id = {id:String}
  UNION ALL
  SELECT c.id AS id, c.record_table AS record_table, c.round AS round, c.parent_ids AS parent_ids, w.depth + 1 AS depth
  FROM walk AS w
  INNER JOIN (SELECT id, record_table, round, parent_ids, arrayJoin(parent_ids) AS parent FROM {{db}}.record_index FINAL) AS c ON c.parent = w.id
  WHERE w.depth < 32
)
SELECT id, record_table, round, min(depth) AS depth, any(parent_ids) AS parent_ids
FROM walk
GROUP BY id, record_table, round
ORDER BY depth, id;
