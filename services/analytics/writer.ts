import type { ClickHouseClient, RawInsert } from '../platform/clickhouse.ts';
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

// a column added to a schema but not (yet) to the table must not stop the sink
const settings = { input_format_skip_unknown_fields: 1 } as const;

/**
 * One insert per table per batch. The embedded engine gets the batch as one Buffer of JSONEachRow (chdb parses
 * it natively, in parallel); a server gets the same one insert through the HTTP client.
 */
export function clickHouseWriter(client: ClickHouseClient, database: string, rawInsert?: RawInsert): RowWriter {
  if (rawInsert) {
    return {
      async insert(table, rows) {
        const values = Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
        await rawInsert({ table: `${database}.${table}`, values, format: 'JSONEachRow', settings }).catch((error: unknown) => {
          throw withErrorType(error);
        });
      },
    };
  }
  return {
    async insert(table, rows) {
      await client.insert({ table: `${database}.${table}`, values: rows, format: 'JSONEachRow', clickhouse_settings: settings });
    },
  };
}

/** chdb's native errors carry the engine's `Code: N. DB::Exception: … (TYPE)` text; the client's errors have `type`. */
function withErrorType(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { type?: unknown }).type) return error;
  const type = /\(([A-Z][A-Z0-9_]+)\)\s*(?:\(version [^)]*\))?\s*$/.exec(error.message.trim())?.[1] ?? /Code: \d+\. DB::Exception: .*?\(([A-Z][A-Z0-9_]+)\)/s.exec(error.message)?.[1];
  return type ? Object.assign(error, { type }) : error;
}
