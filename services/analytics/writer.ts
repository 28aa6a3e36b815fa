import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
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
  /** One insert of rows given as JSONEachRow lines (one JSON object each, without the newline). */
  insert(table: string, lines: string[]): Promise<void>;
}

// a column added to a schema but not (yet) to the table must not stop the sink
const settings = { input_format_skip_unknown_fields: 1 } as const;

/**
 * One insert per table per batch, its rows already rendered as JSONEachRow text (the sink builds each line in
 * one pass from the decoded record). The embedded engine gets the batch as one Buffer (chdb parses it natively,
 * in parallel, off the event loop); a server gets the same bytes as the body of one INSERT … FORMAT JSONEachRow.
 */
export function clickHouseWriter(client: ClickHouseClient, database: string, rawInsert?: RawInsert): RowWriter {
  if (rawInsert) {
    return {
      async insert(table, lines) {
        await rawInsert({ table: `${database}.${table}`, values: Buffer.from(lines.join('\n')), format: 'JSONEachRow', settings }).catch((error: unknown) => {
          throw withErrorType(error);
        });
      },
    };
  }
  return {
    async insert(table, lines) {
      const values = Readable.from([Buffer.from(lines.join('\n'))]);
      const result = await client.exec({ query: `INSERT INTO ${database}.${table} FORMAT JSONEachRow`, values, clickhouse_settings: settings });
      await finished(result.stream.resume()); // nothing to read, but the socket is free only once it is drained
    },
  };
}

/** chdb's native errors carry the engine's `Code: N. DB::Exception: … (TYPE)` text; the client's errors have `type`. */
function withErrorType(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { type?: unknown }).type) return error;
  const type = /\(([A-Z][A-Z0-9_]+)\)\s*(?:\(version [^)]*\))?\s*$/.exec(error.message.trim())?.[1] ?? /Code: \d+\. DB::Exception: .*?\(([A-Z][A-Z0-9_]+)\)/s.exec(error.message)?.[1];
  return type ? Object.assign(error, { type }) : error;
}
