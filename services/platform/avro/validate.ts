import type avro from 'avsc';
import { RecordValidationError } from '../errors.ts';

/** Throws a RecordValidationError naming the first field of `value` that `type` rejects. */
export function assertValid(schemaName: string, type: avro.Type, value: unknown): void {
  let failure: { path: string; value: unknown; type: avro.Type } | undefined;
  const ok = type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: avro.Type) => {
      failure ??= { path: path.join('.'), value: v, type: t };
    },
  });
  if (ok) return;
  const expected = failure ? describeType(failure.type) : 'a valid record';
  const got = failure ? describeValue(failure.value) : describeValue(value);
  throw new RecordValidationError(schemaName, failure?.path ?? '', `expected ${expected}, got ${got}`);
}

function describeType(type: avro.Type): string {
  const schema = type.schema() as unknown;
  const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `bytes[${value.length}]`;
  const text = typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${safeJson(value)}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
