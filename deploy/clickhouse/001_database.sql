-- The analytics database. {{db}} is replaced by CLICKHOUSE_DATABASE (default: flywheel).
CREATE DATABASE IF NOT EXISTS {{db}};
