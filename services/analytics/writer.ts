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

/** Rows as JSONEachRow bytes: `length` rows, each line ending with a newline. */
export interface JsonRows {
  readonly length: number;
  readonly bytes: Buffer;
}

/** Rows the caller holds as objects, rendered for the writer. */
export function jsonRows(rows: Array<Record<string, unknown>>): JsonRows {
  return { length: rows.length, bytes: Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join('')) };
}

/** Where rows go: ClickHouse in production; tests wrap it to make inserts fail for a while. */
export interface RowWriter {
  insert(table: string, rows: JsonRows): Promise<void>;
}

// a column added to a schema but not (yet) to the table must not stop the sink
const settings = { input_format_skip_unknown_fields: 1 } as const;

/**
 * One insert per table per batch, its rows already JSONEachRow bytes (the sink writes them straight from the Avro
 * records). The embedded engine gets them as they are (chdb parses them natively, in parallel, off the event
 * loop); a server gets the same bytes as the body of one INSERT … FORMAT JSONEachRow.
 */
export function clickHouseWriter(client: ClickHouseClient, database: string, rawInsert?: RawInsert): RowWriter {
  if (rawInsert) {
    return {
      async insert(table, rows) {
        await rawInsert({ table: `${database}.${table}`, values: rows.bytes, format: 'JSONEachRow', settings }).catch((error: unknown) => {
          throw withErrorType(error);
        });
      },
    };
  }
  return {
    async insert(table, rows) {
      const values = Readable.from([rows.bytes]);
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
