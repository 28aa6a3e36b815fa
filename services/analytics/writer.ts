import type { ClickHouseClient } from '../platform/clickhouse.ts';
import { FlywheelError } from '../platform/errors.ts';

/** A row ClickHouse refused as data (not a connection problem): its record goes to the DLQ. */
export class RowRejectedError extends FlywheelError {
  constructor(message: string, cause: unknown) {
    super('CLICKHOUSE_REJECTED', message, { cause });
  }
}

/** ClickHouse error types that mean "this data does not fit the table", as opposed to a server in trouble. */
const DATA_REJECTION = /^(CANNOT_PARSE|CANNOT_READ|CANNOT_CONVERT|INCORRECT_DATA|TYPE_MISMATCH|UNKNOWN_ELEMENT_OF_ENUM|VALUE_IS_OUT_OF_RANGE|ILLEGAL_COLUMN|INCORRECT_NUMBER_OF_COLUMNS|ATTEMPT_TO_READ_AFTER_EOF|TOO_LARGE_STRING_SIZE|CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN)/;

export function isDataRejection(error: unknown): boolean {
  const type = (error as { type?: unknown })?.type;
  return typeof type === 'string' && DATA_REJECTION.test(type);
}

/** Where rows go: ClickHouse in production; tests wrap it to make inserts fail for a while. */
export interface RowWriter {
  insert(table: string, rows: Array<Record<string, unknown>>): Promise<void>;
}

export function clickHouseWriter(client: ClickHouseClient, database: string): RowWriter {
  return {
    async insert(table, rows) {
      await client.insert({
        table: `${database}.${table}`,
        values: rows,
        format: 'JSONEachRow',
        // a column added to a schema but not (yet) to the table must not stop the sink
        clickhouse_settings: { input_format_skip_unknown_fields: 1 },
      });
    },
  };
}
