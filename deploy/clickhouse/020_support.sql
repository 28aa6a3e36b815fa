-- Tables the analytics service fills itself (not from topics). {{db}} is replaced by CLICKHOUSE_DATABASE.

-- Prices per model in USD per million tokens, loaded from ANALYTICS_MODEL_PRICES at every start of the
-- service (the newest row per model wins). Models without a price fall back to the cost the LLM client
-- reported (llm_cost_usd).
CREATE TABLE IF NOT EXISTS {{db}}.model_prices
(
  model String,
  input_usd_per_mtok Float64,
  output_usd_per_mtok Float64,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY model
COMMENT 'USD per million input/output tokens per model (ANALYTICS_MODEL_PRICES)';

-- Snapshots of Kafka consumer-group positions, written by the sink every ANALYTICS_LAG_EVERY_MS from the
-- Kafka admin API (committed offset vs. partition end), for every group of this deployment's TOPIC_PREFIX.
CREATE TABLE IF NOT EXISTS {{db}}.consumer_lag
(
  at DateTime64(3, 'UTC'),
  group_id String,
  topic LowCardinality(String),
  partition Int32,
  committed_offset Int64,
  end_offset Int64,
  lag Int64
)
ENGINE = MergeTree
ORDER BY (group_id, topic, partition, at)
TTL toDateTime(at) + INTERVAL 30 DAY
COMMENT 'Consumer lag snapshots per group/topic/partition (30 days)';
